import { AlertCircle, Loader2, Pause, Play } from "lucide-react";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { errorMessage, useBackend } from "../../backend";
import { recordingSrc } from "../../backend/media";
import type { RecordingFile } from "../../generated/bindings";
import { formatDuration } from "../calls/callText";

type Props = {
  recordingId: string;
  /** The length SignalWire reported, shown until the audio's own is known. */
  durationSeconds: number | null;
  /** The <audio> src for the downloaded file (default: see recordingSrc in backend/media.ts). */
  audioSrc?: (file: RecordingFile) => string | Promise<string>;
};

type Load = { state: "loading" } | { state: "ready"; src: string } | { state: "error"; message: string };

/**
 * Plays one recording: fetchRecording downloads it (or finds it in the cache), then an <audio>
 * element plays it. Play/pause, a seek slider, the current time and length; Space toggles
 * playing while anything in the player has the focus.
 */
export function RecordingPlayer({ recordingId, durationSeconds, audioSrc = recordingSrc }: Props) {
  const backend = useBackend();
  const audioRef = useRef<HTMLAudioElement>(null);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [playing, setPlaying] = useState(false);
  const [current, setCurrent] = useState(0);
  const [duration, setDuration] = useState<number | null>(durationSeconds);
  const [playError, setPlayError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setLoad({ state: "loading" });
    setPlaying(false);
    setCurrent(0);
    setDuration(durationSeconds);
    setPlayError(null);
    let made: string | null = null;
    backend
      .fetchRecording(recordingId)
      .then((file) => audioSrc(file))
      .then(
        (src) => {
          if (src.startsWith("blob:")) made = src;
          if (stale) {
            if (made) URL.revokeObjectURL(made);
            return;
          }
          setLoad({ state: "ready", src });
        },
        (err) => !stale && setLoad({ state: "error", message: errorMessage(err) }),
      );
    return () => {
      stale = true;
      // A blob: URL holds the audio in memory until revoked.
      if (made) URL.revokeObjectURL(made);
    };
    // durationSeconds belongs to the recording: it changes with recordingId.
  }, [backend, recordingId, audioSrc]);

  const ready = load.state === "ready";

  const toggle = useCallback(() => {
    const audio = audioRef.current;
    if (!audio || !ready) return;
    if (audio.paused) {
      setPlayError(null);
      try {
        const started = audio.play();
        if (started && typeof started.then === "function") {
          started.then(
            () => setPlaying(true),
            (err: unknown) => {
              setPlaying(false);
              setPlayError(err instanceof Error ? err.message : String(err));
            },
          );
        } else {
          setPlaying(true);
        }
      } catch (err) {
        setPlayError(err instanceof Error ? err.message : String(err));
      }
    } else {
      audio.pause();
      setPlaying(false);
    }
  }, [ready]);

  const seek = (value: number) => {
    const audio = audioRef.current;
    if (!audio || !ready) return;
    audio.currentTime = value;
    setCurrent(value);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== " " || e.ctrlKey || e.metaKey || e.altKey) return;
    // A focused button activates itself on Space (the play button toggles through its click).
    if (e.target instanceof HTMLButtonElement) return;
    e.preventDefault();
    toggle();
  };

  const knownDuration = duration !== null && Number.isFinite(duration) ? duration : null;

  return (
    <div className="recording-player" data-testid="recording-player" tabIndex={0} aria-label="Recording player (Space plays or pauses)" role="group" onKeyDown={onKeyDown}>
      {ready && (
        <audio
          ref={audioRef}
          src={load.src}
          preload="metadata"
          data-testid="recording-audio"
          onLoadedMetadata={(e) => {
            const d = e.currentTarget.duration;
            if (Number.isFinite(d) && d > 0) setDuration(d);
          }}
          onDurationChange={(e) => {
            const d = e.currentTarget.duration;
            if (Number.isFinite(d) && d > 0) setDuration(d);
          }}
          onTimeUpdate={(e) => setCurrent(e.currentTarget.currentTime)}
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => setPlaying(false)}
          onError={() => setPlayError("This audio could not be played.")}
        />
      )}
      <button
        type="button"
        className="icon-button recording-play"
        data-testid="recording-play"
        aria-label={playing ? "Pause" : "Play"}
        title={playing ? "Pause (Space)" : "Play (Space)"}
        disabled={!ready}
        onClick={toggle}
      >
        {load.state === "loading" ? <Loader2 size={18} className="spin" aria-hidden /> : playing ? <Pause size={18} aria-hidden /> : <Play size={18} aria-hidden />}
      </button>
      <input
        type="range"
        className="recording-seek"
        data-testid="recording-seek"
        aria-label="Position"
        aria-valuetext={`${formatDuration(current)} of ${knownDuration === null ? "unknown" : formatDuration(knownDuration)}`}
        min={0}
        max={knownDuration ?? 0}
        step={0.1}
        value={Math.min(current, knownDuration ?? current)}
        disabled={!ready || knownDuration === null}
        onChange={(e) => seek(Number(e.target.value))}
      />
      <span className="recording-time muted small" data-testid="recording-time">
        {formatDuration(current)} / {knownDuration === null ? "–:––" : formatDuration(knownDuration)}
      </span>
      {load.state === "loading" && (
        <span className="muted small" data-testid="recording-loading" aria-live="polite">
          Downloading the recording…
        </span>
      )}
      {load.state === "error" && (
        <div className="error-box recording-error" role="alert" data-testid="recording-error">
          <AlertCircle size={16} aria-hidden /> Could not load the recording: {load.message}
        </div>
      )}
      {playError && (
        <div className="error-box recording-error" role="alert" data-testid="recording-error">
          <AlertCircle size={16} aria-hidden /> Could not play the recording: {playError}
        </div>
      )}
    </div>
  );
}
