import { AlertCircle, Building2, ClipboardCheck, Loader2, PhoneIncoming, PhoneOutgoing, UserRound, X } from "lucide-react";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { errorField, errorMessage, useBackend } from "../../backend";
import type { CallHistoryItem, DispositionOption, NextAction } from "../../generated/bindings";
import { formatDateTime } from "../../lib/format";
import { useEscapeLayer } from "../shell/escape";
import { hasCommandModifier, isTypingTarget } from "../shell/keys";
import { NEXT_ACTIONS, QUICK_PICKS, callerName, formatDuration, fromLocalInput, needsFollowUpTime, toLocalInput } from "./callText";
import { EMPTY_DRAFT, type WrapUpDraft } from "./useAwaitingCalls";

/** Asked before anything is sent: the one rule the backend cannot word for the dialog. */
export const CHOOSE_OUTCOME = "Choose how the call went (keys 1–9).";

type FieldKey = "disposition" | "notes" | "nextAction" | "followUp";
type Errors = Partial<Record<FieldKey | "form", string>>;

/** The dialog's field for each request field the core names in a refusal of disposeCall. */
const FIELDS: Record<string, FieldKey> = { disposition: "disposition", notes: "notes", nextAction: "nextAction", followUpAt: "followUp" };

type Props = {
  /** The call to wrap up. */
  call: CallHistoryItem;
  /** How many calls wait for their wrap-up, this one included. */
  waiting: number;
  /** Unsaved wrap-ups by call id, kept across closing and reopening. */
  drafts: Map<string, WrapUpDraft>;
  /** Closed without saving: the call stays waiting. */
  onClose: () => void;
  /** The wrap-up was saved (`label`: the outcome's); the parent opens the next waiting call or closes the dialog. */
  onSaved: (saved: CallHistoryItem, label: string) => void;
};

/**
 * "Wrap up call": the disposition step after a call. The outcome is a radio group (keys 1–9
 * choose, arrows move), then notes, the next action and, when it needs one, the follow-up time
 * (with quick picks). Ctrl+Enter saves; the backend's refusals appear next to the field they are
 * about. Escape closes without saving: the call stays waiting (and what was typed is kept).
 */
