import { Phone, PhoneOff, type LucideIcon } from "lucide-react";
import type { Registration } from "./usePhone";

export type PhoneState = "ready" | "offline" | "none";

const ICONS: Record<PhoneState, LucideIcon> = { ready: Phone, offline: PhoneOff, none: PhoneOff };
const LABELS: Record<PhoneState, string> = { ready: "Phone ready", offline: "Phone offline", none: "No phone line" };

/**
 * What the softphone's line is: registered (ready), not registered (offline), or not set up (none:
 * no registration notice and appInfo's dialDisabledReason says why). null: a line is set up but
 * has not reported yet.
 */
export function phoneState(registration: Registration | null, dialDisabledReason: string | null): PhoneState | null {
  if (registration) return registration.registered ? "ready" : "offline";
  return dialDisabledReason ? "none" : null;
}

type Props = {
  /** The last registration notice; null before one arrived. */
  registration: Registration | null;
  /** From appInfo(): why calling is not possible yet; null when a phone line exists. */
  dialDisabledReason: string | null;
  /** Opens Settings at the SIP account (offered when the phone is not ready). */
  onOpenSettings: () => void;
};

/**
 * The navigation's phone status, beside the sync indicator: Phone ready / Phone offline / No phone
 * line, the details as tooltip. When the phone is not ready it opens the SIP account settings.
 */
export function PhoneStatus({ registration, dialDisabledReason, onOpenSettings }: Props) {
  const state = phoneState(registration, dialDisabledReason);
  if (state === null) return null;
  const Icon = ICONS[state];
  const detail = state === "none" ? dialDisabledReason : registration?.detail || null;
  const row = (
    <span className="phone-status-row">
      <Icon size={16} aria-hidden className="phone-status-icon" />
      <span className="nav-label phone-status-label" data-testid="phone-status-label">
        {LABELS[state]}
      </span>
    </span>
  );
  if (state === "ready") {
    return (
      <div className="phone-status phone-ready" data-testid="phone-status" data-state={state} title={detail ?? undefined}>
        {row}
      </div>
    );
  }
  return (
    <button
      type="button"
      className={`phone-status phone-${state}`}
      data-testid="phone-status"
      data-state={state}
      title={detail ?? undefined}
      aria-description="Opens the SIP account settings"
      onClick={onOpenSettings}
    >
      {row}
    </button>
  );
}
