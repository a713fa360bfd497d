import { Loader2 } from "lucide-react";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { useEscapeLayer } from "./escape";

type Props = {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  /** Red confirm button (releasing, deleting). */
  danger?: boolean;
  /** The confirmed action is running: both buttons are disabled. */
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
};

/**
 * Asks before an action that costs money or cannot be undone. Cancel has the focus (Enter does
 * not confirm by accident); Escape and a click outside cancel; focus returns to where it was.
 */
export function ConfirmDialog({ title, children, confirmLabel, danger = false, busy = false, onConfirm, onCancel, testId }: Props) {
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEscapeLayer(!busy, onCancel);
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelRef.current?.focus();
    return () => {
      if (previous?.isConnected) previous.focus();
    };
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <div
        className="modal modal-narrow"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={children ? `${id}-body` : undefined}
        data-testid={testId}
      >
        <header className="modal-header">
          <h2 id={`${id}-title`}>{title}</h2>
        </header>
        {children && (
          <div className="modal-body" id={`${id}-body`}>
            {children}
          </div>
        )}
        <footer className="modal-footer">
          <button ref={cancelRef} type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={`button ${danger ? "danger" : "primary"}`} onClick={onConfirm} disabled={busy}>
            {busy && <Loader2 size={14} className="spin" aria-hidden />}
            {confirmLabel}
          </button>
        </footer>
      </div>
    </div>
  );
}
