import { useCallback, useEffect, useRef, useState } from "react";
import { errorCode, errorMessage, useBackend } from "./backend";
import type { AppInfo, ErrorCode } from "./generated/bindings";
import { DialerPage } from "./features/dialer/DialerPage";
import { LeadsPage, type LeadsCommand } from "./features/leads/LeadsPage";
import { MessagesPage, type MessagesCommand } from "./features/messages/MessagesPage";
import { useRealtime } from "./features/messages/useRealtime";
import { useUnreadTexts } from "./features/messages/useUnreadTexts";
import { SettingsPage } from "./features/settings/SettingsPage";
import { EscapeProvider, useEscapeLayer, useEscapeStack } from "./features/shell/escape";
import { hasCommandModifier, isTypingTarget } from "./features/shell/keys";
import { ShortcutsHelp } from "./features/shell/ShortcutsHelp";
import { Sidebar, type Page } from "./features/shell/Sidebar";
import { StartupError } from "./features/shell/StartupError";
import { ToastProvider, useToast } from "./features/shell/Toast";
import { SyncPanel } from "./features/sync/SyncPanel";
import { useSync } from "./features/sync/useSync";

type LeadsCommandInput = LeadsCommand extends infer C ? (C extends LeadsCommand ? Omit<C, "nonce"> : never) : never;

type Startup =
  | { state: "loading" }
  | { state: "failed"; code: ErrorCode | null; message: string }
  | { state: "ready"; info: AppInfo };

export function App() {
  return (
    <ToastProvider>
      <EscapeProvider>
        <Shell />
      </EscapeProvider>
    </ToastProvider>
  );
}

function Shell() {
  const backend = useBackend();
  const [startup, setStartup] = useState<Startup>({ state: "loading" });
  const [retrying, setRetrying] = useState(false);

  const start = useCallback(async () => {
    try {
      const info = await backend.appInfo();
      setStartup({ state: "ready", info });
    } catch (err) {
      setStartup({ state: "failed", code: errorCode(err), message: errorMessage(err) });
    }
  }, [backend]);

  useEffect(() => {
    void start();
  }, [start]);

  // Report the first interactive paint once: after the frame that shows the workspace.
  const reported = useRef(false);
  useEffect(() => {
    if (startup.state !== "ready" || reported.current) return;
    reported.current = true;
    requestAnimationFrame(() => requestAnimationFrame(() => void backend.uiReady().catch(() => undefined)));
  }, [startup.state, backend]);

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
  return <Workspace info={startup.info} />;
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
  /** Bumps when leads were created outside the Leads page or pulled from the team backend: its table re-reads. */
  const [leadsVersion, setLeadsVersion] = useState(0);
  /** Bumps when the live connection reports new or changed texts (or a sync pulled rows). */
  const [liveVersion, setLiveVersion] = useState(0);
  const nonce = useRef(0);
  const unreadTexts = useUnreadTexts(backend);
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
  const openLead = useCallback((leadId: string) => sendToLeads({ kind: "openLead", leadId }), [sendToLeads]);
  const textNumber = useCallback(
    (to: string) => {
      navigate("messages");
      setMessagesCommand({ kind: "compose", to, nonce: ++nonce.current });
    },
    [navigate],
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
    unreadTexts.refresh();
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
        else sendToLeads({ kind: "focusSearch" });
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [escapeStack, navigate, sendToLeads, syncFromShortcut]);

  return (
    <div className="app">
      <Sidebar
        page={page}
        onNavigate={navigate}
        leadCount={leadCount}
        unreadTexts={unreadTexts.count}
        version={info.version}
        onShowHelp={() => setHelpOpen(true)}
        sync={sync.status}
        syncRunning={sync.run.state === "running"}
        syncPanelOpen={syncOpen}
        onOpenSync={() => setSyncOpen(true)}
      />
      <main className="content">
        {/* Pages stay mounted once visited so search, scroll position and typed numbers survive navigation. */}
        <div className="page-slot" hidden={page !== "leads"}>
          <LeadsPage
            active={page === "leads"}
            command={leadsCommand}
            dataVersion={leadsVersion}
            onDataChanged={refreshLeadCount}
            onTextLead={textNumber}
          />
        </div>
        {visited.has("dialer") && (
          <div className="page-slot" hidden={page !== "dialer"}>
            <DialerPage
              active={page === "dialer"}
              dialDisabledReason={info.dialDisabledReason}
              onOpenLead={openLead}
            />
          </div>
        )}
        {visited.has("messages") && (
          <div className="page-slot" hidden={page !== "messages"}>
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
          </div>
        )}
        {visited.has("settings") && (
          <div className="page-slot" hidden={page !== "settings"}>
            <SettingsPage />
          </div>
        )}
      </main>
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
  );
}
