import { useCallback, useEffect, useRef, useState } from "react";
import type { Backend } from "../../backend";

/** How often the navigation badge re-reads the overdue count (follow-ups fall due as time passes). */
export const OVERDUE_POLL_MS = 60_000;

/** Overdue follow-ups for the navigation badge: polled, and refreshed on demand. */
export function useOverdueFollowUps(backend: Backend): { count: number | null; refresh: () => void } {
  const [count, setCount] = useState<number | null>(null);
  const seq = useRef(0);
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
  return { count, refresh };
}
