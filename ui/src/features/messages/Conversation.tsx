import { AlertCircle, Clock, Loader2, Phone, UserPlus, UserRound } from "lucide-react";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { SmsMessage, SmsThread, SmsThreadPage } from "../../generated/bindings";
import { formatDateTime } from "../../lib/format";
import { useDialAction } from "../phone/CallButton";
import type { CallLead } from "../phone/usePhone";
import { WAITING_EXPLANATION, isProblemStatus, statusLabel } from "./smsText";

/** Messages fetched per page of a conversation. */
export const THREAD_PAGE = 50;

/** The conversation's lead as a call shows it (its status is unknown here: placeCall checks Do Not Call). */
function callLead(thread: SmsThread | null): CallLead | null {
  return thread?.leadId ? { leadId: thread.leadId, name: thread.leadName ?? thread.contactDisplay, company: null, status: null } : null;
}

type Loaded = { contact: string; messages: SmsMessage[]; hasMore: boolean };

const byTime = (a: SmsMessage, b: SmsMessage) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.createdAt < b.createdAt ? -1 : 1;

/** The newest page merged into what is shown: new texts added, changed statuses replaced. */
function mergeNewest(prev: Loaded, page: SmsThreadPage): Loaded {
  const newestShown = prev.messages[prev.messages.length - 1];
  const oldestFetched = page.messages[0];
  if (page.hasMore && newestShown && oldestFetched && byTime(oldestFetched, newestShown) > 0) {
    // More arrived than one page holds: start over from the newest page rather than leave a gap.
    return { contact: prev.contact, messages: page.messages, hasMore: true };
  }
  const byId = new Map(prev.messages.map((m) => [m.id, m]));
  for (const m of page.messages) byId.set(m.id, m);
  return { contact: prev.contact, messages: [...byId.values()].sort(byTime), hasMore: prev.hasMore };
}

type Props = {
  contact: string;
  /** The conversation's summary from the list; null right after the first text to a new number. */
  thread: SmsThread | null;
  /** Changes when the conversation may have changed (a send, a sync, a new text). */
  refreshKey: string;
  onCreateLead: (contact: string, display: string) => void;
  onOpenLead: (leadId: string) => void;
};

