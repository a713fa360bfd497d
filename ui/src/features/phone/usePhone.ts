import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { errorMessage, type Backend } from "../../backend";
import type { CallNotice, CallPhase } from "../../generated/bindings";

/** The lead a call is with, as the call panel shows it (a ScreenPop for incoming calls). */
export type CallLead = {
  leadId: string;
  name: string;
  company: string | null;
  status: string;
  lastCallAt?: string | null;
  lastNote?: string | null;
};

export type CallQuality = { mos: number | null; lossPercent: number | null; jitterMs: number | null };

/** A call in progress as the UI knows it (from dial() and the `callEvent` notices). */
export type PhoneCall = {
  callId: string;
  callLogId: string;
  direction: "outbound" | "inbound";
  /** The other party's number (null until known). */
  number: string | null;
  displayName: string | null;
  lead: CallLead | null;
  phase: CallPhase;
  /** Rang in and not answered yet: the screen pop shows. */
  ringingIn: boolean;
  /** When it first became active (ms since the epoch); the timer counts from it. */
  activeSince: number | null;
  muted: boolean;
  inputDbfs: number | null;
  quality: CallQuality | null;
  /** The last failed action on this call, shown in its card. */
  error: string | null;
};

export type Registration = { registered: boolean; detail: string };

export type Phone = {
  /** Calls in progress, oldest first. */
  calls: PhoneCall[];
  /** The last registration notice; null before one arrived. */
  registration: Registration | null;
  /** Places a call; rejects with the backend's error (the caller shows it). */
  dial: (to: string, lead: CallLead | null, overrideDnc: boolean) => Promise<void>;
  answer: (callId: string) => Promise<void>;
  reject: (callId: string) => Promise<void>;
  hangUp: (callId: string) => Promise<void>;
  toggleMute: (callId: string) => Promise<void>;
  toggleHold: (callId: string) => Promise<void>;
  sendDtmf: (callId: string, keys: string) => Promise<void>;
  /** Resolves with true when the call was transferred. */
  transfer: (callId: string, to: string) => Promise<boolean>;
  /** Holds the active call and resumes this one. */
  switchTo: (callId: string) => Promise<void>;
  /** The call now belongs to this lead (created from the screen pop). */
  setLead: (callId: string, lead: CallLead) => void;
  /** The call the shortcuts act on: the active one, else the newest connected or dialing one. */
  current: () => PhoneCall | null;
};

export type PhoneHandlers = {
  /** A call ended or failed: it now awaits its wrap-up. */
  onEnded: (callLogId: string, phase: "ended" | "failed", detail: string | null) => void;
};

const CONNECTED: CallPhase[] = ["active", "held"];

export function isConnected(call: PhoneCall): boolean {
  return CONNECTED.includes(call.phase);
}

