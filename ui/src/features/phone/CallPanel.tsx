import { ArrowLeftRight, Building2, Check, Grid3x3, Headphones, Mic, MicOff, Pause, Phone as PhoneIcon, PhoneForwarded, PhoneOff, Play, Smartphone, UserPlus, UserRound, Voicemail } from "lucide-react";
import { useEffect, useState, type FormEvent, type KeyboardEvent } from "react";
import { errorMessage, useBackend } from "../../backend";
import { formatDateTime } from "../../lib/format";
import { useNumberDisplay } from "./numberDisplay";
import { NO_SETTINGS_CHANGE } from "../../backend/settings";
import { DeviceOptions, useAudioDevices } from "../settings/CallsSettings";
import { isTypingTarget } from "../shell/keys";
import { isConnected, type CallQuality, type Phone, type PhoneCall } from "./usePhone";
import { VoicemailPicker, useVoicemailChoice } from "./VoicemailPicker";

const PHASE_TEXT: Record<PhoneCall["phase"], string> = {
  dialing: "Dialing…",
  ringing: "Ringing…",
  earlyMedia: "Ringing…",
  active: "Connected",
  held: "On hold",
  ended: "Ended",
  failed: "Failed",
};

/** A bridge call's status as SignalWire reports it, for the agent. */
const BRIDGE_STATUS_TEXT: Record<string, string> = {
  queued: "Calling your phone…",
  ringing: "Ringing…",
  "in-progress": "Connected",
  completed: "Ended",
  busy: "Busy",
  failed: "Failed",
  "no-answer": "No answer",
  canceled: "Canceled",
};

function phaseText(call: PhoneCall): string {
  if (call.route === "bridge" && call.bridge) return BRIDGE_STATUS_TEXT[call.bridge.status] ?? call.bridge.status;
  return PHASE_TEXT[call.phase];
}

const DTMF_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const DTMF_CHAR = /^[0-9*#]$/;

export function formatTimer(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** good / fair / poor from the MOS (≥ 4, ≥ 3.5, below). */
export function qualityLevel(mos: number | null): "good" | "fair" | "poor" | null {
  if (mos === null) return null;
  return mos >= 4 ? "good" : mos >= 3.5 ? "fair" : "poor";
}

function qualityTitle(q: CallQuality): string {
  const parts = [`MOS ${q.mos?.toFixed(1) ?? "?"}`];
  if (q.lossPercent !== null) parts.push(`loss ${q.lossPercent.toFixed(1)}%`);
  if (q.jitterMs !== null) parts.push(`jitter ${Math.round(q.jitterMs)} ms`);
  return parts.join(" · ");
}

/** -60 dBFS (silence) … 0 dBFS (full scale) as 0 … 100 %. */
function levelPercent(dbfs: number | null): number {
  if (dbfs === null) return 0;
  return Math.round(Math.max(0, Math.min(1, (dbfs + 60) / 60)) * 100);
}

function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);
  return now;
}

type Props = {
  phone: Phone;
  onOpenLead: (leadId: string) => void;
  /** "Create lead" of an unknown caller: the new-lead dialog with the number. */
  onCreateLead: (call: PhoneCall) => void;
  /** A voicemail was dropped into a call: its outcome is saved (the wrap-up is done). */
  onVoicemailDropped?: (callLogId: string) => void;
};

/** The docked panel: incoming calls (screen pop) and the calls in progress. Not modal. */
export function CallPanel({ phone, onOpenLead, onCreateLead, onVoicemailDropped }: Props) {
  const now = useNow(phone.calls.some((c) => c.activeSince !== null));
  if (phone.calls.length === 0) return null;
  const connected = phone.calls.filter((c) => !c.ringingIn && isConnected(c));
  return (
    <section className="call-panel" aria-label="Calls" data-testid="call-panel">
      {phone.calls.map((call) =>
        call.ringingIn ? (
          <IncomingCard key={call.callId} call={call} phone={phone} onOpenLead={onOpenLead} onCreateLead={onCreateLead} />
        ) : (
          <CallCard
            key={call.callId}
            call={call}
            phone={phone}
            now={now}
            canSwitch={connected.length > 1 && call.phase === "held"}
            onOpenLead={onOpenLead}
            onVoicemailDropped={onVoicemailDropped}
          />
        ),
      )}
    </section>
  );
}