export function WrapUpDialog({ call, waiting, drafts, onClose, onSaved }: Props) {
  const backend = useBackend();
  const id = useId();
  const [options, setOptions] = useState<DispositionOption[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEscapeLayer(!busy, onClose);
  // The next call is a fresh form.
  useEffect(() => setBusy(false), [call.id]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  useEffect(() => {
    let stale = false;
    backend.dispositionOptions().then(
      (o) => !stale && setOptions(o),
      (err) => !stale && setLoadError(errorMessage(err)),
    );
    return () => {
      stale = true;
    };
  }, [backend]);

  return (
    <div className="modal-backdrop">
      <div className="modal wrapup-dialog" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} data-testid="wrapup-dialog">
        <header className="modal-header">
          <h2 id={`${id}-title`}>
            <ClipboardCheck size={16} aria-hidden /> Wrap up call
            {waiting > 1 && (
              <span className="pill" data-testid="wrapup-waiting">
                {waiting} waiting
              </span>
            )}
          </h2>
          <button type="button" className="icon-button" aria-label="Close; the call stays waiting" title="Close (Esc); the call stays waiting" onClick={onClose} disabled={busy}>
            <X size={16} aria-hidden />
          </button>
        </header>
        {loadError ? (
          <div className="modal-body">
            <div className="error-box" role="alert">
              <AlertCircle size={16} aria-hidden /> Could not load the dispositions: {loadError}
            </div>
          </div>
        ) : options === null ? (
          <div className="modal-body muted">Loading…</div>
        ) : (
          <WrapUpForm key={call.id} call={call} options={options} drafts={drafts} busy={busy} setBusy={setBusy} onClose={onClose} onSaved={onSaved} />
        )}
      </div>
    </div>
  );
}

type FormProps = {
  call: CallHistoryItem;
  options: DispositionOption[];
  drafts: Map<string, WrapUpDraft>;
  busy: boolean;
  setBusy: (busy: boolean) => void;
  onClose: () => void;
  onSaved: (saved: CallHistoryItem, label: string) => void;
};

/** The form for one call (keyed by it: the next call starts afresh, focused on the first outcome). */
function WrapUpForm({ call, options, drafts, busy, setBusy, onClose, onSaved }: FormProps) {
  const backend = useBackend();
  const id = useId();
  const [draft, setDraftState] = useState<WrapUpDraft>(() => drafts.get(call.id) ?? EMPTY_DRAFT);
  const [errors, setErrors] = useState<Errors>({});
  const choiceRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const notesRef = useRef<HTMLTextAreaElement>(null);
  const nextRef = useRef<HTMLSelectElement>(null);
  const followUpRef = useRef<HTMLInputElement>(null);
  const mounted = useRef(true);

  const chosenIndex = options.findIndex((o) => o.key === draft.disposition);

  useEffect(() => {
    mounted.current = true;
    choiceRefs.current[Math.max(0, chosenIndex)]?.focus();
    return () => {
      mounted.current = false;
    };
    // Once, on open.
  }, []);

  const update = (patch: Partial<WrapUpDraft>, clears: FieldKey[]) => {
    setDraftState((d) => {
      const next = { ...d, ...patch };
      drafts.set(call.id, next);
      return next;
    });
    setErrors((e) => (clears.some((k) => e[k]) || e.form ? { ...e, ...Object.fromEntries(clears.map((k) => [k, undefined])), form: undefined } : e));
  };

  const choose = (index: number) => {
    const option = options[index];
    if (!option) return;
    update({ disposition: option.key }, ["disposition"]);
    choiceRefs.current[index]?.focus();
  };

  const focusField = (field: FieldKey) => {
    if (field === "disposition") choiceRefs.current[Math.max(0, chosenIndex)]?.focus();
    else if (field === "notes") notesRef.current?.focus();
    else if (field === "nextAction") nextRef.current?.focus();
    else if (!followUpRef.current?.disabled) followUpRef.current?.focus();
  };

  const save = async () => {
    if (busy) return;
    if (draft.disposition === null) {
      setErrors({ disposition: CHOOSE_OUTCOME });
      focusField("disposition");
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const saved = await backend.disposeCall({
        callLogId: call.id,
        disposition: draft.disposition,
        notes: draft.notes.trim() === "" ? null : draft.notes,
        nextAction: draft.nextAction,
        // A time left in the (disabled) field is still sent: the backend says what it lacks.
        followUpAt: draft.followUp === "" ? null : fromLocalInput(draft.followUp) ?? draft.followUp,
      });
      drafts.delete(call.id);
      // Busy until the parent shows the next call (or closes): a second Ctrl+Enter must not save it twice.
      onSaved(saved, options.find((o) => o.key === saved.disposition)?.label ?? saved.disposition ?? "");
    } catch (err) {
      if (!mounted.current) return;
      setBusy(false);
      const message = errorMessage(err);
      const field = FIELDS[errorField(err) ?? ""] ?? null;
      if (field) {
        setErrors({ [field]: message });
        focusField(field);
      } else {
        setErrors({ form: message });
      }
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === "Enter" && hasCommandModifier(e) && !e.altKey && !e.shiftKey) {
      e.preventDefault();
      void save();
      return;
    }
    if (/^[1-9]$/.test(e.key) && !hasCommandModifier(e) && !e.altKey && !isTypingTarget(e.target)) {
      e.preventDefault();
      choose(Number(e.key) - 1);
    }
  };

  const onChoiceKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const current = Math.max(0, choiceRefs.current.findIndex((el) => el === document.activeElement));
    const last = options.length - 1;
    const to = { ArrowDown: current + 1, ArrowRight: current + 1, ArrowUp: current - 1, ArrowLeft: current - 1, Home: 0, End: last }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    choose(to < 0 ? last : to > last ? 0 : to);
  };

  const timeNeeded = needsFollowUpTime(draft.nextAction);
  const timeEnabled = draft.nextAction !== null;
  const Direction = call.direction === "inbound" ? PhoneIncoming : PhoneOutgoing;
  const describedBy = (field: FieldKey, hint?: string) => [errors[field] ? `${id}-${field}-error` : null, hint ?? null].filter(Boolean).join(" ") || undefined;

  return (
    <form
      className="wrapup-form"
      noValidate
      onKeyDown={onKeyDown}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="modal-body detail-form">
        <div className="lead-card wrapup-call" data-testid="wrapup-call">
          <UserRound size={28} aria-hidden className="lead-card-icon" />
          <div className="lead-card-text">
            <div className="lead-card-name" data-testid="wrapup-call-name">
              {callerName(call)}
            </div>
            {call.leadCompany && (
              <div className="muted">
                <Building2 size={12} aria-hidden /> {call.leadCompany}
              </div>
            )}
            <div className="muted small wrapup-call-facts">
              <span>
                <Direction size={12} aria-label={call.direction === "inbound" ? "Inbound call" : "Outbound call"} /> {call.contactDisplay}
              </span>
              <span data-testid="wrapup-call-duration" title="Duration">
                {formatDuration(call.durationSeconds) || "—"}
              </span>
              <span>{formatDateTime(call.startedAt)}</span>
            </div>
          </div>
        </div>

        {errors.form && (
          <div className="error-box" role="alert" data-testid="wrapup-error">
            <AlertCircle size={16} aria-hidden /> <span>{errors.form}</span>
          </div>
        )}

        <div className={`field${errors.disposition ? " has-error" : ""}`}>
          <span className="field-label" id={`${id}-outcome`}>
            Outcome
          </span>
          <div
            className="wrapup-choices"
            role="radiogroup"
            aria-labelledby={`${id}-outcome`}
            aria-describedby={describedBy("disposition")}
            aria-invalid={errors.disposition ? true : undefined}
            onKeyDown={onChoiceKeyDown}
          >
            {options.map((o, i) => {
              const checked = o.key === draft.disposition;
              return (
                <button
                  key={o.key}
                  ref={(el) => {
                    choiceRefs.current[i] = el;
                  }}
                  type="button"
                  role="radio"
                  aria-checked={checked}
                  tabIndex={checked || (chosenIndex < 0 && i === 0) ? 0 : -1}
                  className={`wrapup-choice${checked ? " selected" : ""}`}
                  data-testid={`wrapup-choice-${o.key}`}
                  onClick={() => choose(i)}
                >
                  {i < 9 && <kbd aria-hidden>{i + 1}</kbd>}
                  <span>{o.label}</span>
                </button>
              );
            })}
          </div>
          {errors.disposition && (
            <span id={`${id}-disposition-error`} className="field-error" role="alert" data-testid="wrapup-disposition-error">
              <AlertCircle size={12} aria-hidden /> {errors.disposition}
            </span>
          )}
        </div>

        <div className={`field${errors.notes ? " has-error" : ""}`}>
          <label htmlFor={`${id}-notes`}>
            Notes <span className="muted">(optional)</span>
          </label>
          <textarea
            id={`${id}-notes`}
            ref={notesRef}
            rows={3}
            data-testid="wrapup-notes"
            value={draft.notes}
            placeholder="What was said, what was promised"
            aria-invalid={errors.notes ? true : undefined}
            aria-describedby={describedBy("notes")}
            onChange={(e) => update({ notes: e.target.value }, ["notes"])}
          />
          {errors.notes && (
            <span id={`${id}-notes-error`} className="field-error" role="alert" data-testid="wrapup-notes-error">
              <AlertCircle size={12} aria-hidden /> {errors.notes}
            </span>
          )}
        </div>

        <div className="wrapup-next">
          <div className={`field${errors.nextAction ? " has-error" : ""}`}>
            <label htmlFor={`${id}-next`}>Next action</label>
            <select
              id={`${id}-next`}
              ref={nextRef}
              data-testid="wrapup-next-action"
              value={draft.nextAction ?? ""}
              aria-invalid={errors.nextAction ? true : undefined}
              aria-describedby={describedBy("nextAction")}
              onChange={(e) => update({ nextAction: e.target.value === "" ? null : (e.target.value as NextAction) }, ["nextAction", "followUp"])}
            >
              <option value="">None</option>
              {NEXT_ACTIONS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
            {errors.nextAction && (
              <span id={`${id}-nextAction-error`} className="field-error" role="alert" data-testid="wrapup-next-action-error">
                <AlertCircle size={12} aria-hidden /> {errors.nextAction}
              </span>
            )}
          </div>

          <div className={`field${errors.followUp ? " has-error" : ""}`}>
            <label htmlFor={`${id}-follow-up`}>
              Follow up at <span className="muted">{timeNeeded ? "(required)" : timeEnabled ? "(optional)" : "(choose a next action first)"}</span>
            </label>
            <div className="wrapup-time-row">
              <input
                id={`${id}-follow-up`}
                ref={followUpRef}
                type="datetime-local"
                data-testid="wrapup-follow-up"
                value={draft.followUp}
                disabled={!timeEnabled}
                aria-required={timeNeeded || undefined}
                aria-invalid={errors.followUp ? true : undefined}
                aria-describedby={describedBy("followUp")}
                onChange={(e) => update({ followUp: e.target.value }, ["followUp", "nextAction"])}
              />
              {draft.followUp !== "" && (
                <button type="button" className="link-button" data-testid="wrapup-follow-up-clear" onClick={() => update({ followUp: "" }, ["followUp", "nextAction"])}>
                  Clear
                </button>
              )}
            </div>
            <div className="wrapup-picks" role="group" aria-label="Quick picks">
              {QUICK_PICKS.map((pick, i) => (
                <button
                  key={pick.label}
                  type="button"
                  className="button small"
                  data-testid={`wrapup-pick-${i}`}
                  disabled={!timeEnabled}
                  title={formatDateTime(pick.at(new Date()).toISOString())}
                  onClick={() => update({ followUp: toLocalInput(pick.at(new Date())) }, ["followUp", "nextAction"])}
                >
                  {pick.label}
                </button>
              ))}
            </div>
            {errors.followUp && (
              <span id={`${id}-followUp-error`} className="field-error" role="alert" data-testid="wrapup-follow-up-error">
                <AlertCircle size={12} aria-hidden /> {errors.followUp}
              </span>
            )}
          </div>
        </div>
      </div>
      <footer className="modal-footer">
        <span className="muted small wrapup-hint" data-testid="wrapup-hint">
          <kbd>Esc</kbd> closes; the call stays waiting to be wrapped up.
        </span>
        <button type="button" className="button" onClick={onClose} disabled={busy}>
          Later
        </button>
        <button type="submit" className="button primary" data-testid="wrapup-save" disabled={busy} title="Save (Ctrl+Enter)">
          {busy && <Loader2 size={14} className="spin" aria-hidden />} Save <kbd>Ctrl+Enter</kbd>
        </button>
      </footer>
    </form>
  );
}
