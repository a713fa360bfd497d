import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { MemoryBackend, SUPABASE_SIGNED_IN, type MemoryBackendOptions } from "../../backend/memory";
import type { SyncReport } from "../../generated/bindings";
import { EMPTY_PATCH } from "../leads/LeadDetail";
import { SAMPLE_LEADS, renderApp, rowNames } from "../../test/render";

const LAST_SYNC = "2025-03-01T15:04:00.000Z";
const UNREACHABLE = "could not reach the backend: network unreachable";

/** SAMPLE_LEADS, a Supabase backend with the agent signed in, last synced at LAST_SYNC. */
function syncBackend(options: MemoryBackendOptions = {}) {
  return new MemoryBackend({
    leads: SAMPLE_LEADS,
    settings: SUPABASE_SIGNED_IN,
    sync: { state: "synced", lastSyncedAt: LAST_SYNC },
    ...options,
  });
}

const indicator = () => screen.getByTestId("sync-indicator");

async function openPanel(user: Awaited<ReturnType<typeof renderApp>>["user"]) {
  await user.click(await screen.findByTestId("sync-indicator"));
  return screen.getByTestId("sync-panel");
}

describe("Sync indicator", () => {
  it("shows Synced, with the time of the last sync as tooltip", async () => {
    await renderApp(syncBackend());
    expect(await screen.findByTestId("sync-indicator")).toHaveTextContent(/^Synced$/);
    expect(indicator()).toHaveAttribute("title", expect.stringMatching(/^Synced with the team backend, last at Mar 1, 2025/));
    expect(screen.queryByTestId("sync-progress")).not.toBeInTheDocument();
  });

  it("shows Syncing… with a bar as wide as the share done, an indeterminate bar while the total is unknown", async () => {
    const { backend } = await renderApp(syncBackend());
    await screen.findByTestId("sync-indicator");

    act(() => backend.setSyncStatus({ state: "syncing", progress: { pushing: false, done: 250, total: 1000 } }));
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Syncing…$/));
    expect(screen.getByTestId("sync-progress-bar")).toHaveStyle({ width: "25%" });
    expect(screen.getByTestId("sync-progress")).toHaveAttribute("aria-valuenow", "25");
    expect(screen.getByTestId("sync-progress")).not.toHaveClass("indeterminate");
    expect(indicator()).toHaveAttribute("title", "Getting the team's changes (250 of 1,000)…");

    act(() => backend.setSyncStatus({ progress: { pushing: false, done: 40, total: null } }));
    await waitFor(() => expect(screen.getByTestId("sync-progress")).toHaveClass("indeterminate"));
    expect(screen.getByTestId("sync-progress")).not.toHaveAttribute("aria-valuenow");
    expect(screen.getByTestId("sync-progress-bar").style.width).toBe("");

    act(() => backend.setSyncStatus({ state: "synced", progress: null }));
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Synced$/));
    expect(screen.queryByTestId("sync-progress")).not.toBeInTheDocument();
  });

  it("shows Offline with the pending count and the reason as tooltip; a local edit adds to the count", async () => {
    const { user } = await renderApp(syncBackend({ sync: { state: "offline", pending: 3, error: UNREACHABLE } }));
    expect(await screen.findByTestId("sync-indicator")).toHaveTextContent(/^Offline · 3 pending$/);
    expect(indicator()).toHaveAttribute("title", UNREACHABLE);

    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByText("Alice Anders"));
    const company = await screen.findByTestId("lead-field-company");
    await waitFor(() => expect(company).toHaveValue("Acme Corp"));
    await user.clear(company);
    await user.type(company, "Acme Holdings{Enter}");
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Offline · 4 pending$/));
  });

  it("shows Sync error with the error as tooltip and in the panel", async () => {
    const error = "The backend has no Ringdesk tables: run `ringdesk backend migrate` with the owner's URL.";
    const { user } = await renderApp(syncBackend({ sync: { state: "error", error } }));
    expect(await screen.findByTestId("sync-indicator")).toHaveTextContent(/^Sync error$/);
    expect(indicator()).toHaveAttribute("title", error);
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
    await renderApp(syncBackend({ syncConflicts: [{ leadId: "lead-000002", field: "status", yourValue: "won", serverValue: "contacted" }] }));
    expect(await screen.findByTestId("sync-conflict-count")).toHaveTextContent(/^1$/);
    expect(indicator()).toHaveTextContent("Synced");
  });
});

