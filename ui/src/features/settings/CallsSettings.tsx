import { NO_SETTINGS_CHANGE } from "../../backend/settings";
import { AlertCircle, AlertTriangle, Check, Loader2 } from "lucide-react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { errorCode, errorField, errorMessage, useBackend } from "../../backend";
import type { AudioDevice, CallRoute, OwnedNumberInfo, Settings } from "../../generated/bindings";


export const LINKS_AUTODIAL_WARNING =
  "Any web page or e-mail can then make Ringdesk call a number the moment you click its link. Leave this off unless you only click links you trust.";

type Field = "callerId" | "agentPhone" | "audioInput" | "audioOutput" | "conversationSeconds";
type State =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved" }
  | { kind: "error"; message: string; field: Field | null };

/** What making softphone calls show the saved caller ID came to (after a save that changed it). */
type SoftphoneState =
  | { kind: "idle" }
  | { kind: "applying" }
  | { kind: "applied"; sendAs: string | null }
  /** The SIP line is not a SignalWire SIP endpoint: its provider sets the caller ID (not an error). */
  | { kind: "notSignalwire"; message: string }
  | { kind: "error"; message: string };

/** SignalWire is set up and there is a SIP username: softphone calls may go through a SignalWire SIP endpoint. */
function softphoneMayUseSignalwire(s: Settings): boolean {
  return s.signalwireSpace !== "" && s.signalwireProjectId !== "" && s.signalwireApiTokenSet && s.sipUsername.trim() !== "";
}

function SoftphoneCallerIdOutcome({ state }: { state: SoftphoneState }) {
  switch (state.kind) {
    case "idle":
      return null;
    case "applying":
      return (
        <div className="hint" role="status" data-testid="settings-softphone-caller-id">
          <Loader2 size={12} className="spin" aria-hidden /> Setting the softphone's caller ID…
        </div>
      );
    case "applied":
      return (
        <div className="hint" role="status" data-testid="settings-softphone-caller-id">
          {state.sendAs === null ? "Softphone calls use SignalWire's automatic caller ID." : `Softphone calls show ${state.sendAs} too.`}
        </div>
      );
    case "notSignalwire":
      return (
        <div className="hint" role="status" data-testid="settings-softphone-caller-id">
          {state.message}
        </div>
      );
    case "error":
      return (
        <span className="field-error" role="alert" data-testid="settings-softphone-caller-id">
          <AlertCircle size={14} aria-hidden /> Could not set the softphone's caller ID: {state.message}
        </span>
      );
  }
}

const FIELDS: readonly Field[] = ["callerId", "agentPhone", "audioInput", "audioOutput", "conversationSeconds"];

/** The section's field the core named in a refusal, if it is one of ours. */
function fieldOf(err: unknown): Field | null {
  const field = errorField(err);
  return FIELDS.find((f) => f === field) ?? null;
}

function FieldError({ state, field }: { state: State; field: Field }) {
  if (state.kind !== "error" || state.field !== field) return null;
  return (
    <span className="field-error" role="alert" data-testid={`settings-calls-error-${field}`}>
      <AlertCircle size={14} aria-hidden /> {state.message}
    </span>
  );
}

/** The options of a device select: "System default", the devices, and the saved one when it is gone. */
export function DeviceOptions({ devices, kind, saved }: { devices: AudioDevice[]; kind: "input" | "output"; saved: string }) {
  const names = devices.filter((d) => d[kind]).map((d) => d.name);
  return (
    <>
      <option value="">System default</option>
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
      {saved !== "" && !names.includes(saved) && <option value={saved}>{saved} (not connected)</option>}
    </>
  );
}

