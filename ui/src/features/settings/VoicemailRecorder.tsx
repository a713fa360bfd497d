import { Check, Loader2, Mic, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { errorField, errorMessage, useBackend } from "../../backend";
import type { VoicemailMessage } from "../../generated/bindings";
import { formatSeconds } from "../../lib/format";

type Props = {
  /** The name the message is kept under. */
  name: string;
  onKept: (message: VoicemailMessage) => void;
  onError: (message: string, field: string | null) => void;
};

/** dBFS (-60…0) as a 0–100 % meter. */
function meter(dbfs: number): number {
  return Math.max(0, Math.min(100, ((dbfs + 60) / 60) * 100));
}

/**
 * Records a voicemail message with the microphone in Settings (the core records; the window
 * shows the level and the time, at most 120 s), then keeps it under `name` or throws it away.
 */
export function VoicemailRecorder({ name, onKept, onError }: Props) {
  const backend = useBackend();
  const [state, setState] = useState<"idle" | "recording" | "stopped" | "saving">("idle");
  const [level, setLevel] = useState(-100);
  const [seconds, setSeconds] = useState(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    let unlisten: (() => void) | null = null;
    let gone = false;
    void backend
      .onVoicemailLevel((l) => {
        if (stateRef.current !== "recording") return;
        setLevel(l.levelDbfs ?? -100);
        setSeconds(l.seconds ?? 0);
        if (l.stopped) setState("stopped");
      })
      .then((u) => (gone ? u() : (unlisten = u)));
    return () => {
      gone = true;
      unlisten?.();
    };
  }, [backend]);

  // Leaving Settings mid-recording throws the recording away.
  useEffect(
    () => () => {
      if (stateRef.current === "recording" || stateRef.current === "stopped") void backend.stopVoicemailRecording(null).catch(() => undefined);
    },
    [backend],
  );

  const start = async () => {
    try {
      setSeconds(0);
      setLevel(-100);
      setState("recording");
      await backend.startVoicemailRecording();
    } catch (err) {
      setState("idle");
      onError(errorMessage(err), null);
    }
  };

  const finish = async (keep: boolean) => {
    setState("saving");
    try {
      const kept = await backend.stopVoicemailRecording(keep ? name : null);
      setState("idle");
      if (kept) onKept(kept);
    } catch (err) {
      setState("idle");
      onError(errorMessage(err), errorField(err));
    }
  };

  if (state === "idle") {
    return (
      <button type="button" className="button" data-testid="voicemail-record" onClick={() => void start()}>
        <Mic size={14} aria-hidden /> Record
      </button>
    );
  }
  return (
    <div className="voicemail-recorder" data-testid="voicemail-recorder" role="group" aria-label="Recording">
      <div className="level-meter" role="meter" aria-label="Microphone level" aria-valuemin={-60} aria-valuemax={0} aria-valuenow={Math.round(level)}>
        <div className="level-meter-bar" style={{ width: `${meter(level)}%` }} />
      </div>
      <span className="small" data-testid="voicemail-recorded-seconds">
        {formatSeconds(seconds)} / 2:00{state === "stopped" ? " (stopped)" : ""}
      </span>
      <button type="button" className="button small primary" data-testid="voicemail-keep" disabled={state === "saving"} onClick={() => void finish(true)}>
        {state === "saving" ? <Loader2 size={13} className="spin" aria-hidden /> : <Check size={13} aria-hidden />} Stop and keep
      </button>
      <button type="button" className="button small" data-testid="voicemail-discard" disabled={state === "saving"} onClick={() => void finish(false)}>
        <X size={13} aria-hidden /> Discard
      </button>
    </div>
  );
}
