import { Phone as PhoneIcon, PhoneOff } from "lucide-react";
import { useCallback, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { errorCode, errorMessage } from "../../backend";
import { ConfirmDialog } from "../shell/ConfirmDialog";
import { useToast } from "../shell/Toast";
import { usePhoneContext, type CallLead, type PlaceOptions } from "./usePhone";

/** The status a lead marked Do Not Call has: its phone button shows it (the core enforces it). */
const DO_NOT_CALL = "do_not_call";

/** What a call may override of Settings: the route, the caller ID and recording (null / absent: the default). */
export type CallOverrides = Omit<PlaceOptions, "overrideDnc">;

type Pending = { to: string; lead: CallLead | null; overrides: CallOverrides };

/**
 * Calls a number for a lead (placeCall: Settings' default route unless `overrides` says otherwise).
 * Whether it is Do Not Call is the core's rule (every lead owning the number): when the core
 * refuses the call as such ("conflict"), a warning asks for "Call anyway", which sends
 * overrideDnc. `onError` shows other failures (default: a toast). Render `dialog` somewhere.
 */
export function useDialAction(onError?: (message: string) => void) {
  const phone = usePhoneContext();
  const toast = useToast();
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);

  const report = useCallback(
    (message: string) => (onError ? onError(message) : toast(`Could not call: ${message}`, "error")),
    [onError, toast],
  );

  const place = useCallback(
    async (to: string, lead: CallLead | null, overrides: CallOverrides, overrideDnc: boolean) => {
      if (!phone) return;
      setBusy(true);
      try {
        await phone.place(to, lead, { ...overrides, overrideDnc });
        setPending(null);
      } catch (err) {
        if (!overrideDnc && errorCode(err) === "conflict") {
          setPending({ to, lead, overrides });
        } else {
          setPending(null);
          report(errorMessage(err));
        }
      } finally {
        setBusy(false);
      }
    },
    [phone, report],
  );

  const start = useCallback(
    (to: string, lead: CallLead | null, overrides: CallOverrides = {}) => void place(to, lead, overrides, false),
    [place],
  );

  // In a portal: a lead row is transformed (it would clip the dialog) and handles clicks itself.
  const dialog: ReactNode = pending
    ? createPortal(
        <div onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()} onMouseDown={(e) => e.stopPropagation()}>
    <ConfirmDialog
      title={`${pending.lead?.name ?? pending.to} is Do Not Call`}
      confirmLabel="Call anyway"
      danger
      busy={busy}
      testId="dnc-confirm"
      onCancel={() => setPending(null)}
      onConfirm={() => void place(pending.to, pending.lead, pending.overrides, true)}
    >
      This lead asked not to be called. Only call if you have their consent to be contacted again.
    </ConfirmDialog>
        </div>,
        document.body,
      )
    : null;

  return { available: phone !== null, start, dialog, busy };
}

type LeadLike = { id: string; name: string; company: string | null; status: string; phoneE164: string | null; phone?: string | null };

/** The phone button of a lead row or the lead detail; nothing when the lead has no number or there is no phone. */
export function LeadCallButton({ lead, size = 16, testId = "lead-call", overrides }: { lead: LeadLike; size?: number; testId?: string; overrides?: CallOverrides }) {
  const { available, start, dialog, busy } = useDialAction();
  const to = lead.phoneE164 ?? lead.phone ?? null;
  if (!available || !to) return null;
  const dnc = lead.status === DO_NOT_CALL;
  return (
    <>
      <button
        type="button"
        className={`icon-button call-button${dnc ? " dnc" : ""}`}
        aria-label={dnc ? `Call ${lead.name} (Do Not Call)` : `Call ${lead.name}`}
        title={dnc ? "Do Not Call: calling asks for confirmation" : `Call ${to}`}
        data-testid={testId}
        disabled={busy}
        onClick={(e) => {
          e.stopPropagation();
          start(to, { leadId: lead.id, name: lead.name, company: lead.company, status: lead.status }, overrides);
        }}
        onKeyDown={(e) => e.stopPropagation()}
      >
        {dnc ? <PhoneOff size={size} aria-hidden /> : <PhoneIcon size={size} aria-hidden />}
      </button>
      {dialog}
    </>
  );
}
