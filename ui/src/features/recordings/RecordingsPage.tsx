import { useDispositionOptions } from "../calls/useDispositionOptions";
import { AlertCircle, FileAudio, Loader2, PhoneIncoming, PhoneOutgoing, RefreshCw, Search, Settings as SettingsIcon, X } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { RecordingFile, RecordingGroup, RecordingListItem, RecordingSyncReport } from "../../generated/bindings";
import { formatDateTime, plural } from "../../lib/format";
import { dayStart, dispositionLabel, formatDuration } from "../calls/callText";
import { useDebounced } from "../shell/useDebounced";
import { RecordingPlayer } from "./RecordingPlayer";

/** How far back "Sync from SignalWire" looks, in days. */
export const RECORDINGS_SYNC_DAYS = 30;
export const RECORDINGS_SEARCH_DEBOUNCE_MS = 250;

export type RecordingsCommand = { kind: "focusSearch"; nonce: number };

type Props = {
  active: boolean;
  /** "/" or Ctrl+F on this page: focus the search box. */
  command: RecordingsCommand | null;
  /** Bumps when calls changed elsewhere (wrap-ups, a sync pulled rows): the list re-reads. */
  dataVersion: number;
  onOpenSettings: () => void;
  /** The <audio> src for a downloaded recording (tests and the browser demo pass their own). */
  audioSrc?: (file: RecordingFile) => string | Promise<string>;
};

type SyncState =
  | { state: "idle" }
  | { state: "running" }
  | { state: "done"; report: RecordingSyncReport }
  | { state: "error"; message: string; notConfigured: boolean };

type Selected = { group: RecordingGroup; item: RecordingListItem };

/** What a pull from SignalWire found, in words. */
export function syncSummary(r: RecordingSyncReport): string {
  if (r.seen === 0) return `No recordings at SignalWire in the last ${RECORDINGS_SYNC_DAYS} days.`;
  const parts = [`${plural(r.added, "new recording")}`];
  if (r.unmatched > 0) parts.push(`${plural(r.unmatched, "recording")} of calls not logged on this desktop skipped`);
  return `${plural(r.seen, "recording")} at SignalWire: ${parts.join("; ")}.`;
}

/**
 * The Recordings page: recorded calls grouped by contact (the lead, else the number), the
 * contact with the newest recording first; searchable by lead, number or what was said, and by
 * the call's date. "Sync from SignalWire" pulls the last 30 days. Selecting a recording shows its
 * call and transcription beside the list, with a player.
 */
