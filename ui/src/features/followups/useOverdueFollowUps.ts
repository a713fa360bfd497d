import { useCallback, useEffect, useRef, useState } from "react";
import type { Backend } from "../../backend";

/** How often the navigation badge re-reads the overdue count (follow-ups fall due as time passes). */
export const OVERDUE_POLL_MS = 60_000;

/**
 * Overdue follow-ups for the navigation badge: kept current by the reminder events (the count they
 * carry), polled as a fallback, and refreshed on demand. `onNewlyDue` hears of follow-ups that just
 * fell due (the Follow-ups page re-reads).
 */
export function useOverdueFollowUps(backend: Backend, onNewlyDue?: (ids: string[]) => void): { count: number | null; refresh: () => void } {
  const [count, setCount] = useState<number | null>(null);
  const seq = useRef(0);
  const newlyDue = useRef(onNewlyDue);
  newlyDue.current = onNewlyDue;
  const refresh = useCallback(() => {
    const mine = ++seq.current;
    backend.followUps().then(
      (f) => {
        if (mine === seq.current) setCount(f.overdue.length);
      },
      // A failed read keeps the last count; the next poll tries again.
      () => {},
    );
  }, [backend]);
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, OVERDUE_POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  useEffect(() => {
    let closed = false;
    let unsubscribe: (() => void) | null = null;
    backend
      .onReminder((notice) => {
        if (closed) return;
        // The event's count is newer than any read in flight.
        seq.current++;
        setCount(notice.overdue);
        if (notice.newlyDue.length > 0) newlyDue.current?.(notice.newlyDue);
      })
      .then(
        (off) => {
          if (closed) off();
          else unsubscribe = off;
        },
        () => {},
      );
    return () => {
      closed = true;
      unsubscribe?.();
    };
  }, [backend]);
  return { count, refresh };
}
