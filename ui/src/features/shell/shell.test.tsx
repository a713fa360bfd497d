/// <reference types="node" />
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SAMPLE_LEADS, renderApp, rowNames } from "../../test/app";
import { Core } from "../../test/core";

/** A file that is not a SQLite database at all. */
function corruptDatabase(): string {
  const path = join(mkdtempSync(join(tmpdir(), "ringdesk-corrupt-")), "ringdesk.db");
  writeFileSync(path, "this is not a database\n".repeat(100));
  return path;
}

/** A database a newer Ringdesk wrote: a real one whose schema version (SQLite's user_version,
 * bytes 60–63 of the header) is beyond this build's. */
async function newerDatabase(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "ringdesk-newer-")), "ringdesk.db");
  const seeding = Core.start({ db: path });
  await seeding.invoke("app_info");
  await seeding.stop();
  const bytes = readFileSync(path);
  bytes.writeUInt32BE(999, 60);
  writeFileSync(path, bytes);
  return path;
}

describe("Startup", () => {
  it("a newer database shows a blocking error screen with the message and no navigation", async () => {
    await renderApp({ db: await newerDatabase() });
    const dialog = screen.getByTestId("startup-error");
    expect(dialog).toHaveTextContent("This database belongs to a newer Ringdesk");
    expect(dialog, "the core's message, with the version it found").toHaveTextContent("999");
    expect(dialog).toHaveTextContent("left untouched");
    expect(screen.queryByTestId("nav-leads")).not.toBeInTheDocument();
    expect(screen.queryByTestId("lead-table")).not.toBeInTheDocument();
  });

  it("the first interactive paint is reported once, and never when startup fails", async () => {
    const reported = (core: Core) => core.calls.filter((c) => c.cmd === "ui_ready").length;
    const { core, unmount } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(reported(core), "reported once the workspace painted").toBe(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(reported(core), "and only once").toBe(1);
    unmount();
    const failed = await renderApp({ db: corruptDatabase() });
    await new Promise((r) => setTimeout(r, 100));
    expect(reported(failed.core), "never when startup failed").toBe(0);
  });

  it("a core that answers in time opens the workspace as the first thing drawn, without the splash", async () => {
    // A generous wait, so the core's speed under a loaded test run cannot decide the outcome.
    const { firstFrame } = await renderApp({ leads: SAMPLE_LEADS, splashAfterMs: 10_000 });
    expect(firstFrame, "no splash in the first frame").not.toContain("Opening Ringdesk…");
    expect(firstFrame, "the workspace's navigation is in it").toContain("Leads");
    expect(screen.getByTestId("nav-leads")).toBeInTheDocument();
  });

  it("a core slower than the splash's wait gets the splash until it answers, then the workspace", async () => {
    const { firstFrame, core } = await renderApp({ leads: SAMPLE_LEADS, splashAfterMs: 0 });
    expect(firstFrame, "the splash is drawn first").toContain("Opening Ringdesk…");
    expect(screen.getByTestId("nav-leads"), "then the workspace").toBeInTheDocument();
    expect(core.calls.filter((c) => c.cmd === "app_info"), "the splash took the start-up's answer, not a second one").toHaveLength(1);
  });

  it("the start page's figures are asked only after the workspace's first frame, so they never hold it back", async () => {
    const { core } = await renderApp({ leads: SAMPLE_LEADS });
    await screen.findByTestId("dashboard-strip");
    const order = core.calls.map((c) => c.cmd);
    expect(order, "the first paint was reported").toContain("ui_ready");
    // lastIndexOf: an earlier test's window may report its frame to this core too.
    expect(order.lastIndexOf("ui_ready"), `the first paint reported, then the figures asked: ${order.join(", ")}`).toBeLessThan(order.indexOf("dashboard"));
  });

  it("a corrupt database is reported as damaged", async () => {
    await renderApp({ db: corruptDatabase() });
    expect(screen.getByTestId("startup-error")).toHaveTextContent("The lead database is damaged");
  });

  it("Try again asks the core again rather than showing the start-up's first answer", async () => {
    const { core, user } = await renderApp({ db: corruptDatabase() });
    const asked = () => core.calls.filter((c) => c.cmd === "app_info").length;
    expect(asked(), "the start-up asked once, before the first render").toBe(1);
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(asked(), "the retry asked the core again").toBe(2));
    await waitFor(() => expect(screen.getByRole("button", { name: "Try again" })).toBeEnabled());
    expect(screen.getByTestId("startup-error"), "still damaged: the same message").toHaveTextContent("The lead database is damaged");
  });
});