describe("Sync panel", () => {
  it("Sync now runs a cycle, shows a spinner meanwhile, then what moved; the pulled leads appear in the table", async () => {
    const backend = syncBackend({
      sync: { state: "synced", lastSyncedAt: LAST_SYNC, pending: 3 },
      remoteLeads: [
        { name: "Fay Fischer", company: "Fjord Inc", phone: "(617) 555-0142" },
        { name: "Gus Grant", email: "gus@grant.example" },
      ],
    });
    const real = backend.syncNow.bind(backend);
    let release!: () => void;
    const syncNow = vi.spyOn(backend, "syncNow").mockImplementation(
      () => new Promise<SyncReport>((resolve, reject) => (release = () => real().then(resolve, reject))),
    );
    const { user } = await renderApp(backend);
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const panel = await openPanel(user);
    expect(within(panel).getByTestId("sync-pending")).toHaveTextContent("3 changes");
    const button = within(panel).getByTestId("sync-now");
    expect(button).toHaveAttribute("title", "Sync now (Ctrl+Shift+S)");

    await user.click(button);
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute("aria-busy", "true");
    expect(button.querySelector(".spin")).not.toBeNull();
    expect(indicator()).toHaveTextContent("Syncing…");

    await act(async () => release());
    await waitFor(() => expect(within(panel).getByTestId("sync-report")).toHaveTextContent("Pulled 2, pushed 3"));
    expect(syncNow).toHaveBeenCalledTimes(1);
    expect(button).toBeEnabled();
    expect(within(panel).getByTestId("sync-pending")).toHaveTextContent("Nothing");
    expect(indicator()).toHaveTextContent(/^Synced$/);
    await waitFor(() => expect(rowNames()).toEqual(expect.arrayContaining(["Fay Fischer", "Gus Grant"])));
    await waitFor(() => expect(screen.getByTestId("lead-count")).toHaveTextContent(/^7$/));
  });

  it("a failed Sync now shows the error; the indicator says the changes wait", async () => {
    const { user } = await renderApp(syncBackend({ sync: { state: "synced", lastSyncedAt: LAST_SYNC, pending: 2 }, syncOffline: true }));
    const panel = await openPanel(user);
    await user.click(within(panel).getByTestId("sync-now"));
    expect(await within(panel).findByTestId("sync-now-error")).toHaveTextContent(
      `Sync failed: Offline: ${UNREACHABLE}. Your changes are kept and will sync when it is back.`,
    );
    await waitFor(() => expect(indicator()).toHaveTextContent(/^Offline · 2 pending$/));
    expect(within(panel).getByTestId("sync-panel-error")).toHaveTextContent(UNREACHABLE);
  });

  it("lists conflicts; Use mine and Keep web value resolve them, and the lead shows the value kept", async () => {
    const backend = syncBackend({
      syncConflicts: [
        { leadId: "lead-000002", field: "status", yourValue: "won", serverValue: "contacted" },
        { leadId: "lead-000001", field: "company", yourValue: "Acme Holdings", serverValue: "Acme Corp" },
      ],
    });
    const resolve = vi.spyOn(backend, "resolveSyncConflict");
    const { user } = await renderApp(backend);
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const panel = await openPanel(user);
    const conflicts = await within(panel).findAllByTestId("sync-conflict");
    expect(conflicts).toHaveLength(2);
    expect(conflicts[0]).toHaveTextContent("Bob Brown: status — yours: won, on the web: contacted");
    expect(conflicts[1]).toHaveTextContent("Alice Anders: company — yours: Acme Holdings, on the web: Acme Corp");

    await user.click(within(conflicts[0]).getByRole("button", { name: "Use mine" }));
    expect(resolve).toHaveBeenCalledWith("conflict-1", true);
    await waitFor(() => expect(within(panel).getAllByTestId("sync-conflict")).toHaveLength(1));
    expect(within(panel).getByTestId("sync-conflict")).toHaveTextContent("Alice Anders");
    expect(screen.getByTestId("sync-conflict-count")).toHaveTextContent(/^1$/);
    const bobRow = () => screen.getAllByTestId("lead-row").find((r) => r.textContent?.includes("Bob Brown"))!;
    await waitFor(() => expect(within(bobRow()).getByText("won")).toBeInTheDocument());

    await user.click(within(panel).getByRole("button", { name: "Keep web value" }));
    expect(resolve).toHaveBeenLastCalledWith("conflict-2", false);
    await waitFor(() => expect(within(panel).queryByTestId("sync-conflict")).not.toBeInTheDocument());
    expect(within(panel).getByTestId("sync-nothing-open")).toHaveTextContent("No conflicts or issues.");
    expect(screen.queryByTestId("sync-conflict-count")).not.toBeInTheDocument();
    expect(await backend.syncConflicts()).toEqual([]);
  });

  it("lists issues newest first; Clear removes them", async () => {
    const backend = syncBackend({
      syncIssues: [
        { kind: "rejected", rowId: "lead-000001", message: "email is not an email address", createdAt: "2025-03-01T09:00:00.000Z" },
        { kind: "badRow", rowId: "web-88", message: 'phone "n/a" is not a phone number; stored without it', createdAt: "2025-03-02T09:00:00.000Z" },
      ],
    });
    const { user } = await renderApp(backend);
    const panel = await openPanel(user);
    const issues = await within(panel).findAllByTestId("sync-issue");
    expect(issues).toHaveLength(2);
    expect(issues[0]).toHaveTextContent('Stored in part phone "n/a" is not a phone number; stored without it');
    expect(issues[0]).toHaveTextContent("leads web-88");
    expect(issues[1]).toHaveTextContent("Refused by the backend email is not an email address");

    await user.click(within(panel).getByTestId("sync-issues-clear"));
    await waitFor(() => expect(within(panel).queryByTestId("sync-issue")).not.toBeInTheDocument());
    expect(await backend.syncIssues(50)).toEqual([]);
  });

  it("Escape closes the panel and gives the focus back to the indicator", async () => {
    const { user } = await renderApp(syncBackend());
    await openPanel(user);
    expect(screen.getByTestId("sync-now")).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("sync-panel")).not.toBeInTheDocument();
    expect(indicator()).toHaveFocus();
  });

  it("Ctrl+Shift+S syncs from anywhere and says what moved in a toast; the shortcuts help lists it", async () => {
    const backend = syncBackend({ remoteLeads: [{ name: "Fay Fischer", phone: "(617) 555-0142" }] });
    const { user } = await renderApp(backend);
    await screen.findByTestId("sync-indicator");
    await user.keyboard("{Control>}{Shift>}s{/Shift}{/Control}");
    expect(await screen.findByTestId("toast")).toHaveTextContent("Synced: Pulled 1, pushed 0");
    expect(backend.syncNowCount).toBe(1);
    await user.keyboard("?");
    expect(screen.getByTestId("shortcuts-help")).toHaveTextContent("Sync with the team backend now");
  });
});

