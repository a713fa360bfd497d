import { Keyboard, Phone, Settings as SettingsIcon, Users, type LucideIcon } from "lucide-react";

export type Page = "leads" | "dialer" | "settings";

// Only pages that exist are listed; History, Messages, Campaigns and Analytics join later.
const ITEMS: { page: Page; label: string; icon: LucideIcon; shortcut: string }[] = [
  { page: "leads", label: "Leads", icon: Users, shortcut: "Ctrl+1" },
  { page: "dialer", label: "Dialer", icon: Phone, shortcut: "Ctrl+2" },
  { page: "settings", label: "Settings", icon: SettingsIcon, shortcut: "Ctrl+3" },
];

type Props = {
  page: Page;
  onNavigate: (page: Page) => void;
  leadCount: number | null;
  version: string | null;
  onShowHelp: () => void;
};

export function Sidebar({ page, onNavigate, leadCount, version, onShowHelp }: Props) {
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
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-footer">
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
