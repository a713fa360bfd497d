import { Suspense, useCallback, useEffect, useRef, useState, type ReactElement, type ReactNode } from "react";
import { BackendProvider, errorCode, errorMessage, useBackend } from "./backend";
import type { Started } from "./startup";
import type { AppInfo, CallHistoryItem, ErrorCode } from "./generated/bindings";
import { X } from "lucide-react";
import { callerName } from "./features/calls/callText";
import { FirstPaintProvider, newFirstPaint } from "./lib/firstPaint";
import { lazyPage } from "./lib/lazyPage";
import { PageBoundary } from "./lib/PageBoundary";
import { useAwaitingCalls } from "./features/calls/useAwaitingCalls";
import { WrapUpDialog } from "./features/calls/WrapUpDialog";
import type { DialerCommand } from "./features/dialer/DialerPage";
import { useLinks } from "./features/dialer/useLinks";

import { useOverdueFollowUps } from "./features/followups/useOverdueFollowUps";

import type { RecordingsCommand } from "./features/recordings/RecordingsPage";
import { CreateLeadDialog } from "./features/leads/CreateLeadDialog";
import { CallPanel } from "./features/phone/CallPanel";
import { displayNumber } from "./features/phone/numberDisplay";
import { PhoneProvider, usePhone, type PhoneCall } from "./features/phone/usePhone";
import { LeadsPage, type LeadsCommand } from "./features/leads/LeadsPage";
import { DashboardStrip } from "./features/analytics/DashboardStrip";
import type { MessagesCommand } from "./features/messages/MessagesPage";
import { useRealtime } from "./features/messages/useRealtime";
import { useUnreadTexts } from "./features/messages/useUnreadTexts";
import type { SettingsCommand } from "./features/settings/SettingsPage";
import { EscapeProvider, useEscapeLayer, useEscapeStack } from "./features/shell/escape";
import { hasCommandModifier, isTypingTarget } from "./features/shell/keys";
import { ShortcutsHelp } from "./features/shell/ShortcutsHelp";
import { Sidebar, type Page } from "./features/shell/Sidebar";
import { StartupError } from "./features/shell/StartupError";
import { ToastProvider, useToast } from "./features/shell/Toast";
import { SyncPanel } from "./features/sync/SyncPanel";
import { useSync } from "./features/sync/useSync";

// Pages other than Leads load on first visit: the first paint parses and holds only what it shows.
const DialerPage = lazyPage(() => import("./features/dialer/DialerPage").then((m) => m.DialerPage));
const CampaignsPage = lazyPage(() => import("./features/campaigns/CampaignsPage").then((m) => m.CampaignsPage));
const MessagesPage = lazyPage(() => import("./features/messages/MessagesPage").then((m) => m.MessagesPage));
const FollowUpsPage = lazyPage(() => import("./features/followups/FollowUpsPage").then((m) => m.FollowUpsPage));
const HistoryPage = lazyPage(() => import("./features/history/HistoryPage").then((m) => m.HistoryPage));
const RecordingsPage = lazyPage(() => import("./features/recordings/RecordingsPage").then((m) => m.RecordingsPage));
const SettingsPage = lazyPage(() => import("./features/settings/SettingsPage").then((m) => m.SettingsPage));
const AnalyticsPage = lazyPage(() => import("./features/analytics/AnalyticsPage").then((m) => m.AnalyticsPage));

/** Loads every page that the first paint leaves out (the UI tests call it before rendering). */
export async function preloadPages(): Promise<void> {
  await Promise.all([DialerPage, CampaignsPage, MessagesPage, FollowUpsPage, HistoryPage, RecordingsPage, AnalyticsPage, SettingsPage].map((page) => page.preload()));
}

type LeadsCommandInput = LeadsCommand extends infer C ? (C extends LeadsCommand ? Omit<C, "nonce"> : never) : never;

