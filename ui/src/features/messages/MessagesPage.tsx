import { AlertCircle, Loader2, MessageSquare, MessageSquarePlus, RefreshCw, Search, Settings as SettingsIcon, UserPlus, Wifi, WifiOff, X } from "lucide-react";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type RefObject } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { ErrorCode, Lead, NumberLookup, OwnedNumberInfo, SmsMessage, SmsThread } from "../../generated/bindings";
import { formatShortTime } from "../../lib/format";
import { CreateLeadDialog } from "../leads/CreateLeadDialog";
import { useToast } from "../shell/Toast";
import { useDebounced } from "../shell/useDebounced";
import { Composer } from "./Composer";
import { Conversation } from "./Conversation";
import { syncSummary } from "./smsText";
import type { LiveConnection } from "./useRealtime";

export const SMS_SEARCH_DEBOUNCE_MS = 150;
const NEW_DRAFT = "\u0000new";

/** Commands from App (keyboard shortcuts, a clicked notification); `nonce` makes repeats distinct. */
export type MessagesCommand =
  | { kind: "focusSearch"; nonce: number }
  | { kind: "openConversation"; contact: string; nonce: number }
  /** Text this number (from a lead): its conversation when there is one, else a new message to it. */
  | { kind: "compose"; to: string; nonce: number };

type Props = {
  active: boolean;
  command: MessagesCommand | null;
  /** The navigation badge's count: when it changes, the conversation list is re-read. */
  unreadCount: number | null;
  /** Something changed what is unread: refresh the badge now. */
  onUnreadChanged: () => void;
  onOpenSettings: () => void;
  /** A lead was created here (for an unknown number): counts and the Leads table are stale. */
  onLeadCreated: (lead: Lead) => void;
  onOpenLead: (leadId: string) => void;
  /** The live SignalWire connection; null until it reported. */
  live: LiveConnection | null;
  /** Bumps when the live connection reports new or changed texts: the list and the open conversation are re-read. */
  liveVersion: number;
};

type Selection = { kind: "thread"; contact: string } | { kind: "new" } | null;

type Setup =
  | { state: "checking" }
  | { state: "ready"; numbers: OwnedNumberInfo[] }
  | { state: "notConfigured"; message: string }
  | { state: "error"; message: string };

type SyncState =
  | { state: "idle" }
  | { state: "running" }
  | { state: "done"; text: string }
  | { state: "error"; code: ErrorCode | null; message: string };