describe("Navigation and shortcuts", () => {
  it("the sidebar lists every page, Campaigns (Ctrl+8) and Analytics (Ctrl+9) included", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    const nav = screen.getByRole("navigation", { name: "Main" });
    const items = [...nav.querySelectorAll("[data-testid^='nav-']")].map((el) => el.getAttribute("data-testid"));
    expect(items).toEqual(["nav-leads", "nav-dialer", "nav-campaigns", "nav-messages", "nav-followups", "nav-history", "nav-recordings", "nav-analytics", "nav-settings"]);
    await user.keyboard("{Control>}8{/Control}");
    expect(await screen.findByTestId("campaigns-empty")).toBeInTheDocument();
    await user.keyboard("{Control>}9{/Control}");
    expect(await screen.findByTestId("analytics-empty"), "no calls yet: the page says why").toHaveTextContent("No calls in this range");
    expect(screen.getByTestId("nav-analytics")).toHaveAttribute("aria-current", "page");
  });

  it("Ctrl+5 and Ctrl+6 open Follow-ups and History", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await user.keyboard("{Control>}5{/Control}");
    expect(await screen.findByTestId("followups-overdue")).toBeVisible();
    expect(screen.getByTestId("nav-followups")).toHaveAttribute("aria-current", "page");
    await user.keyboard("{Control>}6{/Control}");
    expect(await screen.findByTestId("history-empty")).toBeVisible();
    expect(screen.getByTestId("nav-history")).toHaveAttribute("aria-current", "page");
  });

  it("Ctrl+1/2/3 switch pages, Ctrl+K and / focus the lead search", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await user.keyboard("{Control>}2{/Control}");
    expect(screen.getByTestId("dialer-input")).toBeVisible();
    expect(screen.getByTestId("nav-dialer")).toHaveAttribute("aria-current", "page");
    await user.keyboard("{Control>}3{/Control}");
    expect(await screen.findByTestId("settings-region")).toBeVisible();
    await user.keyboard("{Control>}k{/Control}");
    await waitFor(() => expect(screen.getByTestId("lead-search")).toHaveFocus());
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");

    // "/" is typed normally inside an input, and focuses search elsewhere
    await user.keyboard("a/b");
    expect(screen.getByTestId("lead-search")).toHaveValue("a/b");
    (document.activeElement as HTMLElement).blur();
    await user.keyboard("/");
    await waitFor(() => expect(screen.getByTestId("lead-search")).toHaveFocus());
  });

  it("Ctrl+I opens the import dialog and Escape closes it", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.keyboard("{Control>}i{/Control}");
    expect(await screen.findByTestId("import-dialog")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("import-dialog")).not.toBeInTheDocument();
  });

  it("Ctrl+E exports", async () => {
    const { user, core } = await renderApp({ leads: SAMPLE_LEADS });
    const saveTo = join(core.dir, "leads.csv");
    await core.answerFileDialog(saveTo);
    await user.keyboard("{Control>}e{/Control}");
    await screen.findByText(/Exported 5 leads/);
    expect(existsSync(saveTo), "the export was written where the save dialog said").toBe(true);
    expect(readFileSync(saveTo, "utf8"), "with the leads").toContain("Alice Anders");
  });

  it("? toggles the shortcuts help, also openable from the sidebar", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await user.keyboard("?");
    const help = screen.getByTestId("shortcuts-help");
    expect(help).toHaveTextContent("Import leads from CSV");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("shortcuts-help")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Shortcuts/ }));
    expect(screen.getByTestId("shortcuts-help")).toBeInTheDocument();
    await user.keyboard("?");
    expect(screen.queryByTestId("shortcuts-help")).not.toBeInTheDocument();
  });
});