type Startup =
  | { state: "loading" }
  | { state: "failed"; code: ErrorCode | null; message: string }
  | { state: "ready"; info: AppInfo };

/**
 * The app on a backend, as the window starts it (main.tsx) and the UI tests render it, with the
 * start-up's `appInfo()` already asked (boot.ts: in the window, before React is evaluated) and,
 * when it came in time, answered (startup.ts).
 */
export function appRoot({ backend, ...first }: Started): ReactElement {
  return (
    <BackendProvider backend={backend}>
      <App {...first} />
    </BackendProvider>
  );
}

type First = Omit<Started, "backend">;

function App(first: First) {
  return (
    <ToastProvider>
      <EscapeProvider>
        <Shell {...first} />
      </EscapeProvider>
    </ToastProvider>
  );
}

/** Answered before the first render: the workspace at once. Otherwise the splash until it is. */
function Shell({ firstInfo, answered }: First) {
  const backend = useBackend();
  const [startup, setStartup] = useState<Startup>(() => (answered ? { state: "ready", info: answered } : { state: "loading" }));
  const [retrying, setRetrying] = useState(false);
  const [firstPaint] = useState(newFirstPaint);
  /** The start-up's pending answer until the first start takes it; then each retry asks again. */
  const asked = useRef<Promise<AppInfo> | undefined>(answered ? undefined : firstInfo);

  const start = useCallback(async () => {
    try {
      // The first start takes the answer main.tsx asked for; a retry asks again.
      const pending = asked.current ?? backend.appInfo();
      asked.current = undefined;
      const info = await pending;
      setStartup({ state: "ready", info });
    } catch (err) {
      setStartup({ state: "failed", code: errorCode(err), message: errorMessage(err) });
    }
  }, [backend]);

  useEffect(() => {
    // Only while the start-up's answer is pending: retries call start themselves.
    if (asked.current) void start();
  }, [start]);

  // Report the first interactive paint once: after the frame that shows the workspace.
  const reported = useRef(false);
  useEffect(() => {
    if (startup.state !== "ready" || reported.current) return;
    reported.current = true;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        firstPaint.reached();
        void backend.uiReady().catch(() => undefined);
      }),
    );
  }, [startup.state, backend, firstPaint]);

  if (startup.state === "loading") {
    return (
      <div className="splash" aria-busy="true">
        Opening Ringdesk…
      </div>
    );
  }
  if (startup.state === "failed") {
    return (
      <StartupError
        code={startup.code}
        message={startup.message}
        retrying={retrying}
        onRetry={async () => {
          setRetrying(true);
          await start();
          setRetrying(false);
        }}
      />
    );
  }
  return (
    <FirstPaintProvider value={firstPaint.drawn}>
      <Workspace info={startup.info} />
    </FirstPaintProvider>
  );
}