export function MessagesPage({ active, command, unreadCount, onUnreadChanged, onOpenSettings, onLeadCreated, onOpenLead, live, liveVersion }: Props) {
  const backend = useBackend();
  const toast = useToast();
  const [searchText, setSearchText] = useState("");
  const search = useDebounced(searchText, SMS_SEARCH_DEBOUNCE_MS).trim();
  const [threads, setThreads] = useState<SmsThread[] | null>(null);
  const [threadsError, setThreadsError] = useState<string | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  const [selectedSummary, setSelectedSummary] = useState<SmsThread | null>(null);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [newTo, setNewTo] = useState("");
  const [setup, setSetup] = useState<Setup>({ state: "checking" });
  const [sync, setSync] = useState<SyncState>({ state: "idle" });
  const [refreshToken, setRefreshToken] = useState(0);
  const [createFor, setCreateFor] = useState<{ contact: string; display: string } | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const draftRef = useRef<HTMLTextAreaElement>(null);
  const toRef = useRef<HTMLInputElement>(null);
  const focusDraftNext = useRef(false);
  const threadsSeq = useRef(0);

  const loadThreads = useCallback(() => {
    const mine = ++threadsSeq.current;
    backend.smsThreads(search === "" ? null : search).then(
      (rows) => {
        if (mine !== threadsSeq.current) return;
        setThreads(rows);
        setThreadsError(null);
      },
      (err) => mine === threadsSeq.current && setThreadsError(errorMessage(err)),
    );
  }, [backend, search]);

  useEffect(() => {
    if (active) loadThreads();
  }, [active, loadThreads, unreadCount]);

  // Texts arrived or changed on the live connection: re-read the list and the open conversation
  // (merged in place, so the draft and the scroll position stay). A hidden page catches up when shown.
  const seenLive = useRef(liveVersion);
  useEffect(() => {
    if (!active || seenLive.current === liveVersion) return;
    seenLive.current = liveVersion;
    loadThreads();
    setRefreshToken((t) => t + 1);
  }, [active, liveVersion, loadThreads]);

  // Which numbers can send (and whether SignalWire is set up at all): re-checked on every visit,
  // since Settings may have changed in between.
  const checkSetup = useCallback(() => {
    backend.listNumbers().then(
      (numbers) => setSetup({ state: "ready", numbers }),
      (err) =>
        setSetup(
          errorCode(err) === "notConfigured" ? { state: "notConfigured", message: errorMessage(err) } : { state: "error", message: errorMessage(err) },
        ),
    );
  }, [backend]);
  useEffect(() => {
    if (active) checkSetup();
  }, [active, checkSetup]);

  const selectedContact = selection?.kind === "thread" ? selection.contact : null;
  const listedThread = threads?.find((t) => t.contactNumber === selectedContact) ?? null;
  const selectedThread = listedThread ?? (selectedSummary?.contactNumber === selectedContact ? selectedSummary : null);
  useEffect(() => {
    if (listedThread) setSelectedSummary(listedThread);
  }, [listedThread]);

  // Opening a conversation marks it read, and so does a text arriving while it is open.
  const markedFor = useRef<string | null>(null);
  const selectedUnread = listedThread?.unread ?? 0;
  useEffect(() => {
    if (!active || selectedContact === null) return;
    if (markedFor.current === selectedContact && selectedUnread === 0) return;
    markedFor.current = selectedContact;
    backend.markSmsRead(selectedContact).then(
      (count) => {
        if (count === 0) return;
        setThreads((rows) => rows?.map((t) => (t.contactNumber === selectedContact ? { ...t, unread: 0 } : t)) ?? rows);
        onUnreadChanged();
      },
      () => {},
    );
  }, [active, backend, selectedContact, selectedUnread, onUnreadChanged]);

  // Commands from App.
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!command || !active || handled.current === command.nonce) return;
    // Composing to a number opens its conversation if it has one: wait for the list.
    if (command.kind === "compose" && threads === null) return;
    handled.current = command.nonce;
    if (command.kind === "focusSearch") {
      searchRef.current?.focus();
      searchRef.current?.select();
      return;
    }
    if (command.kind === "compose") {
      setSearchText("");
      const existing = threads?.find((t) => t.contactNumber === command.to);
      if (existing) {
        focusDraftNext.current = true;
        setSelectedSummary(existing);
        setSelection({ kind: "thread", contact: existing.contactNumber });
      } else {
        setNewTo(command.to);
        focusDraftNext.current = true;
        setSelection({ kind: "new" });
      }
      return;
    }
    // A clicked notification: that conversation, with the search cleared so it is listed.
    setSearchText("");
    setSelectedSummary(null);
    focusDraftNext.current = true;
    setSelection({ kind: "thread", contact: command.contact });
  }, [command, active, threads]);

  useEffect(() => {
    if (selection?.kind === "new" && !focusDraftNext.current) toRef.current?.focus();
    else if (focusDraftNext.current) draftRef.current?.focus();
    focusDraftNext.current = false;
  }, [selection]);

  const openThread = (thread: SmsThread) => {
    setSelectedSummary(thread);
    setSelection({ kind: "thread", contact: thread.contactNumber });
  };

  const onListKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!threads || threads.length === 0 || e.altKey || e.ctrlKey || e.metaKey) return;
    const current = threads.findIndex((t) => t.contactNumber === selectedContact);
    let next: number;
    if (e.key === "ArrowDown") next = current < 0 ? 0 : Math.min(threads.length - 1, current + 1);
    else if (e.key === "ArrowUp") next = current < 0 ? 0 : Math.max(0, current - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = threads.length - 1;
    else return;
    e.preventDefault();
    openThread(threads[next]);
    listRef.current?.querySelectorAll<HTMLButtonElement>("[data-thread-row]")[next]?.focus();
  };

  const runSync = async () => {
    setSync({ state: "running" });
    try {
      const report = await backend.syncSms();
      const all = await backend.smsThreads(null).catch(() => [] as SmsThread[]);
      const nameOf = (contact: string) => {
        const t = all.find((x) => x.contactNumber === contact);
        return t ? t.leadName ?? t.contactDisplay : contact;
      };
      setSync({ state: "done", text: syncSummary(report, nameOf) });
    } catch (err) {
      setSync({ state: "error", code: errorCode(err), message: errorMessage(err) });
    }
    loadThreads();
    setRefreshToken((t) => t + 1);
    onUnreadChanged();
  };

  const onSent = (message: SmsMessage) => {
    if (selection?.kind === "new") {
      setNewTo("");
      focusDraftNext.current = true;
      setSelection({ kind: "thread", contact: message.contactNumber });
    }
    loadThreads();
    setRefreshToken((t) => t + 1);
  };

  const openCreateLead = (contact: string, display: string) => setCreateFor({ contact, display });

  const onLeadCreatedHere = (lead: Lead) => {
    const display = createFor?.display ?? lead.phoneDisplay ?? lead.phone ?? "";
    setCreateFor(null);
    // Show the name at once; the reload confirms it.
    const named = (t: SmsThread) => (t.contactNumber === lead.phoneE164 && t.leadName === null ? { ...t, leadId: lead.id, leadName: lead.name } : t);
    setThreads((rows) => rows?.map(named) ?? rows);
    setSelectedSummary((t) => (t ? named(t) : t));
    loadThreads();
    setRefreshToken((t) => t + 1);
    toast(`Lead “${lead.name}” created: texts with ${display} now show under this name.`);
    onLeadCreated(lead);
  };

  const onSendFailed = () => {
    loadThreads();
    setRefreshToken((t) => t + 1);
  };

  const draftKey = selection?.kind === "thread" ? selection.contact : NEW_DRAFT;
  const setDraft = (value: string) => setDrafts((d) => ({ ...d, [draftKey]: value }));
  const numbers = setup.state === "ready" ? setup.numbers : null;
  const hasNoConversations = threads !== null && threads.length === 0 && search === "";

  return (
    <div className="page messages-page">
      <SetupNotice setup={setup} onOpenSettings={onOpenSettings} onRetry={checkSetup} />
      <div className="messages-content">
        <div className="sms-sidebar">
          <div className="sms-sidebar-toolbar">
            <div className="sms-sidebar-header">
              <h1 className="sms-title">Messages</h1>
              <LiveStatus live={live} />
            </div>
            <div className="search-box">
              <Search size={15} aria-hidden className="search-icon" />
              <input
                ref={searchRef}
                type="search"
                data-testid="sms-search"
                aria-label="Search conversations"
                placeholder="Search name, number or text  (/)"
                value={searchText}
                onChange={(e) => setSearchText(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Escape" && searchText !== "") {
                    e.stopPropagation();
                    setSearchText("");
                  }
                }}
              />
              {searchText && (
                <button type="button" className="icon-button clear" aria-label="Clear search" onClick={() => setSearchText("")}>
                  <X size={14} aria-hidden />
                </button>
              )}
            </div>
            <div className="sms-sidebar-actions">
              <button type="button" className="button primary small" data-testid="sms-new" onClick={() => setSelection({ kind: "new" })}>
                <MessageSquarePlus size={14} aria-hidden /> New message
              </button>
              <button type="button" className="button small" data-testid="sms-sync" onClick={() => void runSync()} disabled={sync.state === "running"}>
                {sync.state === "running" ? <Loader2 size={14} className="spin" aria-hidden /> : <RefreshCw size={14} aria-hidden />} Sync now
              </button>
            </div>
            <div className="sms-sync-status small" role="status" data-testid="sms-sync-status">
              {sync.state === "running" && "Checking SignalWire for new texts…"}
              {sync.state === "done" && sync.text}
            </div>
            {sync.state === "error" && (
              <div className="field-error sms-sync-error" role="alert" data-testid="sms-sync-error">
                <AlertCircle size={14} aria-hidden />
                <span>
                  Sync failed: {sync.message}
                  {sync.code === "notConfigured" && (
                    <button type="button" className="link-button" onClick={onOpenSettings}>
                      Open Settings
                    </button>
                  )}
                </span>
              </div>
            )}
          </div>

          {threadsError && (
            <div className="error-box inline" role="alert">
              <AlertCircle size={16} aria-hidden /> Could not load conversations: {threadsError}
            </div>
          )}
          {threads === null && !threadsError && <p className="muted sms-list-note">Loading conversations…</p>}
          {hasNoConversations && <p className="muted sms-list-note">No conversations yet.</p>}
          {threads !== null && threads.length === 0 && search !== "" && (
            <p className="muted sms-list-note" data-testid="sms-no-matches">
              No conversations match “{search}”.
            </p>
          )}
          {threads !== null && threads.length > 0 && (
            <ul ref={listRef} className="sms-thread-list" aria-label="Conversations" onKeyDown={onListKeyDown} data-testid="sms-threads">
              {threads.map((t, i) => {
                const selected = t.contactNumber === selectedContact;
                // One row is in the tab order (the open one, else the first); arrows move from there.
                const tabbable = i === Math.max(0, threads.findIndex((x) => x.contactNumber === selectedContact));
                return (
                  <li key={t.contactNumber} className={`sms-thread${selected ? " selected" : ""}${t.unread > 0 ? " unread" : ""}`} data-testid="sms-thread">
                    <button
                      type="button"
                      className="sms-thread-main"
                      data-thread-row
                      aria-current={selected ? "true" : undefined}
                      tabIndex={tabbable ? 0 : -1}
                      onClick={() => openThread(t)}
                    >
                      <span className="sms-thread-top">
                        <span className="sms-thread-name">{t.leadName ?? t.contactDisplay}</span>
                        <time className="sms-thread-time muted" dateTime={t.lastAt}>
                          {formatShortTime(t.lastAt)}
                        </time>
                      </span>
                      <span className="sms-thread-bottom">
                        <span className="sms-thread-preview muted">
                          {t.lastDirection === "outbound" ? "You: " : ""}
                          {t.lastBody}
                        </span>
                        {t.unread > 0 && (
                          <span className="sms-unread-count" data-testid="sms-thread-unread" aria-label={`${t.unread} unread`}>
                            {t.unread}
                          </span>
                        )}
                      </span>
                    </button>
                    {t.leadName === null && (
                      <div className="sms-thread-unknown">
                        <span className="pill sms-unknown">Unknown number</span>
                        <button type="button" className="link-button" onClick={() => openCreateLead(t.contactNumber, t.contactDisplay)}>
                          <UserPlus size={12} aria-hidden /> Create lead
                        </button>
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>

        <div className="sms-pane">
          {selection?.kind === "thread" && (
            <>
              <Conversation
                contact={selection.contact}
                thread={selectedThread}
                refreshKey={`${refreshToken}|${selectedThread?.total ?? 0}|${selectedThread?.lastAt ?? ""}`}
                onCreateLead={openCreateLead}
                onOpenLead={onOpenLead}
              />
              <Composer
                key={selection.contact}
                to={selection.contact}
                draft={drafts[selection.contact] ?? ""}
                onDraftChange={setDraft}
                numbers={numbers}
                textareaRef={draftRef}
                onSent={onSent}
                onFailed={onSendFailed}
                onOpenSettings={onOpenSettings}
              />
            </>
          )}
          {selection?.kind === "new" && (
            <>
              <NewMessageHeader to={newTo} onToChange={setNewTo} inputRef={toRef} onCancel={() => setSelection(null)} />
              <Composer
                key={NEW_DRAFT}
                to={newTo}
                draft={drafts[NEW_DRAFT] ?? ""}
                onDraftChange={setDraft}
                numbers={numbers}
                textareaRef={draftRef}
                onSent={onSent}
                onFailed={onSendFailed}
                onOpenSettings={onOpenSettings}
              />
            </>
          )}
          {selection === null && (
            <div className="empty-state" data-testid="sms-empty">
              <MessageSquare size={40} aria-hidden />
              {hasNoConversations ? (
                <>
                  <h2>No texts yet</h2>
                  <p>Texts you send and receive through SignalWire appear here. Texts sent to your numbers arrive when you sync.</p>
                </>
              ) : (
                <>
                  <h2>No conversation open</h2>
                  <p>Choose a conversation on the left (↑ ↓ move between them), or text a number.</p>
                </>
              )}
              <button type="button" className="button primary" onClick={() => setSelection({ kind: "new" })}>
                <MessageSquarePlus size={15} aria-hidden /> New message
              </button>
            </div>
          )}
        </div>
      </div>
      {createFor && (
        <CreateLeadDialog
          phone={createFor.contact}
          phoneDisplay={createFor.display}
          phoneLocked
          onClose={() => setCreateFor(null)}
          onCreated={onLeadCreatedHere}
        />
      )}
    </div>
  );
}

/** "Live" while the realtime connection is up; "Offline — why" (the why also as a tooltip) when not. */
function LiveStatus({ live }: { live: LiveConnection | null }) {
  if (live === null) return null;
  if (live.online) {
    return (
      <span className="sms-live online" data-testid="sms-live" title={`Texts arrive as they are sent: ${live.detail}`}>
        <Wifi size={13} aria-hidden /> Live
      </span>
    );
  }
  return (
    <span className="sms-live offline" data-testid="sms-live" title={live.detail}>
      <WifiOff size={13} aria-hidden /> <span className="sms-live-text">Offline — {live.detail}</span>
    </span>
  );
}

function SetupNotice({ setup, onOpenSettings, onRetry }: { setup: Setup; onOpenSettings: () => void; onRetry: () => void }) {
  if (setup.state === "notConfigured") {
    return (
      <div className="notice-box sms-setup" data-testid="sms-setup">
        <SettingsIcon size={16} aria-hidden />
        <div>
          <strong>Set up SignalWire to send and receive texts.</strong> {setup.message}
        </div>
        <button type="button" className="button small" onClick={onOpenSettings}>
          Open Settings
        </button>
      </div>
    );
  }
  if (setup.state === "ready" && !setup.numbers.some((n) => n.sms)) {
    return (
      <div className="notice-box sms-setup" data-testid="sms-setup">
        <SettingsIcon size={16} aria-hidden />
        <div>
          <strong>No number to text from.</strong> Your SignalWire project has no SMS-capable number: buy one in Settings → Phone numbers.
        </div>
        <button type="button" className="button small" onClick={onOpenSettings}>
          Open Settings
        </button>
      </div>
    );
  }
  if (setup.state === "error") {
    return (
      <div className="error-box sms-setup" role="alert" data-testid="sms-setup">
        <AlertCircle size={16} aria-hidden />
        <div>Could not list your SignalWire numbers: {setup.message}</div>
        <button type="button" className="button small" onClick={onRetry}>
          Try again
        </button>
      </div>
    );
  }
  return null;
}

type NewMessageProps = {
  to: string;
  onToChange: (to: string) => void;
  inputRef: RefObject<HTMLInputElement>;
  onCancel: () => void;
};

/** The "To" of a new text, with who the number belongs to. */
function NewMessageHeader({ to, onToChange, inputRef, onCancel }: NewMessageProps) {
  const backend = useBackend();
  const typed = useDebounced(to, SMS_SEARCH_DEBOUNCE_MS);
  const [lookup, setLookup] = useState<NumberLookup | null>(null);
  useEffect(() => {
    let stale = false;
    if (typed.trim() === "") {
      setLookup(null);
      return;
    }
    backend.lookupNumber(typed).then(
      (r) => !stale && setLookup(r),
      () => !stale && setLookup(null),
    );
    return () => {
      stale = true;
    };
  }, [backend, typed]);

  return (
    <section className="sms-conversation" aria-label="New message">
      <header className="sms-conversation-header">
        <div className="sms-conversation-title">
          <h2>New message</h2>
        </div>
        <button type="button" className="icon-button" aria-label="Close new message" onClick={onCancel}>
          <X size={16} aria-hidden />
        </button>
      </header>
      <div className="sms-new-to">
        <div className="field">
          <label htmlFor="sms-to">To</label>
          <input
            id="sms-to"
            ref={inputRef}
            data-testid="sms-to"
            type="tel"
            inputMode="tel"
            autoComplete="off"
            spellCheck={false}
            placeholder="(555) 123-4567 or +44 20…"
            value={to}
            onChange={(e) => onToChange(e.target.value)}
          />
        </div>
        <div className="small sms-to-lookup" aria-live="polite" data-testid="sms-to-lookup">
          {lookup?.error && <span className="dialer-error">{lookup.error}</span>}
          {lookup?.e164 && (
            <span>
              {lookup.display ?? lookup.e164} · {lookup.lead ? lookup.lead.name : <span className="pill sms-unknown">Unknown number</span>}
            </span>
          )}
        </div>
      </div>
      <div className="sms-scroll" />
    </section>
  );
}
