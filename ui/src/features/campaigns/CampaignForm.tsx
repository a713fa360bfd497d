import { AlertCircle, Loader2, Megaphone, X } from "lucide-react";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { errorCode, errorField, errorMessage, useBackend } from "../../backend";
import type { CampaignDraft, CampaignSummary, DialMode, LeadList, LeadOrder, RetryAfter, RetryRule } from "../../generated/bindings";
import { useEscapeLayer } from "../shell/escape";
import { MODE_LABEL, ORDER_LABEL, WEEKDAYS, outcomeLabel } from "./campaignText";

type Props = {
  /** The campaign to edit; null for a new one. */
  campaign: CampaignSummary | null;
  onClose: () => void;
  onSaved: (campaign: CampaignSummary) => void;
};

type RetryChoice = { outcome: string; kind: RetryAfter["kind"]; minutes: string };

function choice(r: RetryRule): RetryChoice {
  return { outcome: r.outcome, kind: r.retry.kind, minutes: r.retry.kind === "minutes" ? String(r.retry.minutes) : "60" };
}

function localZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
}

/**
 * Creates or edits a campaign: its list, mode and countdown, caller ID or local presence, attempts
 * and retry rules, calling window and weekdays, order and the zone assumed for numbers that do not
 * say where they ring. The core checks everything; its refusal lands on the field it names.
 */