function Workspace({ info }: { info: AppInfo }) {
  const backend = useBackend();
  const toast = useToast();
  const escapeStack = useEscapeStack();
  const [page, setPage] = useState<Page>("leads");
  const [visited, setVisited] = useState<Set<Page>>(() => new Set(["leads"]));
  const [leadCount, setLeadCount] = useState(info.leadCount);
  const [helpOpen, setHelpOpen] = useState(false);
  const [syncOpen, setSyncOpen] = useState(false);
  const [leadsCommand, setLeadsCommand] = useState<LeadsCommand | null>(null);
  const [messagesCommand, setMessagesCommand] = useState<MessagesCommand | null>(null);
  const [recordingsCommand, setRecordingsCommand] = useState<RecordingsCommand | null>(null);
  const [dialerCommand, setDialerCommand] = useState<DialerCommand | null>(null);
  const [settingsCommand, setSettingsCommand] = useState<SettingsCommand | null>(null);
  /** The call the wrap-up dialog shows; null while it is closed. */
  const [wrapUpCall, setWrapUpCall] = useState<CallHistoryItem | null>(null);
  /** Bumps when calls were wrapped up or follow-ups changed elsewhere: History and Follow-ups re-read. */
  const [callsVersion, setCallsVersion] = useState(0);
  /** Bumps when leads were created outside the Leads page or pulled from the team backend: its table re-reads. */
  const [leadsVersion, setLeadsVersion] = useState(0);
  /** Bumps when the live connection reports new or changed texts (or a sync pulled rows). */
  const [liveVersion, setLiveVersion] = useState(0);
  const nonce = useRef(0);
  const unreadTexts = useUnreadTexts(backend);
  const awaiting = useAwaitingCalls(backend);
  // Reminder events keep the badge current; follow-ups that just fell due refresh the Follow-ups page.
  const overdueFollowUps = useOverdueFollowUps(backend, () => setCallsVersion((v) => v + 1));
  const pageRef = useRef(page);
  pageRef.current = page;

  const navigate = useCallback((p: Page) => {
    setPage(p);
    setVisited((v) => (v.has(p) ? v : new Set(v).add(p)));
  }, []);

  const sendToLeads = useCallback(
    (command: LeadsCommandInput) => {
      navigate("leads");
      setLeadsCommand({ ...command, nonce: ++nonce.current });
    },
    [navigate],
  );

  const openSettings = useCallback(() => navigate("settings"), [navigate]);
  /** The phone status (not ready): Settings at the SIP account. */
  const openSipSettings = useCallback(() => {
    navigate("settings");
    setSettingsCommand({ kind: "showSip", nonce: ++nonce.current });
  }, [navigate]);
  const openLead = useCallback((leadId: string) => sendToLeads({ kind: "openLead", leadId }), [sendToLeads]);
  const textNumber = useCallback(
    (to: string) => {
      navigate("messages");
      setMessagesCommand({ kind: "compose", to, nonce: ++nonce.current });
    },
    [navigate],
  );

  // tel: / ringdesk://dial links clicked on the desktop: the dialer opens filled in with the number
  // and its lead (it dials only when the agent turned on "Links dial immediately"). A link that
  // cannot be read only shows why; nothing else changes.
  const [linkError, setLinkError] = useState<{ link: string; message: string } | null>(null);
  useLinks(backend, (notice) => {
    if (notice.kind === "invalid") {
      setLinkError({ link: notice.link, message: notice.message });
      return;
    }
    setLinkError(null);
    navigate("dialer");
    setDialerCommand({ kind: "link", target: notice.target, nonce: ++nonce.current });
  });

  // Calls that ended without a wrap-up: at start the dialog opens with the newest of them; later
  // the notice in the navigation opens it. Closing it leaves them waiting (the notice stays).
  const autoOpened = useRef(false);
  useEffect(() => {
    if (autoOpened.current || awaiting.calls === null) return;
    autoOpened.current = true;
    if (awaiting.calls.length > 0) setWrapUpCall(awaiting.calls[0]);
  }, [awaiting.calls]);

  const refreshAwaiting = awaiting.refresh;
  const openWrapUp = useCallback(() => {
    void refreshAwaiting().then((calls) => setWrapUpCall(calls[0] ?? null));
  }, [refreshAwaiting]);

  // The softphone: a call that ended or failed opens its wrap-up (unless another one is open).
  const phone = usePhone(backend, {
    onEnded: (callLogId, phase, detail) => {
      if (phase === "failed") toast(`Call failed${detail ? `: ${detail}` : "."}`, "error");
      void refreshAwaiting().then((calls) => {
        const ended = calls.find((c) => c.id === callLogId);
        if (ended) setWrapUpCall((open) => open ?? ended);
      });
    },
    onMissed: (call) => {
      setCallsVersion((v) => v + 1);
      const named = call.lead?.name ?? call.displayName;
      if (named || !call.number) return toast(`Missed call from ${named ?? "an unknown number"}.`);
      void displayNumber(backend, call.number).then((number) => toast(`Missed call from ${number}.`));
    },
  });
  const phoneRef = useRef(phone);
  phoneRef.current = phone;
  /** The unknown caller "Create lead" is for. */
  const [leadForCall, setLeadForCall] = useState<PhoneCall | null>(null);

  const refreshOverdue = overdueFollowUps.refresh;
  /** A wrap-up was saved: the next waiting call opens, if any; the lead's status and the lists changed. */
  const onWrapUpSaved = useCallback(
    async (saved: CallHistoryItem, label: string) => {
      setCallsVersion((v) => v + 1);
      setLeadsVersion((v) => v + 1);
      refreshOverdue();
      const rest = (await refreshAwaiting()).filter((c) => c.id !== saved.id);
      setWrapUpCall(rest[0] ?? null);
      toast(`Saved: ${label} — ${callerName(saved)}.${rest.length === 0 ? " All calls are wrapped up." : ""}`);
    },
    [refreshAwaiting, refreshOverdue, toast],
  );

  const refreshLeadCount = useCallback(() => {
    backend.appInfo().then(
      (i) => setLeadCount(i.leadCount),
      () => {},
    );
  }, [backend]);

  const onLeadCreatedInMessages = useCallback(() => {
    refreshLeadCount();
    setLeadsVersion((v) => v + 1);
  }, [refreshLeadCount]);

  // The live SignalWire connection (started by the shell): texts arriving or changing refresh the
  // badge and, when it is open, the Messages page; a clicked notification opens its conversation.
  const live = useRealtime(backend, {
    onTextsChanged: () => {
      unreadTexts.refresh();
      setLiveVersion((v) => v + 1);
    },
    onOpenConversation: (contact) => {
      navigate("messages");
      setMessagesCommand({ kind: "openConversation", contact, nonce: ++nonce.current });
    },
  });

  // Replication with the team backend: rows it pulled refresh the counts, the Leads table (and
  // an open lead) and, when it is open, the Messages page. Notices without changes refresh nothing.
  const sync = useSync(backend, () => {
    refreshLeadCount();
    setLeadsVersion((v) => v + 1);
    setLiveVersion((v) => v + 1);
    setCallsVersion((v) => v + 1);
    unreadTexts.refresh();
    void refreshAwaiting();
    refreshOverdue();
  });
  const syncOpenRef = useRef(syncOpen);
  syncOpenRef.current = syncOpen;
  const runSyncNow = sync.syncNow;
  /** Ctrl+Shift+S: the panel shows the result when open, a toast when not. */
  const syncFromShortcut = useCallback(() => {
    void runSyncNow().then((outcome) => {
      if (syncOpenRef.current) return;
      if (outcome.state === "done") toast(`Synced: ${outcome.text}`);
      else if (outcome.state === "error") toast(`Sync failed: ${outcome.message}`, "error");
    });
  }, [runSyncNow, toast]);

  useEscapeLayer(helpOpen, () => setHelpOpen(false));

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        const top = escapeStack.top();
        if (top && !e.defaultPrevented) {
          e.preventDefault();
          top();
        }
        return;
      }
      if (hasCommandModifier(e) && e.shiftKey && !e.altKey && "ahmo".includes(e.key.toLowerCase()) && e.key.length === 1) {
        // Call control: answer the ringing call; hang up, mute, hold the current one.
        const p = phoneRef.current;
        const key = e.key.toLowerCase();
        const target = key === "a" ? p.calls.find((c) => c.ringingIn) : p.current();
        if (!target) return;
        e.preventDefault();
        if (key === "a") void p.answer(target.callId);
        else if (key === "h") void p.hangUp(target.callId);
        else if (key === "m") void p.toggleMute(target.callId);
        else void p.toggleHold(target.callId);
        return;
      }
      if (hasCommandModifier(e) && e.shiftKey && !e.altKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        setHelpOpen(false);
        syncFromShortcut();
        return;
      }
      if (hasCommandModifier(e) && !e.altKey && !e.shiftKey) {
        const key = e.key.toLowerCase();
        const action: (() => void) | undefined = {
          "1": () => navigate("leads"),
          "2": () => navigate("dialer"),
          "3": () => navigate("settings"),
          "4": () => navigate("messages"),
          "5": () => navigate("followups"),
          "6": () => navigate("history"),
          "7": () => navigate("recordings"),
          "8": () => navigate("campaigns"),
          "9": () => navigate("analytics"),
          // Ctrl+F searches the Recordings page (elsewhere it is left to the page).
          f: pageRef.current === "recordings" ? () => setRecordingsCommand({ kind: "focusSearch", nonce: ++nonce.current }) : undefined,
          k: () => sendToLeads({ kind: "focusSearch" }),
          i: () => sendToLeads({ kind: "import" }),
          e: () => sendToLeads({ kind: "export" }),
        }[key];
        if (action) {
          e.preventDefault();
          setHelpOpen(false);
          action();
        }
        return;
      }
      if (e.altKey || hasCommandModifier(e) || isTypingTarget(e.target)) return;
      if (e.key === "?") {
        e.preventDefault();
        setHelpOpen((open) => !open);
      } else if (e.key === "/" && !document.querySelector('[aria-modal="true"]')) {
        e.preventDefault();
        // "/" searches what is on screen: conversations on Messages, leads everywhere else.
        if (pageRef.current === "messages") setMessagesCommand({ kind: "focusSearch", nonce: ++nonce.current });
        else if (pageRef.current === "recordings") setRecordingsCommand({ kind: "focusSearch", nonce: ++nonce.current });
        else sendToLeads({ kind: "focusSearch" });
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [escapeStack, navigate, sendToLeads, syncFromShortcut]);

  return (
    <PhoneProvider value={phone}>
    <div className="app">
      <Sidebar
        page={page}
        onNavigate={navigate}
        leadCount={leadCount}
        unreadTexts={unreadTexts.count}
        overdueFollowUps={overdueFollowUps.count}
        callsToWrapUp={awaiting.calls?.length ?? 0}
        wrapUpOpen={wrapUpCall !== null}
        onOpenWrapUp={openWrapUp}
        version={info.version}
        onShowHelp={() => setHelpOpen(true)}
        sync={sync.status}
        syncRunning={sync.run.state === "running"}
        syncPanelOpen={syncOpen}
        onOpenSync={() => setSyncOpen(true)}
        phoneRegistration={phone.registration}
        dialDisabledReason={info.dialDisabledReason}
        onOpenPhoneSettings={openSipSettings}
      />
      <main className="content">
        {linkError && (
          <div className="error-box link-error" role="alert" data-testid="link-error">
            <div>
              <strong>Could not open the link</strong> <code className="link-error-link">{linkError.link}</code>: {linkError.message}
            </div>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setLinkError(null)}>
              <X size={14} aria-hidden />
            </button>
          </div>
        )}
        {/* Pages stay mounted once visited so search, scroll position and typed numbers survive navigation. */}
        <div className="page-slot" hidden={page !== "leads"}>
          <DashboardStrip active={page === "leads"} dataVersion={callsVersion} onOpen={() => navigate("analytics")} onOpenFollowUps={() => navigate("followups")} />
          <LeadsPage
            active={page === "leads"}
            command={leadsCommand}
            dataVersion={leadsVersion}
            onDataChanged={refreshLeadCount}
            onTextLead={textNumber}
          />
        </div>
        <Suspense fallback={<div className="page-loading" aria-busy="true" />}>
        <PageSlot id="dialer" page={page} visited={visited} name="Dialer">
          <DialerPage
            active={page === "dialer"}
            command={dialerCommand}
            dialDisabledReason={phone.registration?.registered ? null : info.dialDisabledReason}
            onOpenLead={openLead}
          />
        </PageSlot>
        <PageSlot id="campaigns" page={page} visited={visited} name="Campaigns">
          <CampaignsPage active={page === "campaigns"} dataVersion={callsVersion} onOpenLead={openLead} />
        </PageSlot>
        <PageSlot id="messages" page={page} visited={visited} name="Messages">
          <MessagesPage
            active={page === "messages"}
            command={messagesCommand}
            unreadCount={unreadTexts.count}
            onUnreadChanged={unreadTexts.refresh}
            onOpenSettings={openSettings}
            onLeadCreated={onLeadCreatedInMessages}
            onOpenLead={openLead}
            live={live}
            liveVersion={liveVersion}
          />
        </PageSlot>
        <PageSlot id="followups" page={page} visited={visited} name="Follow-ups">
          <FollowUpsPage
            active={page === "followups"}
            dataVersion={callsVersion}
            onChanged={refreshOverdue}
            onOpenLead={openLead}
          />
        </PageSlot>
        <PageSlot id="history" page={page} visited={visited} name="History">
          <HistoryPage active={page === "history"} dataVersion={callsVersion} onOpenLead={openLead} />
        </PageSlot>
        <PageSlot id="recordings" page={page} visited={visited} name="Recordings">
          <RecordingsPage active={page === "recordings"} command={recordingsCommand} dataVersion={callsVersion} onOpenSettings={openSettings} />
        </PageSlot>
        <PageSlot id="analytics" page={page} visited={visited} name="Analytics">
          <AnalyticsPage active={page === "analytics"} dataVersion={callsVersion} />
        </PageSlot>
        <PageSlot id="settings" page={page} visited={visited} name="Settings">
          <SettingsPage active={page === "settings"} command={settingsCommand} />
        </PageSlot>
        </Suspense>
      </main>
      {wrapUpCall !== null && (
        <WrapUpDialog
          call={wrapUpCall}
          waiting={Math.max(1, awaiting.calls?.length ?? 1)}
          drafts={awaiting.drafts}
          onClose={() => setWrapUpCall(null)}
          onSaved={(saved, label) => void onWrapUpSaved(saved, label)}
        />
      )}
      <CallPanel
        phone={phone}
        onOpenLead={openLead}
        onCreateLead={setLeadForCall}
        onVoicemailDropped={() => {
          // Its outcome is saved: the history and a campaign's session move on.
          setCallsVersion((v) => v + 1);
          setLeadsVersion((v) => v + 1);
          void refreshAwaiting();
        }}
      />
      {leadForCall !== null && (
        <CreateLeadDialog
          phone={leadForCall.number ?? ""}
          onClose={() => setLeadForCall(null)}
          onCreated={(lead) => {
            phone.setLead(leadForCall.callId, { leadId: lead.id, name: lead.name, company: lead.company, status: lead.status });
            setLeadForCall(null);
            refreshLeadCount();
            setLeadsVersion((v) => v + 1);
            toast(`Lead “${lead.name}” created.`);
          }}
        />
      )}
      {helpOpen && <ShortcutsHelp onClose={() => setHelpOpen(false)} />}
      {syncOpen && (
        <SyncPanel
          sync={sync}
          onClose={() => setSyncOpen(false)}
          onOpenSettings={() => {
            setSyncOpen(false);
            navigate("settings");
          }}
        />
      )}
    </div>
    </PhoneProvider>
  );
}

type PageSlotProps = { id: Page; page: Page; visited: Set<Page>; name: string; children: ReactNode };

/** A page once visited stays mounted (hidden while another shows), inside its error boundary. */
function PageSlot({ id, page, visited, name, children }: PageSlotProps) {
  if (!visited.has(id)) return null;
  return (
    <div className="page-slot" hidden={page !== id}>
      <PageBoundary name={name}>{children}</PageBoundary>
    </div>
  );
}