describe("Pulled changes", () => {
  it("a sync notice with changed rows refreshes the leads table and the open lead; one without does not", async () => {
    const backend = syncBackend();
    const { user } = await renderApp(backend);
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByText("Bob Brown"));
    const company = await screen.findByTestId("lead-field-company");
    await waitFor(() => expect(company).toHaveValue("Globex"));

    // A cycle stored rows from the backend (behind the UI's back, like the Rust sync service).
    backend.addLead({ name: "Zoe Zimmer", company: "Zeta", phone: "(212) 555-0175" });
    await act(() => backend.updateLead("lead-000002", { ...EMPTY_PATCH, company: "Globex International" }));
    const listLeads = vi.spyOn(backend, "listLeads");
    const getLead = vi.spyOn(backend, "getLead");
    const status = await backend.syncStatus();

    act(() => backend.emitSync({ status, changed: false }));
    await new Promise((r) => setTimeout(r, 50));
    expect(listLeads).not.toHaveBeenCalled();
    expect(getLead).not.toHaveBeenCalled();
    expect(rowNames()).not.toContain("Zoe Zimmer");
    expect(company).toHaveValue("Globex");

    act(() => backend.emitSync({ status, changed: true }));
    await waitFor(() => expect(rowNames()).toContain("Zoe Zimmer"));
    await waitFor(() => expect(screen.getByTestId("lead-field-company")).toHaveValue("Globex International"));
    await waitFor(() => expect(screen.getByTestId("lead-count")).toHaveTextContent(/^6$/));
  });
});
