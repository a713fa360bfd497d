import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SAMPLE_LEADS, renderApp, rowNames } from "../../test/render";

describe("Startup", () => {
  it("a newer database shows a blocking error screen with the message and no navigation", async () => {
    await renderApp({
      leads: SAMPLE_LEADS,
      appInfoError: { code: "databaseNewer", message: "Database /home/a/ringdesk.db has schema version 9; this build supports up to 3." },
    });
    const dialog = screen.getByTestId("startup-error");
    expect(dialog).toHaveTextContent("This database belongs to a newer Ringdesk");
    expect(dialog).toHaveTextContent("schema version 9");
    expect(dialog).toHaveTextContent("left untouched");
    expect(screen.queryByTestId("nav-leads")).not.toBeInTheDocument();
    expect(screen.queryByTestId("lead-table")).not.toBeInTheDocument();
  });

  it("the first interactive paint is reported once, and never when startup fails", async () => {
    const { backend } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(backend.uiReadyCount).toBe(1));
    const failed = await renderApp({ appInfoError: { code: "databaseCorrupt", message: "file is not a database" } });
    await new Promise((r) => setTimeout(r, 50));
    expect(failed.backend.uiReadyCount).toBe(0);
  });

  it("a corrupt database is reported as damaged", async () => {
    await renderApp({ appInfoError: { code: "databaseCorrupt", message: "file is not a database" } });
    expect(screen.getByTestId("startup-error")).toHaveTextContent("The lead database is damaged");
  });
});

describe("Navigation and shortcuts", () => {
  it("the sidebar lists only the pages that exist: Leads, Dialer, Messages, Follow-ups, History, Recordings and Settings", async () => {
    await renderApp({ leads: SAMPLE_LEADS });
    const nav = screen.getByRole("navigation", { name: "Main" });
    const items = [...nav.querySelectorAll("[data-testid^='nav-']")].map((el) => el.getAttribute("data-testid"));
    expect(items).toEqual(["nav-leads", "nav-dialer", "nav-messages", "nav-followups", "nav-history", "nav-recordings", "nav-settings"]);
    expect(nav).not.toHaveTextContent(/Campaigns|Analytics/);
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
    const { user, backend } = await renderApp({ leads: SAMPLE_LEADS });
    await user.keyboard("{Control>}e{/Control}");
    await screen.findByText(/Exported 5 leads/);
    expect(backend.files.has("/home/agent/Documents/leads.csv")).toBe(true);
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