function IncomingCard({ call, phone, onOpenLead, onCreateLead }: { call: PhoneCall; phone: Phone; onOpenLead: Props["onOpenLead"]; onCreateLead: Props["onCreateLead"] }) {
  const number = useNumberDisplay(call.number) ?? "Unknown number";
  const lead = call.lead;
  return (
    <div className="call-card incoming" role="group" aria-label="Incoming call" data-testid="incoming-call">
      <div className="call-card-kicker">Incoming call</div>
      {lead ? (
        <div className="call-who" data-testid="screen-pop">
          <UserRound size={28} aria-hidden className="lead-card-icon" />
          <div className="call-who-text">
            <button type="button" className="link-button call-lead-name" onClick={() => onOpenLead(lead.leadId)}>
              {lead.name}
            </button>
            {lead.company && (
              <div className="muted">
                <Building2 size={12} aria-hidden /> {lead.company}
              </div>
            )}
            <div>
              {lead.status && (
                <>
                  <span className={`pill status-${lead.status.toLowerCase().replace(/[^a-z]/g, "")}`}>{lead.status}</span>{" "}
                </>
              )}
              <span className="muted">{number}</span>
            </div>
            <div className="muted small" data-testid="screen-pop-last-call">
              Last call: {lead.lastCallAt ? formatDateTime(lead.lastCallAt) : "never"}
            </div>
            {lead.lastNote && (
              <div className="call-last-note small" data-testid="screen-pop-last-note">
                “{lead.lastNote}”
              </div>
            )}
          </div>
        </div>
      ) : (
        <div className="call-who" data-testid="screen-pop-unknown">
          <UserRound size={28} aria-hidden className="lead-card-icon" />
          <div className="call-who-text">
            <div className="call-lead-name">Unknown caller</div>
            <div className="muted">{call.displayName ? `${call.displayName} · ${number}` : number}</div>
            <button type="button" className="button small" data-testid="incoming-create-lead" onClick={() => onCreateLead(call)}>
              <UserPlus size={14} aria-hidden /> Create lead
            </button>
          </div>
        </div>
      )}
      {call.error && (
        <div className="call-error" role="alert">
          {call.error}
        </div>
      )}
      <div className="call-actions">
        <button type="button" className="button primary answer" data-testid="incoming-answer" title="Answer (Ctrl+Shift+A)" onClick={() => void phone.answer(call.callId)}>
          <PhoneIcon size={15} aria-hidden /> Answer
        </button>
        <button type="button" className="button danger" data-testid="incoming-reject" onClick={() => void phone.reject(call.callId)}>
          <PhoneOff size={15} aria-hidden /> Reject
        </button>
      </div>
    </div>
  );
}

