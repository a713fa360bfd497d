import { AlertCircle, Check, Loader2, MessageSquare, X } from "lucide-react";
import { LeadCallButton } from "../phone/CallButton";
import { RouteOverride, useCallSettings } from "../phone/RouteOverride";
import { usePhoneContext } from "../phone/usePhone";
import type { CallRoute } from "../../generated/bindings";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { Lead, LeadList, LeadPatch } from "../../generated/bindings";
import { formatDateTime } from "../../lib/format";

type FieldKey = keyof LeadPatch;

type FieldSpec = {
  key: FieldKey;
  label: string;
  type?: "text" | "email" | "tel";
  multiline?: boolean;
  placeholder?: string;
  inputMode?: "decimal" | "tel" | "email" | "text";
  list?: string;
};

const FIELDS: FieldSpec[] = [
  { key: "name", label: "Name" },
  { key: "phone", label: "Phone", type: "tel", inputMode: "tel", placeholder: "(555) 123-4567 or +44 20…" },
  { key: "email", label: "Email", type: "email", inputMode: "email" },
  { key: "company", label: "Company" },
  { key: "position", label: "Position" },
  { key: "status", label: "Status", list: "lead-status-options" },
  { key: "value", label: "Value", inputMode: "decimal", placeholder: "e.g. 12000" },
  { key: "source", label: "Source" },
  { key: "timezone", label: "Timezone", list: "lead-timezone-options", placeholder: "e.g. America/New_York" },
  { key: "notes", label: "Notes", multiline: true },
];

const STATUS_SUGGESTIONS = ["new", "contacted", "qualified", "won", "lost"];
const TIMEZONE_SUGGESTIONS = [
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Phoenix",
  "America/Los_Angeles",
  "America/Anchorage",
  "Pacific/Honolulu",
  "America/Toronto",
  "America/Vancouver",
  "Europe/London",
  "Europe/Berlin",
  "Europe/Paris",
  "Australia/Sydney",
  "Asia/Kolkata",
];

/** A lead edit that changes nothing; spread it and set the fields to change. */
export const EMPTY_PATCH: LeadPatch = {
  name: null,
  email: null,
  phone: null,
  company: null,
  position: null,
  status: null,
  value: null,
  source: null,
  notes: null,
  timezone: null,
};

function fieldValue(lead: Lead, key: FieldKey): string {
  if (key === "value") return lead.value === null ? "" : String(lead.value);
  return lead[key] ?? "";
}

type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; message: string };

type FieldProps = { lead: Lead; spec: FieldSpec; onSaved: (lead: Lead) => void };

