// The sync indicator and panel against the real core syncing with a real team backend
// (PostgreSQL behind the Supabase stand-in, src/test/team.ts). Faults are the network's: the
// backend refused or held at its proxy.
import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LeadPatch, SyncNotice, SyncStatus } from "../../generated/bindings";
import { EMPTY_PATCH } from "../leads/LeadDetail";
import { SAMPLE_LEADS, allLeads, renderApp, rowNames, type Seed } from "../../test/app";
import type { Core } from "../../test/core";
import type { TeamBackend } from "../../test/team";

/** SAMPLE_LEADS on a desktop signed in to a fresh team backend; resolves once the first sync is done. */
async function syncedApp(seed: Seed = {}) {
  const app = await renderApp({ leads: SAMPLE_LEADS, team: true, ...seed });
  await waitFor(() => expect(indicator()).toHaveTextContent(/^Synced$/), { timeout: 10_000 });
  return app;
}

const indicator = () => screen.getByTestId("sync-indicator");

async function openPanel(user: Awaited<ReturnType<typeof renderApp>>["user"]) {
  await user.click(await screen.findByTestId("sync-indicator"));
  return screen.getByTestId("sync-panel");
}

/** Edits a lead on this desktop, as its detail panel would (one pending change per call). */
async function editLead(core: Core, name: string, change: Partial<LeadPatch>) {
  const lead = (await allLeads(core)).find((l) => l.name === name)!;
  await core.invoke("update_lead", { id: lead.id, patch: { ...EMPTY_PATCH, ...change } });
}

/** A lead created on the web CRM for the agent. */
function webLead(team: TeamBackend, name: string, phone: string | null = null, status = "new") {
  return team.sql(`insert into crm_leads(user_id, name, phone, status) values ('${team.agentId}', '${name}', ${phone ? `'${phone}'` : "null"}, '${status}') returning id`);
}

/** A lead's status changed on the web and on this desktop while it was offline: a conflict on the
 * next sync (other fields are last writer wins). */
async function makeConflicts(core: Core, team: TeamBackend, edits: { lead: string; field: "status"; mine: string; web: string }[]) {
  await team.offline(true);
  for (const edit of edits) {
    await editLead(core, edit.lead, { [edit.field]: edit.mine });
    await team.sql(`update crm_leads set ${edit.field} = '${edit.web}' where name = '${edit.lead}'`);
  }
  await team.offline(false);
  await core.invoke("sync_now");
}

describe("Sync indicator", () => {
  it("shows Synced, with the time of the last sync as tooltip", async () => {
    await syncedApp();
    expect(indicator()).toHaveAttribute("title", expect.stringMatching(/^Synced with the team backend, last at \w{3} \d{1,2}, \d{4}/));
    expect(screen.queryByTestId("sync-progress")).not.toBeInTheDocument();
  });

  it("shows Syncing… while a cycle waits on the backend; a bar as wide as the share done, indeterminate while the total is unknown", async () => {
    const { core, team, user } = await syncedApp();
    await team.hold(true);
    const panel = await openPanel(user);
    await user.click(within(panel).getByTestId("sync-now"));
    // A held sync and its release take longer on a loaded 2-core machine.
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Syncing…$/), { timeout: 10_000 });
    await team.hold(false);
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Synced$/), { timeout: 10_000 });

    // A pull's progress as the core reports it page by page (a remote party's pace: emitted here).
    const status = await core.invoke<SyncStatus>("sync_status");
    const notice = (progress: SyncStatus["progress"]): SyncNotice => ({ status: { ...status, state: "syncing", progress }, changed: false });
    await act(() => core.emit("sync-event", notice({ pushing: false, done: 250, total: 1000 })));
    await waitFor(() => expect(screen.getByTestId("sync-progress-bar")).toHaveStyle({ width: "25%" }));
    expect(screen.getByTestId("sync-progress")).toHaveAttribute("aria-valuenow", "25");
    expect(screen.getByTestId("sync-progress")).not.toHaveClass("indeterminate");
    expect(indicator()).toHaveAttribute("title", "Getting the team's changes (250 of 1,000)…");

    await act(() => core.emit("sync-event", notice({ pushing: false, done: 40, total: null })));
    await waitFor(() => expect(screen.getByTestId("sync-progress")).toHaveClass("indeterminate"));
    expect(screen.getByTestId("sync-progress")).not.toHaveAttribute("aria-valuenow");
    expect(screen.getByTestId("sync-progress-bar").style.width).toBe("");

    await act(() => core.emit("sync-event", { status, changed: false }));
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Synced$/));
    expect(screen.queryByTestId("sync-progress")).not.toBeInTheDocument();
  });

  it("shows Offline with the pending count and the reason as tooltip; a local edit adds to the count", async () => {
    const { core, team, user } = await syncedApp();
    await team.offline(true);
    await editLead(core, "Bob Brown", { company: "Globex One" });
    await editLead(core, "Bob Brown", { company: "Globex Two" });
    await editLead(core, "Carla Cruz", { company: "Initech Labs" });
    await core.invoke("sync_now").catch(() => undefined);
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Offline · 3 pending$/));
    expect(indicator().getAttribute("title")).toMatch(/reach/i);

    await user.click(screen.getByText("Alice Anders"));
    const company = await screen.findByTestId("lead-field-company");
    await waitFor(() => expect(company).toHaveValue("Acme Corp"));
    await user.clear(company);
    await user.type(company, "Acme Holdings{Enter}");
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Offline · 4 pending$/), { timeout: 6000 });
  });

  it("shows Sync error with the error as tooltip and in the panel when the backend has no Ringdesk tables", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS, team: { migrated: false } });
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Sync error$/), { timeout: 10_000 });
    const error = indicator().getAttribute("title")!;
    expect(error).toMatch(/migrat/i);
    const panel = await openPanel(user);
    expect(within(panel).getByTestId("sync-panel-error")).toHaveTextContent(error);
  });

  it("shows Sync off when no team backend is set up, and the panel leads to Settings", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    expect(await screen.findByTestId("sync-indicator")).toHaveTextContent(/^Sync off$/);
    const panel = await openPanel(user);
    expect(within(panel).getByTestId("sync-panel-state")).toHaveTextContent("Sync is off.");
    await user.click(within(panel).getByRole("button", { name: "Open Settings" }));
    expect(screen.queryByTestId("sync-panel")).not.toBeInTheDocument();
    expect(await screen.findByRole("region", { name: "Team backend" })).toBeInTheDocument();
  });

  it("counts open conflicts in a badge", async () => {
    const { core, team } = await syncedApp();
    await makeConflicts(core, team, [{ lead: "Bob Brown", field: "status", mine: "won", web: "qualified" }]);
    expect(await screen.findByTestId("sync-conflict-count")).toHaveTextContent(/^1$/);
    await waitFor(() => expect(indicator()).toHaveTextContent("Synced"));
  });
});

