// Wording for replication with the team backend: the indicator, the panel, Sync now's result.
import type { SyncConflict, SyncIssue, SyncReport, SyncStatus } from "../../generated/bindings";
import { formatCount, formatDateTime, plural } from "../../lib/format";

export const SYNC_SHORTCUT = "Ctrl+Shift+S";

/** The share of a running cycle that is done, 0–100; null when the total is not known. */
export function progressPercent(status: SyncStatus): number | null {
  const p = status.progress;
  if (!p || p.total === null || p.total <= 0) return null;
  return Math.min(100, Math.max(0, ((p.done ?? 0) / p.total) * 100));
}

/** "sending your changes (3 of 10)", "getting the team's changes" — what a running cycle does. */
export function progressText(status: SyncStatus): string {
  const p = status.progress;
  if (!p) return "Syncing…";
  const what = p.pushing ? "Sending your changes" : "Getting the team's changes";
  if (p.total !== null && p.total > 0) return `${what} (${formatCount(p.done ?? 0)} of ${formatCount(p.total)})…`;
  if (p.done !== null && p.done > 0) return `${what} (${formatCount(p.done)} so far)…`;
  return `${what}…`;
}

/** The indicator's words and tooltip. */
export function indicatorText(status: SyncStatus): { label: string; title: string } {
  switch (status.state) {
    case "synced":
      return {
        label: "Synced",
        title: status.lastSyncedAt ? `Synced with the team backend, last at ${formatDateTime(status.lastSyncedAt)}` : "Synced with the team backend",
      };
    case "syncing":
      return { label: "Syncing…", title: progressText(status) };
    case "offline":
      return {
        label: status.pending > 0 ? `Offline · ${formatCount(status.pending)} pending` : "Offline",
        title: status.error ?? "The team backend cannot be reached; your changes are kept and sync when it is back.",
      };
    case "error":
      return { label: "Sync error", title: status.error ?? "The team backend refused to sync." };
    case "off":
      return { label: "Sync off", title: status.error ?? "No team backend is set up: add one in Settings → Team backend." };
  }
}

/** "Pulled 12, pushed 3", then whatever else the cycle met. */
export function syncReportSummary(r: SyncReport): string {
  const parts = [`Pulled ${formatCount(r.pulled ?? 0)}`, `pushed ${formatCount(r.pushed ?? 0)}`];
  if ((r.removed ?? 0) > 0) parts.push(`removed ${formatCount(r.removed ?? 0)}`);
  if ((r.rejected ?? 0) > 0) parts.push(`${formatCount(r.rejected ?? 0)} refused`);
  if ((r.conflicts ?? 0) > 0) parts.push(plural(r.conflicts ?? 0, "new conflict"));
  if ((r.issues ?? 0) > 0) parts.push(plural(r.issues ?? 0, "new issue"));
  let text = parts.join(", ");
  if (r.resynced) text += " (full resync)";
  return text;
}

function fieldLabel(field: string): string {
  return field.replace(/_/g, " ");
}

function shownValue(v: string | null): string {
  return v === null || v === "" ? "(empty)" : v;
}

/** "Bob Brown: status — yours: contacted, on the web: qualified". */
export function conflictText(c: SyncConflict): string {
  return `${c.leadName ?? "A lead no longer here"}: ${fieldLabel(c.field)} — yours: ${shownValue(c.yourValue)}, on the web: ${shownValue(c.serverValue)}`;
}

export function issueKindLabel(issue: SyncIssue): string {
  if (issue.kind === "rejected") return "Refused by the backend";
  if (issue.kind === "badRow") return "Stored in part";
  return issue.kind;
}
