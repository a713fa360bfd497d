import { AlertCircle, FileAudio, Loader2, Pause, Play, Trash2 } from "lucide-react";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { errorField, errorMessage, useBackend } from "../../backend";
import { fileSrc } from "../../backend/media";
import { formatSeconds } from "../../lib/format";
import type { VoicemailMessage } from "../../generated/bindings";
import { useToast } from "../shell/Toast";
import { VoicemailRecorder } from "./VoicemailRecorder";

/**
 * Settings → Voicemail: the messages a voicemail drop plays into a call. Record one with the
 * microphone or import a WAV (at most 120 s; the core refuses silence, other formats and longer
 * files), listen to it, give it the public URL SignalWire fetches it from for bridge calls, or
 * delete it.
 */
export function VoicemailSection() {
  const backend = useBackend();
  const toast = useToast();
  const id = useId();
  const [messages, setMessages] = useState<VoicemailMessage[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    backend.voicemailMessages().then(setMessages, (err) => setError({ field: null, message: errorMessage(err) }));
  }, [backend]);
  useEffect(load, [load]);

  const importWav = async () => {
    setBusy(true);
    setError(null);
    try {
      const kept = await backend.importVoicemail(name);
      if (kept) {
        toast(`Voicemail message “${kept.name}” kept (${formatSeconds(kept.durationSeconds ?? 0)}).`);
        setName("");
        load();
      }
    } catch (err) {
      setError({ field: errorField(err), message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section voicemail-settings" aria-label="Voicemail" data-testid="settings-voicemail">
      <h2>Voicemail drop</h2>
      <p className="muted small">
        Messages you leave with one click (V in a campaign session) when a call reaches voicemail: the message plays to the end and the call hangs up by
        itself while you move on. Bridge calls need the message at a public https URL, which SignalWire fetches.
      </p>
      {error && (
        <div className="error-box" role="alert" data-testid="voicemail-error">
          <AlertCircle size={16} aria-hidden /> {error.message}
        </div>
      )}
      <div className="field-row">
        <div className={`field${error?.field === "name" ? " has-error" : ""}`}>
          <label htmlFor={`${id}-name`}>New message's name</label>
          <input id={`${id}-name`} data-testid="voicemail-name" value={name} placeholder="Intro, Follow-up…" onChange={(e) => setName(e.target.value)} />
        </div>
        <button type="button" className="button" data-testid="voicemail-import" disabled={busy} onClick={() => void importWav()}>
          {busy ? <Loader2 size={14} className="spin" aria-hidden /> : <FileAudio size={14} aria-hidden />} Import WAV…
        </button>
        <VoicemailRecorder
          name={name}
          onKept={(m) => {
            toast(`Voicemail message “${m.name}” recorded (${formatSeconds(m.durationSeconds ?? 0)}).`);
            setName("");
            setError(null);
            load();
          }}
          onError={(message, field) => setError({ field, message })}
        />
      </div>
      {messages?.length === 0 && <p className="muted small" data-testid="voicemail-empty">No messages yet.</p>}
      {messages && messages.length > 0 && (
        <ul className="voicemail-list" data-testid="voicemail-list">
          {messages.map((m) => (
            <MessageRow key={m.id} message={m} onChanged={load} />
          ))}
        </ul>
      )}
    </section>
  );
}

function MessageRow({ message, onChanged }: { message: VoicemailMessage; onChanged: () => void }) {
  const backend = useBackend();
  const [url, setUrl] = useState(message.publicUrl ?? "");
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const audio = useRef<HTMLAudioElement | null>(null);

  useEffect(() => () => audio.current?.pause(), []);

  const toggle = async () => {
    if (playing) {
      audio.current?.pause();
      setPlaying(false);
      return;
    }
    try {
      const el = audio.current ?? new Audio();
      audio.current = el;
      el.src = await fileSrc(message.path, "The message");
      el.onended = () => setPlaying(false);
      setPlaying(true);
      await el.play();
    } catch (err) {
      setPlaying(false);
      setError(errorMessage(err));
    }
  };

  const saveUrl = async () => {
    setError(null);
    try {
      await backend.setVoicemailUrl(message.id, url.trim() === "" ? null : url);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <li className="voicemail-row" data-testid="voicemail-row">
      <button type="button" className="icon-button" aria-label={`${playing ? "Pause" : "Play"} ${message.name}`} onClick={() => void toggle()}>
        {playing ? <Pause size={14} aria-hidden /> : <Play size={14} aria-hidden />}
      </button>
      <strong data-testid="voicemail-row-name">{message.name}</strong>
      <span className="muted small">{formatSeconds(message.durationSeconds ?? 0)}</span>
      <input
        aria-label={`Public URL of ${message.name}`}
        data-testid="voicemail-url"
        type="url"
        placeholder="https://… (for bridge calls)"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        onBlur={() => url !== (message.publicUrl ?? "") && void saveUrl()}
      />
      <button
        type="button"
        className="icon-button"
        aria-label={`Delete ${message.name}`}
        onClick={() => void backend.deleteVoicemail(message.id).then(onChanged, (err) => setError(errorMessage(err)))}
      >
        <Trash2 size={14} aria-hidden />
      </button>
      {error && (
        <span className="field-error" role="alert" data-testid="voicemail-row-error">
          <AlertCircle size={12} aria-hidden /> {error}
        </span>
      )}
    </li>
  );
}