/** The microphones and speakers of this computer; [] (with the reason) when they cannot be listed. */
export function useAudioDevices(): { devices: AudioDevice[]; error: string | null; loading: boolean } {
  const backend = useBackend();
  const [devices, setDevices] = useState<AudioDevice[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    let stale = false;
    backend.audioDevices().then(
      (list) => {
        if (stale) return;
        setDevices(list);
        setLoading(false);
      },
      (err) => {
        if (stale) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    return () => {
      stale = true;
    };
  }, [backend]);
  return { devices, error, loading };
}

/**
 * Settings → Calls: the default route, the caller ID (of bridge calls, and of softphone calls through
 * a SignalWire SIP endpoint), the agent's own phone, whether links dial by themselves, and the
 * microphone and speaker. Saved together; a validation error is shown at its field. A saved change
 * of the caller ID is then applied to the softphone's SIP endpoint; its outcome shows at the field
 * and never undoes the save.
 */
export function CallsSection({ settings, onSaved }: { settings: Settings; onSaved: (next: Settings) => void }) {
  const backend = useBackend();
  const [route, setRoute] = useState<CallRoute>(settings.defaultRoute);
  const [callerId, setCallerId] = useState(settings.callerId);
  const [agentPhone, setAgentPhone] = useState(settings.agentPhone);
  const [linksAutoDial, setLinksAutoDial] = useState(settings.linksAutoDial);
  const [conversation, setConversation] = useState(String(settings.conversationSeconds));
  const [audioInput, setAudioInput] = useState(settings.audioInput);
  const [audioOutput, setAudioOutput] = useState(settings.audioOutput);
  const [state, setState] = useState<State>({ kind: "idle" });
  const [softphone, setSoftphone] = useState<SoftphoneState>({ kind: "idle" });
  /** Counts saves, so the outcome of an older one's softphone update never overwrites a newer one. */
  const saveRun = useRef(0);
  const [numbers, setNumbers] = useState<OwnedNumberInfo[] | null>(null);
  const [numbersNote, setNumbersNote] = useState<string | null>(null);
  const audio = useAudioDevices();

  // The project's numbers for the caller ID; without SignalWire only "Automatic" is offered.
  useEffect(() => {
    let stale = false;
    backend.listNumbers().then(
      (list) => !stale && setNumbers(list),
      (err) => {
        if (stale) return;
        setNumbers([]);
        setNumbersNote(
          errorCode(err) === "notConfigured"
            ? "Set up SignalWire above to choose one of your numbers."
            : `Could not load your numbers: ${errorMessage(err)}`,
        );
      },
    );
    return () => {
      stale = true;
    };
  }, [backend]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (route === "bridge" && agentPhone.trim() === "") {
      setState({ kind: "error", field: "agentPhone", message: "Your phone: enter the phone bridge calls should ring first." });
      return;
    }
    const run = ++saveRun.current;
    setState({ kind: "saving" });
    setSoftphone({ kind: "idle" });
    let next: Settings;
    try {
      next = await backend.updateSettings({
        ...NO_SETTINGS_CHANGE,
        defaultRoute: route,
        callerId,
        agentPhone,
        linksAutoDial,
        // A number the core checks (1-3600 s); what is not a whole number is sent as 0 to be refused there.
        conversationSeconds: /^\d{1,6}$/.test(conversation.trim()) ? Number(conversation.trim()) : 0,
        audioInput,
        audioOutput,
      });
      setConversation(String(next.conversationSeconds));
      setCallerId(next.callerId);
      setAgentPhone(next.agentPhone);
      onSaved(next);
      setState({ kind: "saved" });
    } catch (err) {
      const message = errorMessage(err);
      setState({ kind: "error", message, field: fieldOf(err) });
      return;
    }
    // Softphone calls show the caller ID too when the SIP line is a SignalWire SIP endpoint.
    if (next.callerId === settings.callerId || !softphoneMayUseSignalwire(next)) return;
    setSoftphone({ kind: "applying" });
    try {
      const applied = await backend.applySoftphoneCallerId();
      if (run === saveRun.current) setSoftphone({ kind: "applied", sendAs: applied.sendAs });
    } catch (err) {
      if (run !== saveRun.current) return;
      const message = errorMessage(err);
      setSoftphone(errorCode(err) === "notFound" ? { kind: "notSignalwire", message } : { kind: "error", message });
    }
  };

  const numberChoices = numbers ?? [];
  const knownCallerId = callerId === "" || numberChoices.some((n) => n.phoneNumber === callerId);

  return (
    <section className="settings-section" aria-label="Calls">
      <h2>Calls</h2>
      <p className="muted small">How calls go out, the number leads see, and your microphone and speaker.</p>
      <form noValidate onSubmit={(e) => void save(e)}>
        <fieldset className="route-choice">
          <legend>Place calls</legend>
          <label>
            <input
              type="radio"
              name="settings-route"
              data-testid="settings-route-softphone"
              checked={route === "softphone"}
              onChange={() => setRoute("softphone")}
            />
            Softphone <span className="muted small">— on this computer, with your headset</span>
          </label>
          <label>
            <input type="radio" name="settings-route" data-testid="settings-route-bridge" checked={route === "bridge"} onChange={() => setRoute("bridge")} />
            Bridge via your phone <span className="muted small">— SignalWire rings your phone, then the lead</span>
          </label>
        </fieldset>

        <div className={`field${state.kind === "error" && state.field === "agentPhone" ? " has-error" : ""}`}>
          <label htmlFor="settings-agent-phone">Your phone</label>
          <input
            id="settings-agent-phone"
            data-testid="settings-agent-phone"
            type="text"
            inputMode="tel"
            value={agentPhone}
            placeholder="+1 555 123 4567 or sip:you@example.com"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={state.kind === "error" && state.field === "agentPhone"}
            onChange={(e) => setAgentPhone(e.target.value)}
          />
          <div className="hint">Bridge calls ring this phone first, then connect you to the lead.</div>
          <FieldError state={state} field="agentPhone" />
        </div>

        <div className="field">
          <label htmlFor="settings-caller-id">Caller ID</label>
          <select
            id="settings-caller-id"
            data-testid="settings-caller-id"
            value={callerId}
            disabled={numbers === null}
            aria-busy={numbers === null || undefined}
            onChange={(e) => setCallerId(e.target.value)}
          >
            <option value="">Automatic</option>
            {numberChoices.map((n) => (
              <option key={n.sid} value={n.phoneNumber}>
                {n.display}
                {n.friendlyName && n.friendlyName !== n.phoneNumber ? ` — ${n.friendlyName}` : ""}
              </option>
            ))}
            {!knownCallerId && <option value={callerId}>{callerId}</option>}
          </select>
          <div className="hint">
            {numbersNote ??
              "The number leads see on bridge calls, and on softphone calls when your SIP line is a SignalWire SIP endpoint. Automatic: on bridge calls the number last used with the lead, else your first number; on softphone calls SignalWire's choice."}
          </div>
          <FieldError state={state} field="callerId" />
          <SoftphoneCallerIdOutcome state={softphone} />
        </div>

        <div className="field">
          <label htmlFor="settings-audio-input">Microphone</label>
          <select id="settings-audio-input" data-testid="settings-audio-input" value={audioInput} disabled={audio.loading} onChange={(e) => setAudioInput(e.target.value)}>
            <DeviceOptions devices={audio.devices} kind="input" saved={audioInput} />
          </select>
          <FieldError state={state} field="audioInput" />
        </div>
        <div className="field">
          <label htmlFor="settings-audio-output">Speaker</label>
          <select id="settings-audio-output" data-testid="settings-audio-output" value={audioOutput} disabled={audio.loading} onChange={(e) => setAudioOutput(e.target.value)}>
            <DeviceOptions devices={audio.devices} kind="output" saved={audioOutput} />
          </select>
          <FieldError state={state} field="audioOutput" />
          {audio.error && <div className="hint">Could not list the audio devices: {audio.error}</div>}
        </div>

        <div className="field">
          <label className="checkbox-label">
            <input type="checkbox" data-testid="settings-links-autodial" checked={linksAutoDial} onChange={(e) => setLinksAutoDial(e.target.checked)} />
            Links dial immediately
          </label>
          <div className="hint">Off: a tel: or ringdesk:// link only fills in the dialer, and you press Dial.</div>
          {linksAutoDial && (
            <div className="notice-box warning" role="note" data-testid="settings-links-autodial-warning">
              <AlertTriangle size={16} aria-hidden />
              <div>{LINKS_AUTODIAL_WARNING}</div>
            </div>
          )}
        </div>

        <div className="field">
          <label htmlFor="settings-conversation-seconds">A conversation is at least</label>
          <span className="inline-field">
            <input
              id="settings-conversation-seconds"
              data-testid="settings-conversation-seconds"
              type="number"
              min={1}
              max={3600}
              inputMode="numeric"
              value={conversation}
              onChange={(e) => setConversation(e.target.value)}
            />{" "}
            s of talk
          </span>
          <FieldError state={state} field="conversationSeconds" />
          <div className="hint">Analytics and campaign results count answered calls this long as conversations (60 s by default, as Orum and Glencoco count).</div>
        </div>

        <div className="section-actions">
          <button type="submit" className="button primary" data-testid="settings-calls-save" disabled={state.kind === "saving"}>
            Save
          </button>
          <span className="save-status" aria-live="polite">
            {state.kind === "saving" && <Loader2 size={14} className="spin" aria-label="Saving" />}
            {state.kind === "saved" && (
              <span className="saved" data-testid="settings-calls-saved">
                <Check size={14} aria-hidden /> Saved
              </span>
            )}
            {state.kind === "error" && state.field === null && (
              <span className="field-error" role="alert" data-testid="settings-calls-error">
                <AlertCircle size={14} aria-hidden /> {state.message}
              </span>
            )}
          </span>
        </div>
      </form>
    </section>
  );
}