/** One lead field: saves on Enter or blur when changed; Escape reverts; shows a tick or the error. */
function LeadFieldEditor({ lead, spec, onSaved }: FieldProps) {
  const backend = useBackend();
  const baseline = fieldValue(lead, spec.key);
  const [draft, setDraft] = useState(baseline);
  const [state, setState] = useState<SaveState>({ kind: "idle" });
  const lastBaseline = useRef(baseline);
  const inFlight = useRef<string | null>(null);
  const failedDraft = useRef<string | null>(null);

  // When the lead changes underneath (another field saved), follow it unless this field has edits.
  useEffect(() => {
    setDraft((d) => (d === lastBaseline.current ? baseline : d));
    lastBaseline.current = baseline;
  }, [baseline]);

  const save = async (retry = false) => {
    if (draft === baseline) {
      if (state.kind === "error") setState({ kind: "idle" });
      return;
    }
    // Blur after a failed Enter does not resubmit the same value; Enter again does.
    if (inFlight.current === draft || (!retry && failedDraft.current === draft)) return;
    inFlight.current = draft;
    setState({ kind: "saving" });
    try {
      const updated = await backend.updateLead(lead.id, { ...EMPTY_PATCH, [spec.key]: draft });
      failedDraft.current = null;
      const saved = fieldValue(updated, spec.key);
      lastBaseline.current = saved;
      setDraft(saved);
      setState({ kind: "saved" });
      onSaved(updated);
    } catch (err) {
      // Keep the value as typed so the user can fix it.
      failedDraft.current = draft;
      setState({ kind: "error", message: errorMessage(err) });
    } finally {
      inFlight.current = null;
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    if (e.key === "Escape") {
      if (draft !== baseline || state.kind === "error") {
        e.preventDefault();
        e.stopPropagation(); // revert only; a second Escape closes the panel
        setDraft(baseline);
        failedDraft.current = null;
        setState({ kind: "idle" });
      }
      return;
    }
    if (e.key === "Enter" && (!spec.multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void save(true);
    }
  };

  const id = `lead-field-${spec.key}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    "data-testid": id,
    value: draft,
    placeholder: spec.placeholder,
    "aria-invalid": state.kind === "error" ? true : undefined,
    "aria-describedby": state.kind === "error" ? errorId : undefined,
    onChange: (e: { target: { value: string } }) => {
      setDraft(e.target.value);
      if (state.kind === "saved") setState({ kind: "idle" });
    },
    onBlur: () => void save(),
    onKeyDown,
  };

  return (
    <div className={`field${state.kind === "error" ? " has-error" : ""}`}>
      <label htmlFor={id}>
        {spec.label}
        <span className="field-state" aria-live="polite">
          {state.kind === "saving" && <Loader2 size={13} className="spin" aria-label="Saving" />}
          {state.kind === "saved" && (
            <span className="saved" data-testid={`${id}-saved`}>
              <Check size={13} aria-hidden /> Saved
            </span>
          )}
        </span>
      </label>
      {spec.multiline ? (
        <textarea {...common} rows={4} />
      ) : (
        <input {...common} type={spec.type ?? "text"} inputMode={spec.inputMode} list={spec.list} autoComplete="off" spellCheck={false} />
      )}
      {state.kind === "error" && (
        <div className="field-error" id={errorId} data-testid={errorId} role="alert">
          <AlertCircle size={13} aria-hidden /> {state.message}
        </div>
      )}
      {spec.multiline && <div className="hint">Saved when you leave the field, or with Ctrl+Enter.</div>}
    </div>
  );
}

type Props = {
  leadId: string;
  /** Changes when the lead may have changed underneath (a sync pulled rows): it is read again. */
  refreshKey?: number;
  lists: LeadList[];
  onClose: () => void;
  onSaved: (lead: Lead) => void;
  /** Text the lead (opens Messages); absent where texting is not offered. */
  onText?: (e164: string) => void;
};

export function LeadDetail({ leadId, refreshKey = 0, lists, onClose, onSaved, onText }: Props) {
  const backend = useBackend();
  const [lead, setLead] = useState<Lead | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setError(null);
    backend.getLead(leadId).then(
      (l) => !stale && setLead(l),
      (err) => {
        if (stale) return;
        // Removed meanwhile (e.g. on the team backend): no stale form stays on screen.
        if (errorCode(err) === "notFound") setLead(null);
        setError(errorMessage(err));
      },
    );
    return () => {
      stale = true;
    };
  }, [backend, leadId, refreshKey]);

  const shown = lead && lead.id === leadId ? lead : null;
  const hasPhone = usePhoneContext() !== null;
  /** This lead's call goes out over another route than Settings' default (null: the default). */
  const [routeOverride, setRouteOverride] = useState<CallRoute | null>(null);
  const callSettings = useCallSettings(leadId);
  const listNames = shown ? shown.listIds.map((id) => lists.find((l) => l.id === id)?.name).filter(Boolean) : [];

  return (
    <aside className="lead-detail" data-testid="lead-detail" aria-label="Lead details">
      <header className="detail-header">
        <div className="detail-title">
          <h2>{shown?.name ?? (error ? "Lead unavailable" : "Loading…")}</h2>
          {shown?.phoneDisplay && <div className="detail-phone">{shown.phoneDisplay}</div>}
          {shown?.phoneE164 && <div className="detail-e164 muted">{shown.phoneE164}</div>}
          {shown?.phoneE164 && hasPhone && callSettings && (
            <RouteOverride testId="lead-detail-route" value={routeOverride} defaultRoute={callSettings.defaultRoute} onChange={setRouteOverride} />
          )}
        </div>
        {shown && <LeadCallButton lead={shown} size={18} testId="lead-detail-call" overrides={{ route: routeOverride }} />}
        {onText && shown?.phoneE164 && (
          <button
            type="button"
            className="icon-button"
            aria-label={`Text ${shown.name}`}
            title="Send a text message"
            data-testid="lead-text"
            onClick={() => shown.phoneE164 && onText(shown.phoneE164)}
          >
            <MessageSquare size={18} aria-hidden />
          </button>
        )}
        <button type="button" className="icon-button" aria-label="Close lead details" title="Close (Esc)" data-testid="lead-detail-close" onClick={onClose}>
          <X size={18} aria-hidden />
        </button>
      </header>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
      {shown && (
        <div className="detail-body">
          {listNames.length > 0 && (
            <div className="detail-lists">
              {listNames.map((n) => (
                <span key={n} className="pill list-pill">
                  {n}
                </span>
              ))}
            </div>
          )}
          <form className="detail-form" onSubmit={(e) => e.preventDefault()} key={shown.id}>
            {FIELDS.map((spec) => (
              <LeadFieldEditor
                key={spec.key}
                lead={shown}
                spec={spec}
                onSaved={(updated) => {
                  setLead(updated);
                  onSaved(updated);
                }}
              />
            ))}
          </form>
          <dl className="detail-meta">
            <dt>Last contact</dt>
            <dd>{formatDateTime(shown.lastContact) || "Never"}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(shown.createdAt)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(shown.updatedAt)}</dd>
          </dl>
          <datalist id="lead-status-options">
            {STATUS_SUGGESTIONS.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <datalist id="lead-timezone-options">
            {TIMEZONE_SUGGESTIONS.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </div>
      )}
    </aside>
  );
}