describe("Sync panel", () => {
  it("Sync now runs a cycle, shows a spinner meanwhile, then what moved; the pulled leads appear in the table", async () => {
    const { team, user } = await syncedApp();
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await webLead(team, "Fay Fischer", "+16175550142");
    await webLead(team, "Gus Grant");
    const panel = await openPanel(user);
    expect(within(panel).getByTestId("sync-pending")).toHaveTextContent("Nothing");
    const button = within(panel).getByTestId("sync-now");
    expect(button).toHaveAttribute("title", "Sync now (Ctrl+Shift+S)");

    await team.hold(true);
    await user.click(button);
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute("aria-busy", "true");
    expect(button.querySelector(".spin")).not.toBeNull();
    await waitFor(() => expect(indicator()).toHaveTextContent("Syncing…"));

    await team.hold(false);
    await waitFor(() => expect(within(panel).getByTestId("sync-report")).toHaveTextContent("Pulled 2, pushed 0"));
    expect(button).toBeEnabled();
    expect(indicator()).toHaveTextContent(/^Synced$/);
    await waitFor(() => expect(rowNames()).toEqual(expect.arrayContaining(["Fay Fischer", "Gus Grant"])));
    await waitFor(() => expect(screen.getByTestId("lead-count")).toHaveTextContent(/^7$/));
  });

  it("a failed Sync now shows the error; the indicator says the changes wait", async () => {
    const { core, team, user } = await syncedApp();
    await team.offline(true);
    await editLead(core, "Bob Brown", { company: "Globex One" });
    await editLead(core, "Carla Cruz", { company: "Initech Labs" });
    const panel = await openPanel(user);
    await user.click(within(panel).getByTestId("sync-now"));
    const error = await within(panel).findByTestId("sync-now-error");
    expect(error).toHaveTextContent(/^Sync failed: Offline: .+\. Your changes are kept and will sync when it is back\.$/);
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Offline · 2 pending$/));
    expect(within(panel).getByTestId("sync-panel-error")).toHaveTextContent(indicator().getAttribute("title")!);
  });

  it("lists conflicts; Use mine and Keep web value resolve them, and the lead shows the value kept", async () => {
    const { core, team, user } = await syncedApp();
    await makeConflicts(core, team, [
      { lead: "Bob Brown", field: "status", mine: "won", web: "qualified" },
      { lead: "Alice Anders", field: "status", mine: "qualified", web: "contacted" },
    ]);
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const panel = await openPanel(user);
    const conflicts = await within(panel).findAllByTestId("sync-conflict");
    expect(conflicts).toHaveLength(2);
    const bob = conflicts.find((c) => c.textContent?.includes("Bob Brown"))!;
    expect(bob).toHaveTextContent("Bob Brown: status — yours: won, on the web: qualified");
    expect(conflicts.find((c) => c.textContent?.includes("Alice Anders"))).toHaveTextContent(
      "Alice Anders: status — yours: qualified, on the web: contacted",
    );

    await user.click(within(bob).getByRole("button", { name: "Use mine" }));
    await waitFor(() => expect(within(panel).getAllByTestId("sync-conflict")).toHaveLength(1));
    expect(within(panel).getByTestId("sync-conflict")).toHaveTextContent("Alice Anders");
    expect(screen.getByTestId("sync-conflict-count")).toHaveTextContent(/^1$/);
    const bobRow = () => screen.getAllByTestId("lead-row").find((r) => r.textContent?.includes("Bob Brown"))!;
    await waitFor(() => expect(within(bobRow()).getByText("won")).toBeInTheDocument());

    await user.click(within(panel).getByRole("button", { name: "Keep web value" }));
    await waitFor(() => expect(within(panel).queryByTestId("sync-conflict")).not.toBeInTheDocument());
    expect(within(panel).getByTestId("sync-nothing-open")).toHaveTextContent("No conflicts or issues.");
    expect(screen.queryByTestId("sync-conflict-count")).not.toBeInTheDocument();
    expect(await core.invoke("sync_conflicts")).toEqual([]);
    const alice = (await allLeads(core)).find((l) => l.name === "Alice Anders")!;
    expect(alice.status, "the web's value kept").toBe("contacted");
    await core.invoke("sync_now");
    await waitFor(async () => expect(await team.sql("select status from crm_leads where name = 'Bob Brown'")).toBe("won"));
  });

  it("lists issues newest first; Clear removes them", async () => {
    const { core, team, user } = await syncedApp();
    // Refused: the web gave the lead to another agent while this desktop edited it offline.
    await team.offline(true);
    await editLead(core, "Bob Brown", { company: "Globex One" });
    await team.sql("update crm_leads set user_id = gen_random_uuid() where name = 'Bob Brown'");
    await team.offline(false);
    await core.invoke("sync_now");
    // Stored in part: a web row whose phone is not a phone number.
    const webId = await webLead(team, "Hal Hart", "n/a");
    await core.invoke("sync_now");

    const panel = await openPanel(user);
    const issues = await within(panel).findAllByTestId("sync-issue");
    expect(issues).toHaveLength(2);
    expect(issues[0]).toHaveTextContent(/^Stored in part.*phone "n\/a" is not a valid number/);
    expect(issues[0]).toHaveTextContent(`leads ${webId}`);
    expect(issues[1]).toHaveTextContent(/^Refused by the backend lead .* is not yours/);

    await user.click(within(panel).getByTestId("sync-issues-clear"));
    await waitFor(() => expect(within(panel).queryByTestId("sync-issue")).not.toBeInTheDocument());
    expect(await core.invoke("sync_issues", { limit: 50 })).toEqual([]);
  });

  it("Escape closes the panel and gives the focus back to the indicator", async () => {
    const { user } = await syncedApp();
    await openPanel(user);
    expect(screen.getByTestId("sync-now")).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("sync-panel")).not.toBeInTheDocument();
    expect(indicator()).toHaveFocus();
  });

  it("Ctrl+Shift+S syncs from anywhere and says what moved in a toast; the shortcuts help lists it", async () => {
    const { core, team, user } = await syncedApp();
    await webLead(team, "Fay Fischer", "+16175550142");
    const before = core.calls.filter((c) => c.cmd === "sync_now").length;
    await user.keyboard("{Control>}{Shift>}s{/Shift}{/Control}");
    expect(await screen.findByTestId("toast")).toHaveTextContent("Synced: Pulled 1, pushed 0");
    expect(core.calls.filter((c) => c.cmd === "sync_now")).toHaveLength(before + 1);
    await user.keyboard("?");
    expect(screen.getByTestId("shortcuts-help")).toHaveTextContent("Sync with the team backend now");
  });
});

describe("Pulled changes", () => {
  it("a sync notice with changed rows refreshes the leads table and the open lead; one without does not", async () => {
    const { core, team, user } = await syncedApp();
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByText("Bob Brown"));
    const company = await screen.findByTestId("lead-field-company");
    await waitFor(() => expect(company).toHaveValue("Globex"));
    const reads = () => core.calls.filter((c) => c.cmd === "list_leads" || c.cmd === "get_lead").length;

    // A cycle that stored nothing (the sync service runs behind the UI's back).
    const before = reads();
    await act(() => core.invoke("sync_now"));
    await new Promise((r) => setTimeout(r, 100));
    expect(reads(), "nothing pulled: nothing read again").toBe(before);

    await webLead(team, "Zoe Zimmer", "+12125550175");
    await team.sql("update crm_leads set company = 'Globex International' where name = 'Bob Brown'");
    await act(() => core.invoke("sync_now"));
    await waitFor(() => expect(rowNames()).toContain("Zoe Zimmer"));
    await waitFor(() => expect(screen.getByTestId("lead-field-company")).toHaveValue("Globex International"));
    await waitFor(() => expect(screen.getByTestId("lead-count")).toHaveTextContent(/^6$/));
  });
});
