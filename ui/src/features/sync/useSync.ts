import { useCallback, useEffect, useRef, useState } from "react";
import { errorCode, errorMessage, type Backend } from "../../backend";
import type { ErrorCode, SyncStatus } from "../../generated/bindings";
import { syncReportSummary } from "./syncText";

/**
 * While a large pull runs, the Rust side reports changed rows with every progress step: the pages
 * re-read at most this often (the first at once, the last always).
 */
export const SYNC_REFRESH_MS = 1000;
/** How long Sync now's result stays on screen. */
export const SYNC_REPORT_MS = 8000;

export type SyncRun =
  | { state: "idle" }
  | { state: "running" }
  | { state: "done"; text: string }
  | { state: "error"; code: ErrorCode | null; message: string };

export type TeamSync = {
  /** The last status the backend reported; null until it did. */
  status: SyncStatus | null;
  /** Sync now, as the agent started it (panel button or shortcut). */
  run: SyncRun;
  /** Runs one cycle (a second call while one runs joins it); resolves with how it ended. */
  syncNow: () => Promise<SyncRun>;
  /** Counts changed here (a conflict resolved, issues cleared) before the backend's next notice. */
  patchStatus: (patch: Partial<SyncStatus>) => void;
  /** Local data changed (a conflict resolved with the agent's value): the pages re-read. */
  refreshData: () => void;
};

/**
 * Subscribes once to the sync notices and asks for the status the service already reported.
 * `onDataChanged` runs when pulled rows changed what the pages show (`changed: true` only),
 * throttled to SYNC_REFRESH_MS; it may change on every render.
 */
export function useSync(backend: Backend, onDataChanged: () => void): TeamSync {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [run, setRun] = useState<SyncRun>({ state: "idle" });
  const handler = useRef(onDataChanged);
  handler.current = onDataChanged;
  /** False once unmounted: late answers of Sync now are dropped. */
  const mounted = useRef(true);
  const lastRefresh = useRef(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reportTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<SyncRun> | null>(null);

  const refreshData = useCallback(() => {
    if (refreshTimer.current !== null) return; // a refresh is already due: it will see these rows too
    const wait = lastRefresh.current + SYNC_REFRESH_MS - Date.now();
    const fire = () => {
      refreshTimer.current = null;
      lastRefresh.current = Date.now();
      if (mounted.current) handler.current();
    };
    if (wait <= 0) fire();
    else refreshTimer.current = setTimeout(fire, wait);
  }, []);

  useEffect(() => {
    // Per subscription (not the ref): a StrictMode remount must not revive the first one.
    let closed = false;
    mounted.current = true;
    let unsubscribe: (() => void) | null = null;
    backend
      .onSync((notice) => {
        if (closed) return;
        setStatus(notice.status);
        if (notice.changed) refreshData();
      })
      .then(
        (off) => {
          if (closed) {
            off();
            return;
          }
          unsubscribe = off;
          // The service may have reported before this subscription: ask for where it stands.
          backend.syncStatus().then(
            (s) => !closed && setStatus((known) => known ?? s),
            () => {},
          );
        },
        // No notices (the event system is unavailable): Sync now still reports.
        () => {},
      );
    return () => {
      closed = true;
      mounted.current = false;
      unsubscribe?.();
      if (refreshTimer.current !== null) clearTimeout(refreshTimer.current);
      if (reportTimer.current !== null) clearTimeout(reportTimer.current);
      refreshTimer.current = null;
      reportTimer.current = null;
    };
  }, [backend, refreshData]);

  const syncNow = useCallback(() => {
    if (inFlight.current) return inFlight.current;
    if (reportTimer.current !== null) clearTimeout(reportTimer.current);
    reportTimer.current = null;
    setRun({ state: "running" });
    const running = (async (): Promise<SyncRun> => {
      let outcome: SyncRun;
      try {
        const report = await backend.syncNow();
        outcome = { state: "done", text: syncReportSummary(report) };
      } catch (err) {
        outcome = { state: "error", code: errorCode(err), message: errorMessage(err) };
      }
      inFlight.current = null;
      if (!mounted.current) return outcome;
      setRun(outcome);
      if (outcome.state === "done") {
        reportTimer.current = setTimeout(() => {
          reportTimer.current = null;
          if (mounted.current) setRun((r) => (r.state === "done" ? { state: "idle" } : r));
        }, SYNC_REPORT_MS);
      }
      // Where it stands now, in case a notice was missed.
      backend.syncStatus().then(
        (s) => mounted.current && setStatus(s),
        () => {},
      );
      return outcome;
    })();
    inFlight.current = running;
    return running;
  }, [backend]);

  const patchStatus = useCallback((patch: Partial<SyncStatus>) => setStatus((s) => (s ? { ...s, ...patch } : s)), []);

  return { status, run, syncNow, patchStatus, refreshData };
}
