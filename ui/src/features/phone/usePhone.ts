import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { errorMessage, type Backend } from "../../backend";
import type { BridgeCallInfo, CallNotice, CallPhase, CallRoute, PlacedCall } from "../../generated/bindings";

/** How often a bridge call's status is polled (it has no softphone events); tests shorten it. */
export const bridgePolling = { intervalMs: 1000 };

/** SignalWire's final statuses of a bridge call. */
const BRIDGE_FINAL = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

/** What a bridge call's final status means for the agent (null: it ended normally). */
const BRIDGE_END_DETAIL: Record<string, string> = {
  busy: "the line was busy",
  failed: "SignalWire could not connect it",
  "no-answer": "nobody answered",
};

/** Where a bridge call is, as a call phase (its own status is shown too). */
function bridgePhase(status: string): CallPhase {
  if (status === "in-progress") return "active";
  if (status === "ringing") return "ringing";
  if (BRIDGE_FINAL.has(status)) return status === "completed" || status === "canceled" ? "ended" : "failed";
  return "dialing";
}

/** The lead a call is with, as the call panel shows it (a ScreenPop for incoming calls). */
export type CallLead = {
  leadId: string;
  name: string;
  company: string | null;
  /** null when the caller does not know it (a follow-up or history row): placeCall checks Do Not Call. */
  status: string | null;
  lastCallAt?: string | null;
  lastNote?: string | null;
};

export type CallQuality = { mos: number | null; lossPercent: number | null; jitterMs: number | null };

/** A call in progress as the UI knows it (from dial() and the `callEvent` notices). */
export type PhoneCall = {
  /** The softphone's call id; for a bridge call, SignalWire's call sid. */
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
  /** How it is carried: the softphone (events, all controls) or a bridge call (polled; hang up only). */
  route: CallRoute;
  /** A bridge call as SignalWire last reported it; null for softphone calls. */
  bridge: BridgeCallInfo | null;
  /** The voicemail message being left in this call (the agent is free; it hangs up by itself). */
  voicemail: string | null;
};

/** What a call placed from a button or the dialer may override (null: Settings' default). */
export type PlaceOptions = {
  overrideDnc: boolean;
  route?: CallRoute | null;
  callerId?: string | null;
  /** Record the call (bridge route only; absent: not recorded). */
  record?: boolean;
};

export type Registration = { registered: boolean; detail: string };

export type Phone = {
  /** Calls in progress, oldest first. */
  calls: PhoneCall[];
  /** The last registration notice; null before one arrived. */
  registration: Registration | null;
  /**
   * Places a call over the route in `options`, else Settings' default route (placeCall); rejects
   * with the backend's error (the caller shows it).
   */
  place: (to: string, lead: CallLead | null, options: PlaceOptions) => Promise<void>;
  /** Takes a call the core placed itself (a campaign's session), as if `place` had placed it. */
  adopt: (placed: PlacedCall, to: string, lead: CallLead | null) => void;
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
  /**
   * Plays a voicemail message into the call (dropVoicemail) and marks the call as leaving it,
   * wherever the drop was asked (the call card, a session's V); rejects with the backend's error.
   */
  dropVoicemail: (callLogId: string, message: { id: string; name: string }) => Promise<void>;
  /** The call now belongs to this lead (created from the screen pop). */
  setLead: (callId: string, lead: CallLead) => void;
  /** The call the shortcuts act on: the active one, else the newest connected or dialing one. */
  current: () => PhoneCall | null;
};