function CallCard({
  call,
  phone,
  now,
  canSwitch,
  onOpenLead,
  onVoicemailDropped,
}: {
  call: PhoneCall;
  phone: Phone;
  now: number;
  canSwitch: boolean;
  onOpenLead: Props["onOpenLead"];
  onVoicemailDropped: Props["onVoicemailDropped"];
}) {
  const [keypad, setKeypad] = useState(false);
  const [transferOpen, setTransferOpen] = useState(false);
  const [transferTo, setTransferTo] = useState("");
  const [audioOpen, setAudioOpen] = useState(false);
  const bridge = call.route === "bridge";
  const connected = isConnected(call);
  const number = useNumberDisplay(call.number);
  const agentPhone = useNumberDisplay(call.bridge?.agentPhone ?? null);
  const level = qualityLevel(call.quality?.mos ?? null);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
    if (DTMF_CHAR.test(e.key) && call.phase === "active") {
      e.preventDefault();
      void phone.sendDtmf(call.callId, e.key);
    }
  };

  const submitTransfer = async (e: FormEvent) => {
    e.preventDefault();
    if (transferTo.trim() === "") return;
    if (await phone.transfer(call.callId, transferTo.trim())) {
      setTransferOpen(false);
      setTransferTo("");
    }
  };

  return (
    <div
      className={`call-card ${call.phase}${bridge ? " bridge" : ""}`}
      role="group"
      aria-label="Call in progress"
      tabIndex={-1}
      data-testid="call-card"
      data-call-id={call.callId}
      data-route={call.route}
      onKeyDown={onKeyDown}
    >
      {bridge && (
        <div className="call-card-kicker" data-testid="call-route">
          <Smartphone size={12} aria-hidden /> Bridge call{agentPhone ? ` · rings ${agentPhone} first` : ""}
        </div>
      )}
      <div className="call-who">
        <UserRound size={28} aria-hidden className="lead-card-icon" />
        <div className="call-who-text">
          {call.lead ? (
            <>
              <button type="button" className="link-button call-lead-name" data-testid="call-lead-name" onClick={() => onOpenLead(call.lead!.leadId)}>
                {call.lead.name}
              </button>
              {call.lead.company && (
                <div className="muted">
                  <Building2 size={12} aria-hidden /> {call.lead.company}
                </div>
              )}
              <div>
                {call.lead.status && (
                  <>
                    <span className={`pill status-${call.lead.status.toLowerCase().replace(/[^a-z]/g, "")}`}>{call.lead.status}</span>{" "}
                  </>
                )}
                {number && <span className="muted">{number}</span>}
              </div>
            </>
          ) : (
            <div className="call-lead-name" data-testid="call-number">
              {call.displayName ?? number ?? "Unknown number"}
            </div>
          )}
        </div>
        <div className="call-status">
          <div data-testid="call-phase">{phaseText(call)}</div>
          {call.activeSince !== null && (
            <div className="call-timer" data-testid="call-timer" aria-label="Call duration">
              {formatTimer(now - call.activeSince)}
            </div>
          )}
        </div>
      </div>

      {connected && !bridge && (
        <div className="call-meters">
          <div className="level-bar" role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={levelPercent(call.inputDbfs)} data-testid="call-input-level">
            <span style={{ width: `${levelPercent(call.inputDbfs)}%` }} />
          </div>
          {call.quality && level && (
            <span className={`call-quality ${level}`} title={qualityTitle(call.quality)} data-testid="call-quality">
              {level === "good" ? "Good" : level === "fair" ? "Fair" : "Poor"} quality
            </span>
          )}
        </div>
      )}

      {call.error && (
        <div className="call-error" role="alert" data-testid="call-error">
          {call.error}
        </div>
      )}

      {bridge ? (
        <div className="call-actions">
          <button type="button" className="button small danger" data-testid="call-hangup" title="Hang up (Ctrl+Shift+H)" onClick={() => void phone.hangUp(call.callId)}>
            <PhoneOff size={14} aria-hidden /> Hang up
          </button>
        </div>
      ) : (
        <div className="call-actions">
          {canSwitch && (
            <button type="button" className="button small" data-testid="call-switch" onClick={() => void phone.switchTo(call.callId)}>
              <ArrowLeftRight size={14} aria-hidden /> Switch
            </button>
          )}
          <button type="button" className="button small" data-testid="call-mute" aria-pressed={call.muted} disabled={!connected} title="Mute (Ctrl+Shift+M)" onClick={() => void phone.toggleMute(call.callId)}>
            {call.muted ? <MicOff size={14} aria-hidden /> : <Mic size={14} aria-hidden />} {call.muted ? "Unmute" : "Mute"}
          </button>
          <button type="button" className="button small" data-testid="call-hold" aria-pressed={call.phase === "held"} disabled={!connected} title="Hold (Ctrl+Shift+O)" onClick={() => void phone.toggleHold(call.callId)}>
            {call.phase === "held" ? <Play size={14} aria-hidden /> : <Pause size={14} aria-hidden />} {call.phase === "held" ? "Resume" : "Hold"}
          </button>
          <button type="button" className="button small" data-testid="call-keypad" aria-expanded={keypad} disabled={!connected} onClick={() => setKeypad((k) => !k)}>
            <Grid3x3 size={14} aria-hidden /> Keypad
          </button>
          <button type="button" className="button small" data-testid="call-transfer" aria-expanded={transferOpen} disabled={!connected} onClick={() => setTransferOpen((t) => !t)}>
            <PhoneForwarded size={14} aria-hidden /> Transfer
          </button>
          <button type="button" className="button small" data-testid="call-audio" aria-expanded={audioOpen} title="Microphone and speaker" onClick={() => setAudioOpen((o) => !o)}>
            <Headphones size={14} aria-hidden /> Audio
          </button>
          <button type="button" className="button small danger" data-testid="call-hangup" title="Hang up (Ctrl+Shift+H)" onClick={() => void phone.hangUp(call.callId)}>
            <PhoneOff size={14} aria-hidden /> Hang up
          </button>
        </div>
      )}

      {call.voicemail !== null ? (
        <div className="muted small" role="status" data-testid="call-voicemail-dropped">
          Leaving “{call.voicemail}”: the call ends by itself when it has played.
        </div>
      ) : (
        connected && !call.ringingIn && <DropVoicemail phone={phone} callLogId={call.callLogId} onDropped={onVoicemailDropped} />
      )}

      {audioOpen && !bridge && <AudioPickers />}

      {keypad && connected && (
        <div className="call-keypad" role="group" aria-label="Send keys">
          {DTMF_KEYS.map((k) => (
            <button key={k} type="button" className="keypad-key small" data-testid={`dtmf-${k}`} disabled={call.phase !== "active"} onClick={() => void phone.sendDtmf(call.callId, k)}>
              {k}
            </button>
          ))}
        </div>
      )}

      {transferOpen && connected && (
        <form className="call-transfer" onSubmit={(e) => void submitTransfer(e)}>
          <input aria-label="Transfer to number" data-testid="transfer-input" inputMode="tel" placeholder="Number to transfer to" value={transferTo} onChange={(e) => setTransferTo(e.target.value)} />
          <button type="submit" className="button small primary" data-testid="transfer-submit" disabled={transferTo.trim() === ""}>
            Transfer
          </button>
        </form>
      )}
    </div>
  );
}