/** Subscribes once to the softphone's notices and keeps the calls in progress. */
export function usePhone(backend: Backend, handlers: PhoneHandlers): Phone {
  const [calls, setCalls] = useState<PhoneCall[]>([]);
  const [registration, setRegistration] = useState<Registration | null>(null);
  const callsRef = useRef(calls);
  callsRef.current = calls;
  const current = useRef(handlers);
  current.current = handlers;

  const patch = useCallback((callId: string, change: Partial<PhoneCall> | ((c: PhoneCall) => Partial<PhoneCall>)) => {
    setCalls((list) => list.map((c) => (c.callId === callId ? { ...c, ...(typeof change === "function" ? change(c) : change) } : c)));
  }, []);

  /** Adds the call, or merges into the one a notice already created. */
  const upsert = useCallback((call: Partial<PhoneCall> & Pick<PhoneCall, "callId" | "callLogId">) => {
    setCalls((list) => {
      const known = list.find((c) => c.callId === call.callId);
      if (known) return list.map((c) => (c.callId === call.callId ? mergeKnown(c, call) : c));
      const fresh: PhoneCall = {
        direction: "outbound",
        number: null,
        displayName: null,
        lead: null,
        phase: "dialing",
        ringingIn: false,
        activeSince: null,
        muted: false,
        inputDbfs: null,
        quality: null,
        error: null,
        ...call,
      };
      if (fresh.phase === "active") fresh.activeSince = Date.now();
      return [...list, fresh];
    });
  }, []);

  useEffect(() => {
    let closed = false;
    let unsubscribe: (() => void) | null = null;
    const onNotice = (notice: CallNotice) => {
      if (closed) return;
      switch (notice.kind) {
        case "registration":
          setRegistration({ registered: notice.registered, detail: notice.detail });
          break;
        case "incoming":
          upsert({
            callId: notice.callId,
            callLogId: notice.callLogId,
            direction: "inbound",
            number: notice.from,
            displayName: notice.displayName,
            lead: notice.lead,
            phase: "ringing",
            ringingIn: true,
          });
          break;
        case "state":
          if (notice.phase === "ended" || notice.phase === "failed") {
            setCalls((list) => list.filter((c) => c.callId !== notice.callId));
            current.current.onEnded(notice.callLogId, notice.phase, notice.detail);
          } else {
            upsert({ callId: notice.callId, callLogId: notice.callLogId, phase: notice.phase });
          }
          break;
        case "levels":
          patch(notice.callId, { inputDbfs: notice.inputDbfs });
          break;
        case "quality":
          patch(notice.callId, { quality: { mos: notice.mos, lossPercent: notice.lossPercent, jitterMs: notice.jitterMs } });
          break;
      }
    };
    backend.onCall(onNotice).then(
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
  }, [backend, patch, upsert]);

  /** Runs an action on a call; a failure is shown in its card. */
  const run = useCallback(
    async (callId: string, action: () => Promise<unknown>): Promise<boolean> => {
      try {
        await action();
        patch(callId, { error: null });
        return true;
      } catch (err) {
        patch(callId, { error: errorMessage(err) });
        return false;
      }
    },
    [patch],
  );

  const find = (callId: string) => callsRef.current.find((c) => c.callId === callId);

  /** Holds every other active call (before answering or resuming one). */
  const holdOthers = useCallback(
    async (callId: string) => {
      for (const other of callsRef.current) {
        if (other.callId !== callId && other.phase === "active") {
          await run(other.callId, () => backend.holdCall(other.callId, true));
        }
      }
    },
    [backend, run],
  );

  const phone = useMemo<Phone>(
    () => ({
      calls,
      registration,
      dial: async (to, lead, overrideDnc) => {
        await holdOthers("");
        const placed = await backend.dial({ to, leadId: lead?.leadId ?? null, overrideDnc });
        upsert({ callId: placed.callId, callLogId: placed.callLogId, direction: "outbound", number: to, lead });
      },
      answer: async (callId) => {
        await holdOthers(callId);
        if (await run(callId, () => backend.answerCall(callId))) patch(callId, { ringingIn: false });
      },
      reject: async (callId) => {
        await run(callId, () => backend.rejectCall(callId));
      },
      hangUp: async (callId) => {
        await run(callId, () => backend.hangUp(callId));
      },
      toggleMute: async (callId) => {
        const call = find(callId);
        if (!call) return;
        const on = !call.muted;
        if (await run(callId, () => backend.setMute(callId, on))) patch(callId, { muted: on });
      },
      toggleHold: async (callId) => {
        const call = find(callId);
        if (!call) return;
        const hold = call.phase !== "held";
        if (!hold) await holdOthers(callId);
        if (await run(callId, () => backend.holdCall(callId, hold))) patch(callId, { phase: hold ? "held" : "active" });
      },
      sendDtmf: async (callId, keys) => {
        await run(callId, () => backend.sendDtmf(callId, keys));
      },
      transfer: (callId, to) => run(callId, () => backend.transferCall(callId, to)),
      switchTo: async (callId) => {
        await holdOthers(callId);
        if (await run(callId, () => backend.holdCall(callId, false))) patch(callId, { phase: "active" });
      },
      setLead: (callId, lead) => patch(callId, { lead }),
      current: () => {
        const list = callsRef.current.filter((c) => !c.ringingIn);
        return list.find((c) => c.phase === "active") ?? list[list.length - 1] ?? null;
      },
    }),
    [calls, registration, backend, holdOthers, patch, run, upsert],
  );
  return phone;
}

function mergeKnown(known: PhoneCall, update: Partial<PhoneCall>): PhoneCall {
  const next: PhoneCall = { ...known };
  for (const [key, value] of Object.entries(update) as [keyof PhoneCall, unknown][]) {
    // What dial() learned (number, lead) never overwrites a notice's newer phase with "dialing".
    if (value === undefined || (key === "lead" && value === null && known.lead)) continue;
    (next as Record<string, unknown>)[key] = value;
  }
  if (update.phase === "active") {
    next.ringingIn = false;
    if (next.activeSince === null) next.activeSince = Date.now();
  }
  return next;
}

const PhoneContext = createContext<Phone | null>(null);
export const PhoneProvider = PhoneContext.Provider;

/** The softphone; null outside the workspace (pages rendered on their own show no call buttons). */
export function usePhoneContext(): Phone | null {
  return useContext(PhoneContext);
}