export function Conversation({ contact, thread, refreshKey, onCreateLead, onOpenLead }: Props) {
  const backend = useBackend();
  const dialer = useDialAction();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [olderState, setOlderState] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const scrollRef = useRef<HTMLDivElement>(null);
  const prepend = useRef<{ height: number; top: number } | null>(null);
  const lastShownId = useRef<string | null>(null);
  /** The view was at (or near) the newest text before the last update. */
  const atBottom = useRef(true);
  const shownContact = useRef<string | null>(null);

  useEffect(() => {
    let stale = false;
    backend.smsThread(contact, null, null, THREAD_PAGE).then(
      (page) => {
        if (stale) return;
        setError(null);
        setLoaded((prev) =>
          prev && prev.contact === contact ? mergeNewest(prev, page) : { contact, messages: page.messages, hasMore: page.hasMore },
        );
      },
      (err) => !stale && setError(errorMessage(err)),
    );
    return () => {
      stale = true;
    };
  }, [backend, contact, refreshKey]);

  const current = loaded && loaded.contact === contact ? loaded : null;

  // Newest at the bottom: a newly opened conversation starts there and stays there when texts
  // arrive (or are sent); someone reading older texts is left where they are. Prepending older
  // texts keeps the view still.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || !current) return;
    if (prepend.current) {
      el.scrollTop = el.scrollHeight - prepend.current.height + prepend.current.top;
      prepend.current = null;
      return;
    }
    const newest = current.messages[current.messages.length - 1];
    const last = newest?.id ?? null;
    if (last !== lastShownId.current) {
      const opened = shownContact.current !== current.contact;
      lastShownId.current = last;
      shownContact.current = current.contact;
      if (opened || atBottom.current || newest?.direction === "outbound") {
        el.scrollTop = el.scrollHeight;
        atBottom.current = true;
      }
    }
  }, [current]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };

  const loadOlder = async () => {
    if (!current || current.messages.length === 0 || olderState.loading) return;
    const first = current.messages[0];
    setOlderState({ loading: true, error: null });
    try {
      const page = await backend.smsThread(contact, first.createdAt, first.id, THREAD_PAGE);
      const el = scrollRef.current;
      if (el) prepend.current = { height: el.scrollHeight, top: el.scrollTop };
      setLoaded((prev) => {
        if (!prev || prev.contact !== contact) return prev;
        const known = new Set(prev.messages.map((m) => m.id));
        return { contact, messages: [...page.messages.filter((m) => !known.has(m.id)), ...prev.messages], hasMore: page.hasMore };
      });
      setOlderState({ loading: false, error: null });
    } catch (err) {
      setOlderState({ loading: false, error: errorMessage(err) });
    }
  };

  const display = thread?.contactDisplay ?? contact;
  const name = thread?.leadName ?? null;

  return (
    <section className="sms-conversation" aria-label={`Conversation with ${name ?? display}`}>
      <header className="sms-conversation-header">
        <UserRound size={26} aria-hidden className="lead-card-icon" />
        <div className="sms-conversation-title">
          <h2 data-testid="sms-conversation-name">{name ?? display}</h2>
          <div className="muted small">
            {name ? display : <span className="pill sms-unknown">Unknown number</span>}
          </div>
        </div>
        {dialer.available && (
          <button
            type="button"
            className="icon-button call-button"
            aria-label={`Call ${name ?? display}`}
            title={`Call ${display}`}
            data-testid="sms-call"
            disabled={dialer.busy}
            onClick={() => dialer.start(contact, callLead(thread))}
          >
            <Phone size={16} aria-hidden />
          </button>
        )}
        {name === null && (
          <button type="button" className="button small" onClick={() => onCreateLead(contact, display)}>
            <UserPlus size={14} aria-hidden /> Create lead
          </button>
        )}
        {name !== null && thread?.leadId && (
          <button type="button" className="button small" onClick={() => onOpenLead(thread.leadId!)}>
            Open lead
          </button>
        )}
      </header>

      <div className="sms-scroll" ref={scrollRef} onScroll={onScroll}>
        {error && (
          <div className="error-box inline" role="alert">
            <AlertCircle size={16} aria-hidden /> Could not load this conversation: {error}
          </div>
        )}
        {!current && !error && <p className="muted sms-loading">Loading messages…</p>}
        {current?.hasMore && (
          <div className="sms-older">
            <button type="button" className="button small" onClick={() => void loadOlder()} disabled={olderState.loading}>
              {olderState.loading && <Loader2 size={14} className="spin" aria-hidden />} Load older
            </button>
            {olderState.error && (
              <span className="field-error" role="alert">
                {olderState.error}
              </span>
            )}
          </div>
        )}
        {current && (
          <div role="log" aria-label={`Texts with ${name ?? display}`} aria-live="polite">
            <ol className="sms-messages">
              {current.messages.map((m) => (
                <Bubble key={m.id} message={m} />
              ))}
            </ol>
          </div>
        )}
        {current && current.messages.length === 0 && <p className="muted sms-loading">No texts with this number yet.</p>}
      </div>
      {dialer.dialog}
    </section>
  );
}

function Bubble({ message: m }: { message: SmsMessage }) {
  const outbound = m.direction === "outbound";
  return (
    <li className={`sms-bubble ${outbound ? "outbound" : "inbound"}${isProblemStatus(m.status) ? " problem" : ""}`} data-testid="sms-message">
      <div className="sms-body">{m.body}</div>
      <div className="sms-meta">
        <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
        {outbound && <Status status={m.status} />}
      </div>
      {m.error && (
        <div className="sms-error" data-testid="sms-message-error">
          <AlertCircle size={12} aria-hidden /> {m.error}
        </div>
      )}
    </li>
  );
}

function Status({ status }: { status: string }) {
  if (status === "sending") {
    return (
      <span className="sms-status sending" title={WAITING_EXPLANATION} data-testid="sms-status">
        <Clock size={11} aria-hidden />
        <span>Waiting to send</span>
        <span className="sr-only"> — {WAITING_EXPLANATION}</span>
      </span>
    );
  }
  return (
    <span className={`sms-status ${status}`} data-testid="sms-status">
      {statusLabel(status)}
    </span>
  );
}
