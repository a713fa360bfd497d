import { CloudAlert, CloudCheck, CloudOff, CloudSync, type LucideIcon } from "lucide-react";
import type { SyncState, SyncStatus } from "../../generated/bindings";
import { indicatorText, progressPercent } from "./syncText";

const ICONS: Record<SyncState, LucideIcon> = {
  synced: CloudCheck,
  syncing: CloudSync,
  offline: CloudOff,
  error: CloudAlert,
  off: CloudOff,
};

type Props = {
  /** null until the sync service reported: nothing is shown. */
  status: SyncStatus | null;
  /** Sync now was pressed and has not answered yet (shown as syncing even before the first notice). */
  running: boolean;
  /** The sync panel is open. */
  expanded: boolean;
  onOpen: () => void;
};

/**
 * The navigation's sync indicator: Synced / Syncing… (with a thin progress bar) / Offline · N
 * pending / Sync error / Sync off, the details as tooltip, open conflicts as a badge. Opens the
 * sync panel.
 */
export function SyncIndicator({ status, running, expanded, onOpen }: Props) {
  if (status === null) return null;
  const shown: SyncStatus = running && status.state !== "syncing" ? { ...status, state: "syncing", progress: null } : status;
  const { label, title } = indicatorText(shown);
  const Icon = ICONS[shown.state];
  const percent = shown.state === "syncing" ? progressPercent(shown) : null;
  return (
    <button
      type="button"
      className={`sync-indicator sync-${shown.state}`}
      data-testid="sync-indicator"
      data-state={shown.state}
      title={title}
      aria-haspopup="dialog"
      aria-expanded={expanded}
      onClick={onOpen}
    >
      <span className="sync-indicator-row">
        <Icon size={16} aria-hidden className={shown.state === "syncing" ? "sync-icon pulse" : "sync-icon"} />
        <span className="nav-label sync-label" data-testid="sync-label">
          {label}
        </span>
        {status.conflicts > 0 && (
          <span className="badge badge-warn" data-testid="sync-conflict-count" aria-label={`${status.conflicts} sync conflicts`}>
            {status.conflicts}
          </span>
        )}
      </span>
      {shown.state === "syncing" && (
        <span
          className={`sync-progress${percent === null ? " indeterminate" : ""}`}
          role="progressbar"
          aria-label="Sync progress"
          aria-valuemin={percent === null ? undefined : 0}
          aria-valuemax={percent === null ? undefined : 100}
          aria-valuenow={percent === null ? undefined : Math.round(percent)}
          data-testid="sync-progress"
        >
          <span className="sync-progress-bar" data-testid="sync-progress-bar" style={percent === null ? undefined : { width: `${percent}%` }} />
        </span>
      )}
    </button>
  );
}
