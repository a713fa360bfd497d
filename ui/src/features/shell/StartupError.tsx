import { DatabaseZap } from "lucide-react";
import type { ErrorCode } from "../../generated/bindings";

const TITLES: Partial<Record<ErrorCode, { title: string; help: string }>> = {
  databaseNewer: {
    title: "This database belongs to a newer Ringdesk",
    help: "It was written by a newer version of Ringdesk than this one. Install the latest version to open it.",
  },
  databaseCorrupt: {
    title: "The lead database is damaged",
    help: "Ringdesk could not read its database file. Restore it from a backup, or move it aside to start with an empty one.",
  },
};

type Props = { code: ErrorCode | null; message: string; onRetry: () => void; retrying: boolean };

/** Blocking full-screen error shown when the app cannot start (no navigation behind it). */
export function StartupError({ code, message, onRetry, retrying }: Props) {
  const text = (code && TITLES[code]) ?? {
    title: "Ringdesk could not start",
    help: "Something went wrong while opening your data.",
  };
  return (
    <div className="startup-backdrop">
      <div
        className="startup-error"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="startup-error-title"
        aria-describedby="startup-error-message"
        data-testid="startup-error"
      >
        <DatabaseZap size={36} className="startup-icon" aria-hidden />
        <h1 id="startup-error-title">{text.title}</h1>
        <p>{text.help}</p>
        <pre className="error-detail" id="startup-error-message">
          {message}
        </pre>
        <p className="muted">Your database file was left untouched: nothing was changed or deleted.</p>
        <div className="actions">
          <button type="button" className="button primary" onClick={onRetry} disabled={retrying}>
            {retrying ? "Trying again…" : "Try again"}
          </button>
        </div>
      </div>
    </div>
  );
}