export type PhoneHandlers = {
  /** A call ended or failed: it now awaits its wrap-up. */
  onEnded: (callLogId: string, phase: "ended" | "failed", detail: string | null) => void;
  /** An incoming call ended before anyone answered it (the agent did not reject it). */
  onMissed?: (call: PhoneCall) => void;
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
  /** Incoming calls the agent rejected (not missed). */
  const rejected = useRef(new Set<string>());

  const patch = useCallback((callId: string, change: Partial<PhoneCall> | ((c: PhoneCall) => Partial<PhoneCall>)) => {
    setCalls((list) => list.map((c) => (c.callId === callId ? { ...c, ...(typeof change === "function" ? change(c) : change) } : c)));
  }, []);

  /** Calls whose end was reported: a call that failed at once (a busy line's 486) can end before
   * the answer that placed it arrives, and must not come back as "Dialing…" when it does. */
  const endedCalls = useRef(new Set<string>());

  /** Adds the call, or merges into the one a notice already created. */
  const upsert = useCallback((call: Partial<PhoneCall> & Pick<PhoneCall, "callId" | "callLogId">) => {
    if (endedCalls.current.has(call.callId)) return;
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
        route: "softphone",
        bridge: null,
        voicemail: null,
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
            const ended = callsRef.current.find((c) => c.callId === notice.callId);
            if (ended?.ringingIn && ended.direction === "inbound" && !rejected.current.delete(notice.callId)) current.current.onMissed?.(ended);
            endedCalls.current.add(notice.callId);
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
        if (closed) {
          off();
          return;
        }
        unsubscribe = off;
        // The line may have registered before this window listened (a restart): ask once.
        backend.phoneRegistration().then(
          (notice) => {
            if (notice?.kind === "registration") setRegistration((now) => now ?? { registered: notice.registered, detail: notice.detail });
          },
          () => {},
        );
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

  /** Bridge calls whose end was reported already (a poll and Hang up may both see it). */
  const endedBridges = useRef(new Set<string>());
  /** Each call's keypad keys in flight: a key is sent once the one before it was, so keys typed
   * fast reach the other party in the order typed (the core answers commands concurrently). */
  const dtmfQueue = useRef(new Map<string, Promise<unknown>>());

  /** Takes what SignalWire reports about a bridge call: its phase, or its end (then the wrap-up). */
  const applyBridge = useCallback(
    (info: BridgeCallInfo, callLogId: string) => {
      const phase = bridgePhase(info.status);
      if (phase === "ended" || phase === "failed") {
        if (endedBridges.current.has(info.sid)) return;
        endedBridges.current.add(info.sid);
        setCalls((list) => list.filter((c) => c.callId !== info.sid));
        current.current.onEnded(info.callLogId ?? callLogId, phase, BRIDGE_END_DETAIL[info.status] ?? null);
      } else {
        upsert({ callId: info.sid, callLogId: info.callLogId ?? callLogId, phase, bridge: info, error: null });
      }
    },
    [upsert],
  );

  // Bridge calls have no softphone events: their status is polled until it is final.
  const bridgeSids = calls
    .filter((c) => c.route === "bridge")
    .map((c) => c.callId)
    .join(" ");
  useEffect(() => {
    if (bridgeSids === "") return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const poll = async () => {
      for (const sid of bridgeSids.split(" ")) {
        const known = callsRef.current.find((c) => c.callId === sid);
        if (stopped || !known) continue;
        try {
          const info = await backend.bridgeCallStatus(sid);
          if (!stopped) applyBridge(info, known.callLogId);
        } catch (err) {
          if (!stopped) patch(sid, { error: `Could not read the call's status: ${errorMessage(err)}` });
        }
      }
      if (!stopped) timer = setTimeout(() => void poll(), bridgePolling.intervalMs);
    };
    timer = setTimeout(() => void poll(), bridgePolling.intervalMs);
    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    };
  }, [backend, bridgeSids, applyBridge, patch]);

  /** Holds every other active softphone call (before answering or resuming one). */
  const holdOthers = useCallback(
    async (callId: string) => {
      for (const other of callsRef.current) {
        if (other.callId !== callId && other.phase === "active" && other.route === "softphone") {
          await run(other.callId, () => backend.holdCall(other.callId, true));
        }
      }
    },
    [backend, run],
  );

  const adoptCall = useCallback(
    (placed: PlacedCall, to: string, lead: CallLead | null) => {
      if (placed.bridge) {
        const bridge = placed.bridge;
        upsert({ callId: bridge.sid, callLogId: placed.callLogId, direction: "outbound", number: to, lead, route: "bridge", bridge, phase: "dialing" });
        if (bridgePhase(bridge.status) !== "dialing") applyBridge(bridge, placed.callLogId);
      } else if (placed.callId !== null) {
        upsert({ callId: placed.callId, callLogId: placed.callLogId, direction: "outbound", number: to, lead });
      }
    },
    [upsert, applyBridge],
  );

  const phone = useMemo<Phone>(
    () => ({
      calls,
      registration,
      place: async (to, lead, options) => {
        await holdOthers("");
        const placed = await backend.placeCall({
          to,
          leadId: lead?.leadId ?? null,
          overrideDnc: options.overrideDnc,
          route: options.route ?? null,
          callerId: options.callerId ?? null,
          record: options.record ?? false,
        });
        adoptCall(placed, to, lead);
      },
      adopt: (placed, to, lead) => adoptCall(placed, to, lead),
      answer: async (callId) => {
        await holdOthers(callId);
        if (await run(callId, () => backend.answerCall(callId))) patch(callId, { ringingIn: false });
      },
      reject: async (callId) => {
        rejected.current.add(callId);
        if (!(await run(callId, () => backend.rejectCall(callId)))) rejected.current.delete(callId);
      },
      hangUp: async (callId) => {
        const call = find(callId);
        if (call?.route === "bridge") {
          try {
            applyBridge(await backend.hangUpBridgeCall(callId), call.callLogId);
          } catch (err) {
            patch(callId, { error: errorMessage(err) });
          }
          return;
        }
        await run(callId, () => backend.hangUp(callId));
      },
      toggleMute: async (callId) => {
        const call = find(callId);
        if (!call || call.route === "bridge") return;
        const on = !call.muted;
        if (await run(callId, () => backend.setMute(callId, on))) patch(callId, { muted: on });
      },
      toggleHold: async (callId) => {
        const call = find(callId);
        if (!call || call.route === "bridge") return;
        const hold = call.phase !== "held";
        if (!hold) await holdOthers(callId);
        if (await run(callId, () => backend.holdCall(callId, hold))) patch(callId, { phase: hold ? "held" : "active" });
      },
      sendDtmf: async (callId, keys) => {
        const queued = (dtmfQueue.current.get(callId) ?? Promise.resolve()).then(() => run(callId, () => backend.sendDtmf(callId, keys)));
        dtmfQueue.current.set(callId, queued);
        await queued;
        if (dtmfQueue.current.get(callId) === queued) dtmfQueue.current.delete(callId);
      },
      transfer: (callId, to) => run(callId, () => backend.transferCall(callId, to)),
      switchTo: async (callId) => {
        await holdOthers(callId);
        if (await run(callId, () => backend.holdCall(callId, false))) patch(callId, { phase: "active" });
      },
      dropVoicemail: async (callLogId, message) => {
        await backend.dropVoicemail(callLogId, message.id);
        const call = callsRef.current.find((c) => c.callLogId === callLogId);
        if (call) patch(call.callId, { voicemail: message.name });
      },
      setLead: (callId, lead) => patch(callId, { lead }),
      current: () => {
        const list = callsRef.current.filter((c) => !c.ringingIn);
        return list.find((c) => c.phase === "active") ?? list[list.length - 1] ?? null;
      },
    }),
    [calls, registration, backend, holdOthers, patch, run, upsert, applyBridge, adoptCall],
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
