import { useCallback, useEffect, useRef, useState } from "react";
import type { Backend } from "../../backend";
import type { CallHistoryItem, NextAction } from "../../generated/bindings";

/** What the agent typed into the wrap-up of a call and has not saved yet (kept when the dialog closes). */
export type WrapUpDraft = {
  disposition: string | null;
  notes: string;
  nextAction: NextAction | null;
  /** An <input type="datetime-local"> value. */
  followUp: string;
};

export const EMPTY_DRAFT: WrapUpDraft = { disposition: null, notes: "", nextAction: null, followUp: "" };

export type AwaitingCalls = {
  /** Calls that ended without a disposition, newest first; null until the first answer. */
  calls: CallHistoryItem[] | null;
  /** Re-reads the list; resolves with it (the last known one when the read fails). */
  refresh: () => Promise<CallHistoryItem[]>;
  /** Unsaved wrap-ups by call id: Escape closes the dialog without losing what was typed. */
  drafts: Map<string, WrapUpDraft>;
};

/** The calls still waiting for their wrap-up (the notice in the navigation and the dialog's queue). */
export function useAwaitingCalls(backend: Backend): AwaitingCalls {
  const [calls, setCalls] = useState<CallHistoryItem[] | null>(null);
  const known = useRef<CallHistoryItem[]>([]);
  const seq = useRef(0);
  const drafts = useRef(new Map<string, WrapUpDraft>()).current;

  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const rows = await backend.callsAwaitingDisposition();
      if (mine === seq.current) {
        known.current = rows;
        setCalls(rows);
      }
      return rows;
    } catch {
      // A failed read keeps the last list; the next refresh tries again.
      return known.current;
    }
  }, [backend]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { calls, refresh, drafts };
}