export function RecordingsPage({ active, command, dataVersion, onOpenSettings, audioSrc }: Props) {
  const backend = useBackend();
  const [text, setText] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const query = useDebounced(text.trim(), RECORDINGS_SEARCH_DEBOUNCE_MS);
  const [groups, setGroups] = useState<RecordingGroup[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const options = useDispositionOptions(active);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [sync, setSync] = useState<SyncState>({ state: "idle" });
  const [reloads, setReloads] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const handled = useRef<number | null>(null);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const found = await backend.recordingsLibrary({ text: query === "" ? null : query, from: dayStart(from), to: dayStart(to, 1), limit: null });
      if (mine !== seq.current) return;
      setGroups(found);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(errorMessage(err));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [backend, query, from, to]);

  const loadedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!active) return;
    const key = JSON.stringify([query, from, to, dataVersion, reloads]);
    if (loadedFor.current === key) return;
    loadedFor.current = key;
    void load();
  }, [active, query, from, to, dataVersion, reloads, load]);

  useEffect(() => {
    if (!command || !active || handled.current === command.nonce) return;
    handled.current = command.nonce;
    searchRef.current?.focus();
    searchRef.current?.select();
  }, [command, active]);

  const runSync = async () => {
    setSync({ state: "running" });
    try {
      const report = await backend.syncRecordings(RECORDINGS_SYNC_DAYS);
      setSync({ state: "done", report });
      if (report.added > 0) setReloads((n) => n + 1);
    } catch (err) {
      const notConfigured = errorCode(err) === "notConfigured";
      setSync({ state: "error", notConfigured, message: notConfigured ? "Set up SignalWire in Settings to pull recordings." : errorMessage(err) });
    }
  };

  let selected: Selected | null = null;
  for (const group of groups ?? []) {
    const item = group.recordings.find((r) => r.recording.id === selectedId);
    if (item) selected = { group, item };
  }
  const count = (groups ?? []).reduce((n, g) => n + g.recordings.length, 0);
  const filtered = query !== "" || from !== "" || to !== "";

  return (
    <div className="page recordings-page">
      <div className="toolbar history-toolbar">
        <h1 className="page-title toolbar-title">Recordings</h1>
        <div className="search-box">
          <Search size={15} aria-hidden className="search-icon" />
          <input
            ref={searchRef}
            type="search"
            data-testid="recordings-search"
            aria-label="Search recordings"
            placeholder="Search lead, number or what was said  (/)"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && text !== "") {
                e.stopPropagation();
                setText("");
              }
            }}
          />
          {text && (
            <button type="button" className="icon-button clear" aria-label="Clear search" onClick={() => setText("")}>
              <X size={14} aria-hidden />
            </button>
          )}
        </div>
        <label className="toolbar-field">
          <span className="muted small">From</span>
          <input type="date" data-testid="recordings-from" aria-label="From date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="toolbar-field">
          <span className="muted small">To</span>
          <input type="date" data-testid="recordings-to" aria-label="To date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </label>
        <div className="toolbar-spacer" />
        <span className="toolbar-count muted" aria-live="polite" data-testid="recordings-count">
          {groups === null ? "" : plural(count, "recording")}
        </span>
        <button type="button" className="button small" data-testid="recordings-sync" disabled={sync.state === "running"} onClick={() => void runSync()}>
          {sync.state === "running" ? <Loader2 size={13} className="spin" aria-hidden /> : <RefreshCw size={13} aria-hidden />} Sync from SignalWire
        </button>
      </div>

      {sync.state === "done" && (
        <div className="notice-box inline recordings-sync-result" role="status" data-testid="recordings-sync-result">
          {syncSummary(sync.report)}
        </div>
      )}
      {sync.state === "error" && (
        <div className="error-box inline" role="alert" data-testid="recordings-sync-error">
          <AlertCircle size={16} aria-hidden /> Could not sync recordings: {sync.message}
          {sync.notConfigured && (
            <button type="button" className="button small" onClick={onOpenSettings}>
              <SettingsIcon size={13} aria-hidden /> Open Settings
            </button>
          )}
        </div>
      )}
      {error && (
        <div className="error-box inline" role="alert" data-testid="recordings-error">
          <AlertCircle size={16} aria-hidden /> Could not load the recordings: {error}
        </div>
      )}

      {groups !== null && groups.length === 0 && !filtered ? (
        <div className="empty-state" data-testid="recordings-empty">
          <FileAudio size={40} aria-hidden />
          <h2>No recordings yet</h2>
          <p>Recorded calls appear here. Sync from SignalWire to pull the last {RECORDINGS_SYNC_DAYS} days.</p>
        </div>
      ) : (
        <div className="recordings-layout">
          <div className="recordings-list" aria-busy={loading}>
            {groups === null && loading && (
              <div className="muted small recordings-loading">
                <Loader2 size={13} className="spin" aria-hidden /> Loading recordings…
              </div>
            )}
            {groups !== null && groups.length === 0 && (
              <div className="no-matches muted" data-testid="recordings-no-matches">
                No recordings match.
              </div>
            )}
            {(groups ?? []).map((g) => (
              <section key={g.leadId ?? g.contactNumber} className="recording-group" data-testid="recording-group" aria-label={g.title}>
                <header className="recording-group-header">
                  <strong data-testid="recording-group-title">{g.title}</strong>
                  {g.leadCompany && <span className="muted"> · {g.leadCompany}</span>}
                  {g.leadId !== null && <span className="muted small recording-group-number">{g.contactDisplay}</span>}
                </header>
                <ul className="recording-items">
                  {g.recordings.map((r) => {
                    const Direction = r.direction === "inbound" ? PhoneIncoming : PhoneOutgoing;
                    const isSelected = r.recording.id === selectedId;
                    return (
                      <li key={r.recording.id}>
                        <button
                          type="button"
                          className={`recording-item${isSelected ? " selected" : ""}`}
                          data-testid="recording-item"
                          data-recording-id={r.recording.id}
                          aria-pressed={isSelected}
                          onClick={() => setSelectedId(r.recording.id)}
                        >
                          <Direction size={14} aria-label={r.direction === "inbound" ? "Inbound" : "Outbound"} className={`direction-${r.direction}`} />
                          <span className="recording-item-date">{formatDateTime(r.callStartedAt)}</span>
                          <span className="recording-item-duration muted">{formatDuration(r.callDurationSeconds)}</span>
                          {r.disposition && <span className="pill">{dispositionLabel(r.disposition, options)}</span>}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            ))}
          </div>
          <aside className="recording-detail" aria-label="Recording" data-testid="recording-detail">
            {selected === null ? (
              <p className="muted">Select a recording to play it and read its transcription.</p>
            ) : (
              <>
                <h2 className="recording-detail-title">
                  {selected.group.title}
                  {selected.group.leadCompany && <span className="muted"> · {selected.group.leadCompany}</span>}
                </h2>
                <dl className="recording-facts">
                  <dt>Number</dt>
                  <dd>{selected.group.contactDisplay}</dd>
                  <dt>Call</dt>
                  <dd data-testid="recording-call-time">
                    {selected.item.direction === "inbound" ? "Inbound" : "Outbound"}, {formatDateTime(selected.item.callStartedAt)}
                  </dd>
                  <dt>Duration</dt>
                  <dd data-testid="recording-call-duration">{formatDuration(selected.item.callDurationSeconds) || "Unknown"}</dd>
                  <dt>Outcome</dt>
                  <dd>{selected.item.disposition ? dispositionLabel(selected.item.disposition, options) : <span className="muted">Not wrapped up</span>}</dd>
                </dl>
                <RecordingPlayer
                  key={selected.item.recording.id}
                  recordingId={selected.item.recording.id}
                  durationSeconds={selected.item.recording.durationSeconds}
                  audioSrc={audioSrc}
                />
                <h3 className="section-title">Transcription</h3>
                <div className="recording-transcription" data-testid="recording-transcription">
                  {selected.item.recording.transcription ?? <span className="muted">No transcription for this recording.</span>}
                </div>
              </>
            )}
          </aside>
        </div>
      )}
    </div>
  );
}
