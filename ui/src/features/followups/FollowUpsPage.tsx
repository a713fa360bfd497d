import { AlarmClock, AlertCircle, Building2, CalendarClock, Check, ChevronDown, Loader2, Phone, RefreshCw } from "lucide-react";
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { FollowUpItem, FollowUps } from "../../generated/bindings";
import { formatDateTime, formatShortTime } from "../../lib/format";
import { dayAt, fromLocalInput, nextActionLabel, relativeDue, toLocalInput } from "../calls/callText";
import { useDialAction } from "../phone/CallButton";
import type { CallLead } from "../phone/usePhone";
import { useEscapeLayer } from "../shell/escape";

type Bucket = keyof FollowUps;

const SECTIONS: { bucket: Bucket; title: string; empty: string }[] = [
  { bucket: "overdue", title: "Overdue", empty: "Nothing overdue." },
  { bucket: "today", title: "Today", empty: "Nothing else due today." },
  { bucket: "upcoming", title: "Upcoming", empty: "Nothing due in the next 30 days." },
];

/** The snooze menu's choices. */
export const SNOOZE_CHOICES: { label: string; until: (now: Date) => Date }[] = [
  { label: "1 hour", until: (now) => new Date(now.getTime() + 3_600_000) },
  { label: "Tomorrow 9:00", until: (now) => dayAt(1, 9, now) },
];

/** How often the relative due times ("2 h overdue") and the buckets are brought up to date. */
export const FOLLOW_UPS_REFRESH_MS = 60_000;

type Props = {
  active: boolean;
  /** Bumps when calls were wrapped up (new follow-ups) or the team backend pulled rows. */
  dataVersion: number;
  /** The overdue count changed here: refresh the navigation badge. */
  onChanged: () => void;
  onOpenLead: (leadId: string) => void;
};

/** The follow-up's lead as a call shows it (its status is unknown here: placeCall checks Do Not Call). */
function callLead(item: FollowUpItem): CallLead | null {
  return item.leadId !== null ? { leadId: item.leadId, name: item.leadName ?? item.contactDisplay, company: item.leadCompany, status: null } : null;
}

/**
 * Follow-ups: what wrap-ups asked for next, in three sections (overdue, later today, upcoming),
 * soonest first. Each can be done, snoozed (1 hour, tomorrow 9:00), rescheduled or called (at
 * once, over Settings' default route; a Do Not Call lead asks for "Call anyway" first).
 */