type PickerState = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; message: string };

/** Microphone and speaker of the softphone, saved to Settings; the softphone switches the running calls to them at once. */
function AudioPickers() {
  const backend = useBackend();
  const audio = useAudioDevices();
  const [input, setInput] = useState<string | null>(null);
  const [output, setOutput] = useState<string | null>(null);
  const [state, setState] = useState<PickerState>({ kind: "idle" });

  useEffect(() => {
    let stale = false;
    backend.getSettings().then(
      (s) => {
        if (stale) return;
        setInput(s.audioInput);
        setOutput(s.audioOutput);
      },
      (err) => !stale && setState({ kind: "error", message: errorMessage(err) }),
    );
    return () => {
      stale = true;
    };
  }, [backend]);

  const save = async (change: { audioInput?: string; audioOutput?: string }) => {
    setState({ kind: "saving" });
    try {
      const next = await backend.updateSettings({ ...NO_SETTINGS_CHANGE, ...change });
      setInput(next.audioInput);
      setOutput(next.audioOutput);
      setState({ kind: "saved" });
    } catch (err) {
      setState({ kind: "error", message: errorMessage(err) });
    }
  };

  const loading = audio.loading || input === null || output === null;
  return (
    <div className="call-audio" role="group" aria-label="Audio devices" data-testid="call-audio-pickers">
      <label>
        <Mic size={13} aria-hidden />
        <select data-testid="call-audio-input" aria-label="Microphone" value={input ?? ""} disabled={loading || state.kind === "saving"} onChange={(e) => void save({ audioInput: e.target.value })}>
          <DeviceOptions devices={audio.devices} kind="input" saved={input ?? ""} />
        </select>
      </label>
      <label>
        <Headphones size={13} aria-hidden />
        <select data-testid="call-audio-output" aria-label="Speaker" value={output ?? ""} disabled={loading || state.kind === "saving"} onChange={(e) => void save({ audioOutput: e.target.value })}>
          <DeviceOptions devices={audio.devices} kind="output" saved={output ?? ""} />
        </select>
      </label>
      <span className="muted small" aria-live="polite" data-testid="call-audio-status">
        {state.kind === "saved" ? (
          <>
            <Check size={12} aria-hidden /> Switched — this call and the next ones.
          </>
        ) : state.kind === "error" ? (
          <span className="field-error" role="alert">
            {state.message}
          </span>
        ) : (
          "A change applies to this call at once."
        )}
      </span>
    </div>
  );
}

/**
 * Voicemail drop for a connected call: plays the chosen message into it and frees the agent at
 * once (the call hangs up by itself once the message played; "left voicemail" is saved).
 */
function DropVoicemail({ phone, callLogId, onDropped }: { phone: Phone; callLogId: string; onDropped?: (callLogId: string) => void }) {
  const { messages, chosen, setChosen, message } = useVoicemailChoice();
  const [state, setState] = useState<{ kind: "idle" } | { kind: "busy" } | { kind: "error"; message: string }>({ kind: "idle" });

  if (!messages || !message) return null;
  const drop = async () => {
    setState({ kind: "busy" });
    try {
      await phone.dropVoicemail(callLogId, message);
      setState({ kind: "idle" });
      onDropped?.(callLogId);
    } catch (err) {
      setState({ kind: "error", message: errorMessage(err) });
    }
  };
  return (
    <div className="drop-voicemail" role="group" aria-label="Voicemail drop">
      <VoicemailPicker messages={messages} chosen={chosen} onChoose={setChosen} label="Voicemail message" testId="call-voicemail-message" />
      <button type="button" className="button small" data-testid="call-voicemail-drop" disabled={state.kind === "busy"} onClick={() => void drop()}>
        <Voicemail size={14} aria-hidden /> Drop voicemail
      </button>
      {state.kind === "error" && (
        <span className="field-error" role="alert" data-testid="call-voicemail-error">
          {state.message}
        </span>
      )}
    </div>
  );
}
