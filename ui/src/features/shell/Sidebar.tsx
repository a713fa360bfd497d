import { BarChart3, ClipboardList, FileAudio, History, Keyboard, ListTodo, Megaphone, MessageSquare, Phone, Settings as SettingsIcon, Users, type LucideIcon } from "lucide-react";
import type { SyncStatus } from "../../generated/bindings";
import { PhoneStatus } from "../phone/PhoneStatus";
import type { Registration } from "../phone/usePhone";
import { SyncIndicator } from "../sync/SyncIndicator";

export type Page = "leads" | "dialer" | "campaigns" | "messages" | "followups" | "history" | "recordings" | "analytics" | "settings";

// Pages that came after
// Settings had Ctrl+3 take the next numbers (shortcuts that agents learned do not move).
const ITEMS: { page: Page; label: string; icon: LucideIcon; shortcut: string }[] = [
  { page: "leads", label: "Leads", icon: Users, shortcut: "Ctrl+1" },
  { page: "dialer", label: "Dialer", icon: Phone, shortcut: "Ctrl+2" },
  { page: "campaigns", label: "Campaigns", icon: Megaphone, shortcut: "Ctrl+8" },
  { page: "messages", label: "Messages", icon: MessageSquare, shortcut: "Ctrl+4" },
  { page: "followups", label: "Follow-ups", icon: ListTodo, shortcut: "Ctrl+5" },
  { page: "history", label: "History", icon: History, shortcut: "Ctrl+6" },
  { page: "recordings", label: "Recordings", icon: FileAudio, shortcut: "Ctrl+7" },
  { page: "analytics", label: "Analytics", icon: BarChart3, shortcut: "Ctrl+9" },
  { page: "settings", label: "Settings", icon: SettingsIcon, shortcut: "Ctrl+3" },
];

type Props = {
  page: Page;
  onNavigate: (page: Page) => void;
  leadCount: number | null;
  /** Unread inbound texts; the Messages badge shows when above zero. */
  unreadTexts: number | null;
  /** Overdue follow-ups; the Follow-ups badge shows when above zero. */
  overdueFollowUps: number | null;
  /** Calls that ended without a wrap-up: a notice above the sync indicator opens the wrap-up dialog. */
  callsToWrapUp: number;
  wrapUpOpen: boolean;
  onOpenWrapUp: () => void;
  version: string | null;
  onShowHelp: () => void;
  /** Replication with the team backend (the sync indicator); null until the service reported. */
  sync: SyncStatus | null;
  /** Sync now is running. */
  syncRunning: boolean;
  syncPanelOpen: boolean;
  onOpenSync: () => void;
  /** The softphone's last registration notice (the phone status); null before one arrived. */
  phoneRegistration: Registration | null;
  /** From appInfo(): why calling is not possible yet (no SIP line); null when a phone line exists. */
  dialDisabledReason: string | null;
  /** Opens Settings at the SIP account (the phone status when the phone is not ready). */
  onOpenPhoneSettings: () => void;
};

export function Sidebar({
  page,
  onNavigate,
  leadCount,
  unreadTexts,
  overdueFollowUps,
  callsToWrapUp,
  wrapUpOpen,
  onOpenWrapUp,
  version,
  onShowHelp,
  sync,
  syncRunning,
  syncPanelOpen,
  onOpenSync,
  phoneRegistration,
  dialDisabledReason,
  onOpenPhoneSettings,
}: Props) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden>
          <Phone size={16} />
        </span>
        Ringdesk
      </div>
      <ul className="nav-list">
        {ITEMS.map(({ page: p, label, icon: Icon, shortcut }) => (
          <li key={p}>
            <button
              type="button"
              className={`nav-item${page === p ? " active" : ""}`}
              aria-current={page === p ? "page" : undefined}
              data-testid={`nav-${p}`}
              title={`${label} (${shortcut})`}
              onClick={() => onNavigate(p)}
            >
              <Icon size={18} aria-hidden />
              <span className="nav-label">{label}</span>
              {p === "leads" && leadCount !== null && (
                <span className="badge" data-testid="lead-count" aria-label={`${leadCount} leads`}>
                  {leadCount}
                </span>
              )}
              {p === "messages" && unreadTexts !== null && unreadTexts > 0 && (
                <span className="badge badge-unread" data-testid="sms-unread" aria-label={`${unreadTexts} unread`}>
                  {unreadTexts}
                </span>
              )}
              {p === "followups" && overdueFollowUps !== null && overdueFollowUps > 0 && (
                <span className="badge badge-overdue" data-testid="followups-overdue-count" aria-label={`${overdueFollowUps} overdue`}>
                  {overdueFollowUps}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-footer">
        {callsToWrapUp > 0 && (
          <button
            type="button"
            className="nav-item wrapup-notice"
            data-testid="wrapup-notice"
            aria-haspopup="dialog"
            aria-expanded={wrapUpOpen}
            title="Save the outcome of calls that ended without one"
            onClick={onOpenWrapUp}
          >
            <ClipboardList size={18} aria-hidden />
            <span className="nav-label">{callsToWrapUp === 1 ? "1 call to wrap up" : `${callsToWrapUp} calls to wrap up`}</span>
          </button>
        )}
        <PhoneStatus registration={phoneRegistration} dialDisabledReason={dialDisabledReason} onOpenSettings={onOpenPhoneSettings} />
        <SyncIndicator status={sync} running={syncRunning} expanded={syncPanelOpen} onOpen={onOpenSync} />
        <button type="button" className="nav-item subtle" onClick={onShowHelp} title="Keyboard shortcuts (?)">
          <Keyboard size={18} aria-hidden />
          <span className="nav-label">Shortcuts</span>
          <kbd>?</kbd>
        </button>
        {version && <div className="version">v{version}</div>}
      </div>
    </nav>
  );
}
