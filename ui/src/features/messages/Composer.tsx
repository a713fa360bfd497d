import { AlertCircle, Info, Loader2, Send, Settings as SettingsIcon } from "lucide-react";
import { useEffect, useId, useRef, useState, type RefObject } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { ErrorCode, OwnedNumberInfo, SmsMessage, SmsSegments } from "../../generated/bindings";
import { hasCommandModifier } from "../shell/keys";
import { UNICODE_EXPLANATION, segmentSummary } from "./smsText";

type Props = {
  /** Who the text goes to: the conversation's number, or what was typed for a new message. */
  to: string;
  draft: string;
  onDraftChange: (draft: string) => void;
  /** Owned numbers (null while unknown or when they could not be listed). */
  numbers: OwnedNumberInfo[] | null;
  textareaRef?: RefObject<HTMLTextAreaElement>;
  onSent: (message: SmsMessage) => void;
  /** The send was refused (a refused text is stored as failed: the conversation may show it). */
  onFailed: () => void;
  onOpenSettings: () => void;
};

type SendError = { code: ErrorCode | null; message: string };

/** The compose box: From, the text with a live segment counter, Send (Ctrl+Enter). */
export function Composer({ to, draft, onDraftChange, numbers, textareaRef, onSent, onFailed, onOpenSettings }: Props) {
  const backend = useBackend();
  const id = useId();
  const [from, setFrom] = useState("");
  const [segments, setSegments] = useState<SmsSegments | null>(null);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<SendError | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const seq = useRef(0);

  // The counter follows the draft; only the latest answer counts.
  useEffect(() => {
    const mine = ++seq.current;
    if (draft === "") {
      setSegments(null);
      return;
    }
    backend.smsSegments(draft).then(
      (s) => mine === seq.current && setSegments(s),
      () => mine === seq.current && setSegments(null),
    );
  }, [backend, draft]);

  const smsNumbers = (numbers ?? []).filter((n) => n.sms);
  const tooLong = draft.trim() !== "" && segments?.error ? segments.error : null;
  const canSend = !sending && to.trim() !== "" && draft.trim() !== "" && !tooLong;

  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setSendError(null);
    setAnnouncement("");
    try {
      const message = await backend.sendSms({ to, from: from === "" ? null : from, body: draft });
      onDraftChange("");
      setAnnouncement(message.status === "sending" ? "Text saved: waiting to send." : "Text sent to SignalWire.");
      onSent(message);
    } catch (err) {
      // The draft stays as typed so it can be fixed or sent again.
      setSendError({ code: errorCode(err), message: errorMessage(err) });
      onFailed();
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      className="sms-composer"
      aria-label="Write a text"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {sendError && (
        <div className="error-box sms-send-error" role="alert" data-testid="sms-send-error">
          <AlertCircle size={16} aria-hidden />
          <div>
            <strong>Not sent.</strong> {sendError.message}
            {sendError.code === "notConfigured" && (
              <div>
                <button type="button" className="button small sms-settings-button" onClick={onOpenSettings}>
                  <SettingsIcon size={14} aria-hidden /> Open Settings
                </button>
              </div>
            )}
          </div>
        </div>
      )}
      <div className="sms-composer-row">
        <label htmlFor={`${id}-from`} className="small muted">
          From
        </label>
        <select id={`${id}-from`} data-testid="sms-from" value={from} onChange={(e) => setFrom(e.target.value)}>
          <option value="">Automatic: the number last used with them, else your first</option>
          {smsNumbers.map((n) => (
            <option key={n.sid} value={n.phoneNumber}>
              {n.display}
              {n.friendlyName && n.friendlyName !== n.phoneNumber ? ` · ${n.friendlyName}` : ""}
            </option>
          ))}
        </select>
      </div>
      <textarea
        ref={textareaRef}
        data-testid="sms-draft"
        aria-label="Text message"
        aria-describedby={`${id}-counter`}
        rows={3}
        placeholder="Write a text… (Ctrl+Enter to send)"
        value={draft}
        onChange={(e) => onDraftChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && hasCommandModifier(e)) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <div className="sms-composer-row">
        <span id={`${id}-counter`} className="sms-counter small" data-testid="sms-counter">
          {segments && draft !== "" && (
            <>
              {segmentSummary(segments)}
              {segments.encoding === "ucs2" && (
                <span className="sr-only">. {UNICODE_EXPLANATION}</span>
              )}
            </>
          )}
        </span>
        {segments?.encoding === "ucs2" && draft !== "" && (
          <span className="sms-unicode-hint muted" title={UNICODE_EXPLANATION} aria-hidden>
            <Info size={13} />
          </span>
        )}
        <span className="field-error" aria-live="polite" data-testid="sms-draft-problem">
          {tooLong}
        </span>
        <span className="toolbar-spacer" />
        <span className="sr-only" aria-live="polite">
          {announcement}
        </span>
        <button type="submit" className="button primary" data-testid="sms-send" disabled={!canSend} title="Send (Ctrl+Enter)">
          {sending ? <Loader2 size={14} className="spin" aria-hidden /> : <Send size={14} aria-hidden />} Send
        </button>
      </div>
    </form>
  );
}