export function FollowUpsPage({ active, dataVersion, onChanged, onOpenLead }: Props) {
  const backend = useBackend();
  const dialer = useDialAction();
  const [data, setData] = useState<FollowUps | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [itemErrors, setItemErrors] = useState<Record<string, string>>({});
  const [announcement, setAnnouncement] = useState("");
  const [now, setNow] = useState(() => Date.now());
  const seq = useRef(0);

  const load = useCallback(() => {
    const mine = ++seq.current;
    backend.followUps().then(
      (f) => {
        if (mine !== seq.current) return;
        setData(f);
        setLoadError(null);
        setNow(Date.now());
      },
      (err) => mine === seq.current && setLoadError(errorMessage(err)),
    );
  }, [backend]);

  useEffect(() => {
    if (!active) return;
    load();
    const timer = setInterval(load, FOLLOW_UPS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, load, dataVersion]);

  /** Runs a follow-up action; the answer is the page as it is afterwards. */
  const act = async (item: FollowUpItem, run: () => Promise<FollowUps>, done: string) => {
    setBusy(item.id);
    setItemErrors(({ [item.id]: _, ...rest }) => rest);
    try {
      const next = await run();
      seq.current++; // an older load must not overwrite this
      setData(next);
      setNow(Date.now());
      setAnnouncement(done);
      onChanged();
      return true;
    } catch (err) {
      setItemErrors((e) => ({ ...e, [item.id]: errorMessage(err) }));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const who = (item: FollowUpItem) => item.leadName ?? item.contactDisplay;

  return (
    <div className="page followups-page">
      <div className="followups-header">
        <h1 className="page-title">Follow-ups</h1>
        <button type="button" className="icon-button" aria-label="Refresh" title="Refresh" onClick={load}>
          <RefreshCw size={15} aria-hidden />
        </button>
        <span className="sr-only" role="status">
          {announcement}
        </span>
      </div>
      {loadError && (
        <div className="error-box" role="alert">
          <AlertCircle size={16} aria-hidden /> Could not load follow-ups: {loadError}
        </div>
      )}
      {data === null && !loadError && <p className="muted">Loading follow-ups…</p>}
      {data !== null &&
        SECTIONS.map(({ bucket, title, empty }) => (
          <section key={bucket} className={`followups-section followups-${bucket}`} aria-label={title} data-testid={`followups-${bucket}`}>
            <h2 className="section-title">
              {title} <span className="muted">({data[bucket].length})</span>
            </h2>
            {data[bucket].length === 0 ? (
              <p className="muted small followups-empty" data-testid={`followups-${bucket}-empty`}>
                {empty}
              </p>
            ) : (
              <ul className="followup-list">
                {data[bucket].map((item) => (
                  <FollowUpRow
                    key={item.id}
                    active={active}
                    item={item}
                    bucket={bucket}
                    now={now}
                    busy={busy === item.id}
                    disabled={busy !== null}
                    error={itemErrors[item.id] ?? null}
                    onDone={() => void act(item, () => backend.completeFollowUp(item.id), `Done: ${who(item)}.`)}
                    onSnooze={(until) =>
                      void act(item, () => backend.snoozeFollowUp(item.id, until.toISOString()), `Snoozed ${who(item)} until ${formatDateTime(until.toISOString())}.`)
                    }
                    onReschedule={(dueAt) => act(item, () => backend.rescheduleFollowUp(item.id, dueAt), `Rescheduled ${who(item)} to ${formatDateTime(dueAt)}.`)}
                    onCall={dialer.available ? () => dialer.start(item.contactNumber, callLead(item)) : null}
                    calling={dialer.busy}
                    onOpenLead={onOpenLead}
                  />
                ))}
              </ul>
            )}
          </section>
        ))}
      {dialer.dialog}
    </div>
  );
}

type RowProps = {
  /** The page is shown (hidden pages do not take Escape). */
  active: boolean;
  item: FollowUpItem;
  bucket: Bucket;
  now: number;
  busy: boolean;
  disabled: boolean;
  error: string | null;
  onDone: () => void;
  onSnooze: (until: Date) => void;
  /** Resolves with whether it was saved. */
  onReschedule: (dueAt: string) => Promise<boolean>;
  /** Calls the follow-up's number; null: no phone (no Call button). */
  onCall: (() => void) | null;
  /** A call is being placed (Call waits for it). */
  calling: boolean;
  onOpenLead: (leadId: string) => void;
};

function FollowUpRow({ active, item, bucket, now, busy, disabled, error, onDone, onSnooze, onReschedule, onCall, calling, onOpenLead }: RowProps) {
  const id = useId();
  const [rescheduling, setRescheduling] = useState(false);
  const [newDue, setNewDue] = useState("");
  const [rescheduleError, setRescheduleError] = useState<string | null>(null);
  const rescheduleButton = useRef<HTMLButtonElement>(null);
  const number = item.contactDisplay;

  const openReschedule = () => {
    setNewDue(toLocalInput(new Date(item.dueAt)));
    setRescheduleError(null);
    setRescheduling(true);
  };
  const closeReschedule = () => {
    setRescheduling(false);
    rescheduleButton.current?.focus();
  };
  const saveReschedule = async () => {
    const dueAt = fromLocalInput(newDue);
    if (dueAt === null) {
      setRescheduleError("Pick a date and time.");
      return;
    }
    if (await onReschedule(dueAt)) setRescheduling(false);
  };

  useEscapeLayer(active && rescheduling, closeReschedule);

  return (
    <li className={`followup${item.snoozed ? " snoozed" : ""}`} data-testid="followup" data-followup-id={item.id}>
      <div className="followup-main">
        <div className="followup-who">
          {item.leadId !== null ? (
            <button type="button" className="link-button followup-name" onClick={() => onOpenLead(item.leadId!)} title="Open lead">
              {item.leadName ?? number}
            </button>
          ) : (
            <span className="followup-name">{number}</span>
          )}
          {item.leadCompany && (
            <span className="muted">
              <Building2 size={12} aria-hidden /> {item.leadCompany}
            </span>
          )}
          {item.leadName !== null && <span className="muted">{number}</span>}
        </div>
        <div className="followup-what">
          <span className="pill followup-action">{nextActionLabel(item.nextAction)}</span>
          <span
            className={`followup-due${bucket === "overdue" ? " overdue" : ""}`}
            data-testid="followup-due"
            title={formatDateTime(item.dueAt)}
          >
            {relativeDue(item.dueAt, now)}
            <span className="muted"> · {bucket === "today" ? formatShortTime(item.dueAt) : formatDateTime(item.dueAt)}</span>
          </span>
          {item.snoozed && (
            <span className="pill followup-snoozed" data-testid="followup-snoozed">
              <AlarmClock size={11} aria-hidden /> Snoozed
            </span>
          )}
        </div>
        {item.notes && <div className="followup-notes">{item.notes}</div>}
      </div>
      <div className="followup-actions">
        {onCall && (
          <button type="button" className="button small" data-testid="followup-call" title={`Call ${number}`} disabled={calling} onClick={onCall}>
            <Phone size={13} aria-hidden /> Call
          </button>
        )}
        <button type="button" className="button small" data-testid="followup-done" disabled={disabled} onClick={onDone}>
          {busy ? <Loader2 size={13} className="spin" aria-hidden /> : <Check size={13} aria-hidden />} Done
        </button>
        <SnoozeMenu active={active} disabled={disabled} onSnooze={onSnooze} />
        <button
          ref={rescheduleButton}
          type="button"
          className="button small"
          data-testid="followup-reschedule"
          aria-expanded={rescheduling}
          aria-controls={rescheduling ? `${id}-reschedule` : undefined}
          disabled={disabled}
          onClick={() => (rescheduling ? closeReschedule() : openReschedule())}
        >
          <CalendarClock size={13} aria-hidden /> Reschedule
        </button>
      </div>
      {rescheduling && (
        <form
          id={`${id}-reschedule`}
          className="followup-reschedule"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void saveReschedule();
          }}
        >
          <label htmlFor={`${id}-due`}>New due time</label>
          <input
            id={`${id}-due`}
            type="datetime-local"
            data-testid="followup-reschedule-input"
            value={newDue}
            autoFocus
            onChange={(e) => {
              setNewDue(e.target.value);
              setRescheduleError(null);
            }}
          />
          <button type="submit" className="button small primary" data-testid="followup-reschedule-save" disabled={disabled}>
            Save
          </button>
          <button type="button" className="button small" onClick={closeReschedule}>
            Cancel
          </button>
          {rescheduleError && (
            <span className="field-error" role="alert">
              <AlertCircle size={12} aria-hidden /> {rescheduleError}
            </span>
          )}
        </form>
      )}
      {error && (
        <div className="field-error followup-error" role="alert" data-testid="followup-error">
          <AlertCircle size={12} aria-hidden /> {error}
        </div>
      )}
    </li>
  );
}

/** Snooze ▾: a small menu (arrows move, Enter picks, Escape closes and returns to the button). */
function SnoozeMenu({ active, disabled, onSnooze }: { active: boolean; disabled: boolean; onSnooze: (until: Date) => void }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const wrapRef = useRef<HTMLDivElement>(null);

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };
  useEscapeLayer(active && open, () => close());

  useEffect(() => {
    if (!open) return;
    itemRefs.current[0]?.focus();
    const onDown = (e: MouseEvent) => {
      if (wrapRef.current && !wrapRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const onMenuKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = itemRefs.current.filter((el): el is HTMLButtonElement => el !== null);
    const current = items.findIndex((el) => el === document.activeElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      items[(current + step + items.length) % items.length]?.focus();
    } else if (e.key === "Tab") {
      close(false);
    }
  };

  return (
    <div className="menu-wrap" ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        className="button small"
        data-testid="followup-snooze"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <AlarmClock size={13} aria-hidden /> Snooze <ChevronDown size={12} aria-hidden />
      </button>
      {open && (
        <div className="menu" role="menu" id={`${id}-menu`} aria-label="Snooze for" onKeyDown={onMenuKeyDown} data-testid="followup-snooze-menu">
          {SNOOZE_CHOICES.map((choice, i) => (
            <button
              key={choice.label}
              ref={(el) => {
                itemRefs.current[i] = el;
              }}
              type="button"
              role="menuitem"
              className="menu-item"
              tabIndex={-1}
              onClick={() => {
                close();
                onSnooze(choice.until(new Date()));
              }}
            >
              {choice.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
