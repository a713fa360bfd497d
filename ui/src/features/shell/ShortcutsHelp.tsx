import { X } from "lucide-react";
import { useEffect, useRef } from "react";

export const SHORTCUTS: { keys: string[]; action: string }[] = [
  { keys: ["Ctrl", "1"], action: "Go to Leads" },
  { keys: ["Ctrl", "2"], action: "Go to Dialer" },
  { keys: ["Ctrl", "3"], action: "Go to Settings" },
  { keys: ["Ctrl", "4"], action: "Go to Messages" },
  { keys: ["Ctrl", "5"], action: "Go to Follow-ups" },
  { keys: ["Ctrl", "6"], action: "Go to History" },
  { keys: ["Ctrl", "7"], action: "Go to Recordings" },
  { keys: ["Ctrl", "8"], action: "Go to Campaigns" },
  { keys: ["Ctrl", "9"], action: "Go to Analytics" },
  { keys: ["N"], action: "Campaigns: new campaign" },
  { keys: ["D"], action: "Campaign session: dial now" },
  { keys: ["S"], action: "Campaign session: skip the lead" },
  { keys: ["P"], action: "Campaign session: pause or resume" },
  { keys: ["V"], action: "Campaign session: drop a voicemail into the call" },
  { keys: ["Ctrl", "K"], action: "Search leads" },
  { keys: ["/"], action: "Search leads (on Messages: search conversations; on Recordings: search recordings)" },
  { keys: ["Ctrl", "F"], action: "Recordings: search recordings" },
  { keys: ["Space"], action: "Recordings: play or pause (player focused)" },
  { keys: ["Ctrl", "I"], action: "Import leads from CSV" },
  { keys: ["Ctrl", "E"], action: "Export leads to CSV" },
  { keys: ["Ctrl", "Shift", "S"], action: "Sync with the team backend now" },
  { keys: ["Ctrl", "Shift", "A"], action: "Answer the incoming call" },
  { keys: ["Ctrl", "Shift", "H"], action: "Hang up" },
  { keys: ["Ctrl", "Shift", "M"], action: "Mute or unmute" },
  { keys: ["Ctrl", "Shift", "O"], action: "Hold or resume" },
  { keys: ["0–9", "*", "#"], action: "In a call (panel focused): send keys" },
  { keys: ["↑", "↓"], action: "Move through the lead table" },
  { keys: ["Enter"], action: "Open the selected lead" },
  { keys: ["Esc"], action: "Close dialog or panel; undo an unsaved field edit" },
  { keys: ["0–9", "*", "#", "+"], action: "Dialer: type a number from anywhere on the page" },
  { keys: ["↑", "↓"], action: "Messages: move between conversations" },
  { keys: ["Ctrl", "Enter"], action: "Messages: send the text" },
  { keys: ["1–9"], action: "Wrap up call: choose the outcome" },
  { keys: ["Ctrl", "Enter"], action: "Wrap up call: save" },
  { keys: ["?"], action: "Show or hide this help" },
];

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal modal-narrow" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts-help">
        <header className="modal-header">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button ref={closeRef} type="button" className="icon-button" aria-label="Close" onClick={onClose}>
            <X size={18} aria-hidden />
          </button>
        </header>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action + s.keys.join()}>
                <td className="keys">
                  {s.keys.map((k, i) => (
                    <kbd key={i}>{k}</kbd>
                  ))}
                </td>
                <td>{s.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">On macOS, ⌘ works wherever Ctrl is shown. Single-key shortcuts are ignored while you type in a field.</p>
      </div>
    </div>
  );
}