export function CampaignForm({ campaign, onClose, onSaved }: Props) {
  const backend = useBackend();
  const id = useId();
  const [lists, setLists] = useState<LeadList[] | null>(null);
  const [name, setName] = useState(campaign?.name ?? "");
  const [listId, setListId] = useState(campaign?.listId ?? "");
  const [mode, setMode] = useState<DialMode>(campaign?.mode ?? "preview");
  const [countdown, setCountdown] = useState(String(campaign?.countdownSeconds ?? 5));
  const [callerId, setCallerId] = useState(campaign?.callerId ?? "");
  const [localPresence, setLocalPresence] = useState(campaign?.localPresence ?? false);
  const [maxAttempts, setMaxAttempts] = useState(String(campaign?.maxAttempts ?? 3));
  const [windowStart, setWindowStart] = useState(campaign?.windowStart ?? "08:00");
  const [windowEnd, setWindowEnd] = useState(campaign?.windowEnd ?? "21:00");
  const [excluded, setExcluded] = useState<string[]>(campaign?.excludedDays ?? []);
  const [order, setOrder] = useState<LeadOrder>(campaign?.order ?? "list");
  const [timezone, setTimezone] = useState(campaign?.timezone ?? localZone() ?? "America/New_York");
  const [retry, setRetry] = useState<RetryChoice[] | null>(campaign ? campaign.retry.map(choice) : null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  useEscapeLayer(!busy, onClose);

  useEffect(() => {
    nameRef.current?.focus();
    backend.listLists().then(
      (l) => {
        setLists(l);
        setListId((current) => current || (l[0]?.id ?? ""));
      },
      (err) => setErrors({ form: `Could not load the lists: ${errorMessage(err)}` }),
    );
    if (!campaign) {
      backend.campaignRetryDefaults().then(
        (rules) => setRetry((r) => r ?? rules.map(choice)),
        () => setRetry((r) => r ?? []),
      );
    }
    // Once, on open.
  }, []);

  const clear = (key: string) => setErrors((e) => (e[key] || e.form ? { ...e, [key]: "", form: "" } : e));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const whole = (v: string) => (v.trim() === "" ? null : Number(v));
    const draft: CampaignDraft = {
      name,
      listId,
      mode,
      callerId: callerId.trim() === "" ? null : callerId,
      localPresence,
      maxAttempts: whole(maxAttempts),
      retry: (retry ?? []).map((r) => ({
        outcome: r.outcome,
        retry: r.kind === "minutes" ? { kind: "minutes", minutes: Number(r.minutes) || 0 } : { kind: r.kind },
      })),
      windowStart,
      windowEnd,
      excludedDays: excluded,
      order,
      countdownSeconds: whole(countdown),
      timezone: timezone.trim() === "" ? null : timezone,
    };
    setBusy(true);
    setErrors({});
    try {
      const saved = campaign ? await backend.updateCampaign(campaign.id, draft) : await backend.createCampaign(draft);
      setBusy(false);
      onSaved(saved);
    } catch (err) {
      setBusy(false);
      const field = errorCode(err) === "invalidInput" ? errorField(err) : null;
      setErrors(field ? { [field]: errorMessage(err) } : { form: errorMessage(err) });
    }
  };

  const fieldError = (key: string) =>
    errors[key] ? (
      <span className="field-error" role="alert" data-testid={`campaign-${key}-error`}>
        <AlertCircle size={12} aria-hidden /> {errors[key]}
      </span>
    ) : null;

  return (
    <div className="modal-backdrop">
      <div className="modal campaign-form" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} data-testid="campaign-form">
        <header className="modal-header">
          <h2 id={`${id}-title`}>
            <Megaphone size={16} aria-hidden /> {campaign ? `Edit “${campaign.name}”` : "New campaign"}
          </h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose} disabled={busy}>
            <X size={16} aria-hidden />
          </button>
        </header>
        <form noValidate onSubmit={(e) => void submit(e)}>
          <div className="modal-body detail-form campaign-form-body">
            {errors.form && (
              <div className="error-box" role="alert" data-testid="campaign-form-error">
                <AlertCircle size={16} aria-hidden /> <span>{errors.form}</span>
              </div>
            )}
            <div className={`field${errors.name ? " has-error" : ""}`}>
              <label htmlFor={`${id}-name`}>Name</label>
              <input id={`${id}-name`} ref={nameRef} data-testid="campaign-name" value={name} onChange={(e) => (setName(e.target.value), clear("name"))} />
              {fieldError("name")}
            </div>
            <div className={`field${errors.listId ? " has-error" : ""}`}>
              <label htmlFor={`${id}-list`}>Lead list</label>
              <select id={`${id}-list`} data-testid="campaign-list" value={listId} disabled={campaign !== null} onChange={(e) => (setListId(e.target.value), clear("listId"))}>
                {lists === null && <option value="">Loading…</option>}
                {lists?.length === 0 && <option value="">No lists yet: import leads into a list first</option>}
                {lists?.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name} ({l.memberCount})
                  </option>
                ))}
              </select>
              {fieldError("listId")}
            </div>
            <div className="field-row">
              <div className="field">
                <label htmlFor={`${id}-mode`}>Mode</label>
                <select id={`${id}-mode`} data-testid="campaign-mode" value={mode} onChange={(e) => setMode(e.target.value as DialMode)}>
                  {(Object.keys(MODE_LABEL) as DialMode[]).map((m) => (
                    <option key={m} value={m}>
                      {MODE_LABEL[m]}
                    </option>
                  ))}
                </select>
              </div>
              {mode === "progressive" && (
                <div className={`field${errors.countdownSeconds ? " has-error" : ""}`}>
                  <label htmlFor={`${id}-countdown`}>Countdown (s)</label>
                  <input id={`${id}-countdown`} data-testid="campaign-countdown" type="number" min={0} max={30} value={countdown} onChange={(e) => (setCountdown(e.target.value), clear("countdownSeconds"))} />
                  {fieldError("countdownSeconds")}
                </div>
              )}
              <div className={`field${errors.maxAttempts ? " has-error" : ""}`}>
                <label htmlFor={`${id}-attempts`}>Max attempts</label>
                <input id={`${id}-attempts`} data-testid="campaign-max-attempts" type="number" min={1} max={20} value={maxAttempts} onChange={(e) => (setMaxAttempts(e.target.value), clear("maxAttempts"))} />
                {fieldError("maxAttempts")}
              </div>
            </div>
            <div className="field-row">
              <div className={`field${errors.callerId ? " has-error" : ""}`}>
                <label htmlFor={`${id}-caller`}>
                  Caller ID <span className="muted">(optional: else Settings')</span>
                </label>
                <input id={`${id}-caller`} data-testid="campaign-caller-id" type="tel" value={callerId} onChange={(e) => (setCallerId(e.target.value), clear("callerId"))} />
                {fieldError("callerId")}
              </div>
              <label className="checkbox-field">
                <input type="checkbox" data-testid="campaign-local-presence" checked={localPresence} onChange={(e) => setLocalPresence(e.target.checked)} /> Local presence (a
                number in the lead's area code, else state)
              </label>
            </div>
            <fieldset className={`field${errors.windowStart || errors.windowEnd ? " has-error" : ""}`}>
              <legend>Calling window, in each lead's local time (the law narrows it: 08:00–21:00, FL and OK to 20:00)</legend>
              <div className="field-row">
                <input aria-label="Window start" data-testid="campaign-window-start" type="time" value={windowStart} onChange={(e) => (setWindowStart(e.target.value), clear("windowStart"), clear("windowEnd"))} />
                <span>to</span>
                <input aria-label="Window end" data-testid="campaign-window-end" type="time" value={windowEnd} onChange={(e) => (setWindowEnd(e.target.value), clear("windowStart"), clear("windowEnd"))} />
              </div>
              {fieldError("windowStart")}
              {fieldError("windowEnd")}
              <div className="weekday-row" role="group" aria-label="Days not called">
                {WEEKDAYS.map((d) => (
                  <label key={d.key} className="checkbox-field">
                    <input
                      type="checkbox"
                      data-testid={`campaign-skip-${d.key}`}
                      checked={excluded.includes(d.key)}
                      onChange={(e) => (setExcluded((x) => (e.target.checked ? [...x, d.key] : x.filter((k) => k !== d.key))), clear("excludedDays"))}
                    />{" "}
                    No {d.label}
                  </label>
                ))}
              </div>
              {fieldError("excludedDays")}
            </fieldset>
            <div className="field-row">
              <div className="field">
                <label htmlFor={`${id}-order`}>Order</label>
                <select id={`${id}-order`} data-testid="campaign-order" value={order} onChange={(e) => setOrder(e.target.value as LeadOrder)}>
                  {(Object.keys(ORDER_LABEL) as LeadOrder[]).map((o) => (
                    <option key={o} value={o}>
                      {ORDER_LABEL[o]}
                    </option>
                  ))}
                </select>
              </div>
              <div className={`field${errors.timezone ? " has-error" : ""}`}>
                <label htmlFor={`${id}-zone`}>Zone for numbers without one</label>
                <input id={`${id}-zone`} data-testid="campaign-timezone" value={timezone} onChange={(e) => (setTimezone(e.target.value), clear("timezone"))} />
                {fieldError("timezone")}
              </div>
            </div>
            <fieldset className={`field${errors.retry ? " has-error" : ""}`}>
              <legend>Try again after</legend>
              {retry === null ? (
                <p className="muted small">Loading…</p>
              ) : (
                <table className="retry-table">
                  <tbody>
                    {retry.map((r, i) => (
                      <tr key={r.outcome}>
                        <td>{outcomeLabel(r.outcome)}</td>
                        <td>
                          <select
                            aria-label={`Retry ${outcomeLabel(r.outcome)}`}
                            data-testid={`campaign-retry-${r.outcome}`}
                            value={r.kind}
                            onChange={(e) => setRetry((all) => all!.map((x, j) => (j === i ? { ...x, kind: e.target.value as RetryAfter["kind"] } : x)))}
                          >
                            <option value="minutes">After</option>
                            <option value="nextDay">Next day</option>
                            <option value="never">Never</option>
                          </select>
                        </td>
                        <td>
                          {r.kind === "minutes" && (
                            <>
                              <input
                                aria-label={`Minutes before retrying ${outcomeLabel(r.outcome)}`}
                                data-testid={`campaign-retry-${r.outcome}-minutes`}
                                type="number"
                                min={1}
                                value={r.minutes}
                                onChange={(e) => setRetry((all) => all!.map((x, j) => (j === i ? { ...x, minutes: e.target.value } : x)))}
                              />{" "}
                              min
                            </>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {fieldError("retry")}
            </fieldset>
          </div>
          <footer className="modal-footer">
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="button primary" data-testid="campaign-save" disabled={busy || lists === null}>
              {busy && <Loader2 size={14} className="spin" aria-hidden />} {campaign ? "Save" : "Create campaign"}
            </button>
          </footer>
        </form>
      </div>
    </div>
  );
}
