import { AlertCircle, CloudSync, Loader2, RefreshCw, Settings as SettingsIcon, X } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { SyncConflict, SyncIssue, SyncStatus } from "../../generated/bindings";
import { formatDateTime, plural } from "../../lib/format";
import { useEscapeLayer } from "../shell/escape";
import { SYNC_SHORTCUT, conflictText, issueKindLabel, progressText } from "./syncText";
import type { TeamSync } from "./useSync";

/** How many issues the panel lists (newest first). */
export const SYNC_ISSUE_LIMIT = 50;

type Props = {
  sync: TeamSync;
  onClose: () => void;
  onOpenSettings: () => void;
};

function stateSentence(status: SyncStatus): string {
  switch (status.state) {
    case "synced":
      return "Synced with the team backend.";
    case "syncing":
      return progressText(status);
    case "offline":
      return "Offline: the team backend cannot be reached. Your changes are kept and sync when it is back.";
    case "error":
      return "Sync error: the team backend refused to sync.";
    case "off":
      return "Sync is off.";
  }
}

/**
 * The sync panel (a dialog, opened from the indicator): where replication stands, Sync now with
 * its result, the conflicts to decide and the issues replication met. Escape, the close button
 * and a click outside close it; the focus then returns to where it was.
 */
export function SyncPanel({ sync, onClose, onOpenSettings }: Props) {
  const backend = useBackend();
  const id = useId();
  const syncButtonRef = useRef<HTMLButtonElement>(null);
  const [conflicts, setConflicts] = useState<SyncConflict[] | null>(null);
  const [issues, setIssues] = useState<SyncIssue[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [resolving, setResolving] = useState<string | null>(null);
  const [conflictErrors, setConflictErrors] = useState<Record<string, string>>({});
  const [clearing, setClearing] = useState(false);
  const [issuesError, setIssuesError] = useState<string | null>(null);
  const { status, run, patchStatus, refreshData } = sync;

  useEscapeLayer(true, onClose);
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    syncButtonRef.current?.focus();
    return () => {
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  // Conflicts and issues: read on opening, and again when a cycle changed their counts.
  const detailsKey = status ? `${status.conflicts}|${status.issues}|${status.lastSyncedAt ?? ""}` : "";
  useEffect(() => {
    let stale = false;
    Promise.all([backend.syncConflicts(), backend.syncIssues(SYNC_ISSUE_LIMIT)]).then(
      ([c, i]) => {
        if (stale) return;
        setConflicts(c);
        setIssues(i);
        setLoadError(null);
      },
      (err) => !stale && setLoadError(errorMessage(err)),
    );
    return () => {
      stale = true;
    };
  }, [backend, detailsKey]);

  const resolve = async (conflict: SyncConflict, keepMine: boolean) => {
    setResolving(conflict.id);
    setConflictErrors(({ [conflict.id]: _, ...rest }) => rest);
    try {
      const left = await backend.resolveSyncConflict(conflict.id, keepMine);
      setConflicts(left);
      patchStatus({ conflicts: left.length });
      // "Use mine" puts the agent's value back on the lead.
      if (keepMine) refreshData();
    } catch (err) {
      setConflictErrors((e) => ({ ...e, [conflict.id]: errorMessage(err) }));
    } finally {
      setResolving(null);
    }
  };

  const clearIssues = async () => {
    setClearing(true);
    setIssuesError(null);
    try {
      await backend.clearSyncIssues();
      setIssues([]);
      patchStatus({ issues: 0 });
    } catch (err) {
      setIssuesError(errorMessage(err));
    } finally {
      setClearing(false);
    }
  };

  const running = run.state === "running";
  const showSettingsLink = status?.state === "off" || (run.state === "error" && run.code === "notConfigured");

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal modal-narrow sync-panel" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} data-testid="sync-panel">
        <header className="modal-header">
          <h2 id={`${id}-title`}>
            <CloudSync size={18} aria-hidden /> Team sync
          </h2>
          <button type="button" className="icon-button" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            <X size={18} aria-hidden />
          </button>
        </header>
        <div className="modal-body sync-panel-body">
          {status === null ? (
            <p className="muted">Asking the sync service…</p>
          ) : (
            <>
              <p className="sync-panel-state" data-testid="sync-panel-state">
                {stateSentence(status)}
              </p>
              {status.error && status.state !== "synced" && status.state !== "syncing" && (
                <div className={status.state === "error" ? "error-box" : "notice-box"} role={status.state === "error" ? "alert" : undefined} data-testid="sync-panel-error">
                  <AlertCircle size={16} aria-hidden />
                  <div>{status.error}</div>
                </div>
              )}
              <dl className="detail-meta sync-facts">
                <dt>Waiting to send</dt>
                <dd data-testid="sync-pending">{status.pending > 0 ? plural(status.pending, "change") : "Nothing"}</dd>
                <dt>Last synced</dt>
                <dd data-testid="sync-last">{formatDateTime(status.lastSyncedAt) || "Never"}</dd>
              </dl>
            </>
          )}

          <div className="section-actions">
            <button
              ref={syncButtonRef}
              type="button"
              className="button primary"
              data-testid="sync-now"
              title={`Sync now (${SYNC_SHORTCUT})`}
              aria-busy={running || undefined}
              disabled={running}
              onClick={() => void sync.syncNow()}
            >
              {running ? <Loader2 size={14} className="spin" aria-hidden /> : <RefreshCw size={14} aria-hidden />} Sync now
            </button>
            {showSettingsLink && (
              <button type="button" className="button" onClick={onOpenSettings}>
                <SettingsIcon size={14} aria-hidden /> Open Settings
              </button>
            )}
            <span className="muted small" role="status" data-testid="sync-report">
              {running && "Syncing…"}
              {run.state === "done" && run.text}
            </span>
          </div>
          {run.state === "error" && (
            <div className="field-error sync-now-error" role="alert" data-testid="sync-now-error">
              <AlertCircle size={14} aria-hidden /> Sync failed: {run.message}
            </div>
          )}

          {loadError && (
            <div className="error-box sync-load-error" role="alert">
              <AlertCircle size={16} aria-hidden /> Could not load conflicts and issues: {loadError}
            </div>
          )}

          {conflicts !== null && conflicts.length > 0 && (
            <section aria-label="Conflicts" data-testid="sync-conflicts">
              <h3 className="section-title">Conflicts ({conflicts.length})</h3>
              <p className="muted small">These changes of yours were not sent because the same field changed on the web meanwhile. Choose which value to keep.</p>
              <ul className="sync-list">
                {conflicts.map((c) => (
                  <li key={c.id} className="sync-conflict" data-testid="sync-conflict">
                    <div className="sync-conflict-text">{conflictText(c)}</div>
                    <div className="sync-conflict-actions">
                      <button type="button" className="button small" disabled={resolving !== null} onClick={() => void resolve(c, false)}>
                        Keep web value
                      </button>
                      <button type="button" className="button small" disabled={resolving !== null} onClick={() => void resolve(c, true)}>
                        {resolving === c.id && <Loader2 size={12} className="spin" aria-hidden />}
                        Use mine
                      </button>
                    </div>
                    {conflictErrors[c.id] && (
                      <div className="field-error" role="alert">
                        <AlertCircle size={13} aria-hidden /> {conflictErrors[c.id]}
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}

          {issues !== null && issues.length > 0 && (
            <section aria-label="Issues" data-testid="sync-issues">
              <div className="sync-issues-header">
                <h3 className="section-title">Issues ({issues.length})</h3>
                <button type="button" className="button small" data-testid="sync-issues-clear" disabled={clearing} onClick={() => void clearIssues()}>
                  {clearing && <Loader2 size={12} className="spin" aria-hidden />}
                  Clear
                </button>
              </div>
              <ul className="sync-list">
                {issues.map((issue, i) => (
                  <li key={issue.id ?? `${issue.rowId}-${i}`} className="sync-issue" data-testid="sync-issue">
                    <div>
                      <span className={`pill sync-issue-kind ${issue.kind}`}>{issueKindLabel(issue)}</span> {issue.message}
                    </div>
                    <div className="muted small">
                      {issue.table} {issue.rowId} · {formatDateTime(issue.createdAt)}
                    </div>
                  </li>
                ))}
              </ul>
              {issuesError && (
                <div className="field-error" role="alert">
                  <AlertCircle size={13} aria-hidden /> {issuesError}
                </div>
              )}
            </section>
          )}

          {conflicts !== null && issues !== null && conflicts.length === 0 && issues.length === 0 && (
            <p className="muted small" data-testid="sync-nothing-open">
              No conflicts or issues.
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
