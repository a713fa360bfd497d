import { useCallback, useEffect, useRef, useState } from "react";
import type { Backend } from "../../backend";

/** How often the navigation badge re-reads the unread count (it also refreshes after actions). */
export const UNREAD_POLL_MS = 5000;

/** Unread inbound texts for the navigation badge: polled, and refreshed on demand. */
export function useUnreadTexts(backend: Backend): { count: number | null; refresh: () => void } {
  const [count, setCount] = useState<number | null>(null);
  const seq = useRef(0);
  const refresh = useCallback(() => {
    const mine = ++seq.current;
    backend.smsUnreadCount().then(
      (n) => {
        if (mine === seq.current) setCount(n);
      },
      // A failed read keeps the last count; the next poll tries again.
      () => {},
    );
  }, [backend]);
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, UNREAD_POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return { count, refresh };
}
