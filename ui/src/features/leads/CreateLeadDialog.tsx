import { AlertCircle, Loader2, UserPlus, X } from "lucide-react";
import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { Lead } from "../../generated/bindings";
import { useEscapeLayer } from "../shell/escape";
import { EMPTY_PATCH } from "./LeadDetail";

/** Same wording as the backend, so the message does not change when the backend answers instead. */
export const NAME_REQUIRED = "A lead needs a name.";

type FieldKey = "name" | "phone" | "company" | "email";
type Errors = Partial<Record<FieldKey | "form", string>>;

/**
 * Which field an invalidInput message is about ("A lead needs a name.", `"555" is not a phone
 * number…` / `Phone "555": …`, `"x" is not an email address.` / `Email "x" is not…`); the
 * quoted input is ignored so what was typed cannot mislead. null: shown for the whole dialog.
 */
export function fieldOfError(message: string): FieldKey | null {
  const words = message.replace(/"[^"]*"/g, "");
  if (/\bphone\b/i.test(words)) return "phone";
  if (/\be-?mail\b/i.test(words)) return "email";
  if (/\bname\b/i.test(words)) return "name";
  return null;
}

const blankToNull = (v: string) => (v.trim() === "" ? null : v.trim());

type Props = {
  /** The number to start with: a conversation's E.164 number, or "" for a lead typed in by hand. */
  phone?: string;
  /** How the number is shown in the title ("(303) 555-0144"); omitted for a lead typed in by hand. */
  phoneDisplay?: string;
  /** The number comes from a conversation: it cannot be changed here, so the texts join the lead. */
  phoneLocked?: boolean;
  onClose: () => void;
  /** The lead was created; the dialog does not close itself. */
  onCreated: (lead: Lead) => void;
};

/**
 * A small form for a new lead: name (required), phone, company, email. Validation is the
 * backend's (createLead), shown next to the field it concerns; only the missing name is caught
 * before asking. Escape and Cancel close it; focus returns to where it was.
 */
export function CreateLeadDialog({ phone: initialPhone = "", phoneDisplay, phoneLocked = false, onClose, onCreated }: Props) {
  const backend = useBackend();
  const id = useId();
  const [name, setName] = useState("");
  const [phone, setPhone] = useState(initialPhone);
  const [company, setCompany] = useState("");
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const refs: Record<FieldKey, RefObject<HTMLInputElement>> = {
    name: useRef<HTMLInputElement>(null),
    phone: useRef<HTMLInputElement>(null),
    company: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
  };
  const mounted = useRef(true);

  useEscapeLayer(!busy, onClose);

  useEffect(() => {
    mounted.current = true;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    refs.name.current?.focus();
    return () => {
      mounted.current = false;
      if (previous?.isConnected) previous.focus();
    };
    // Once, on open.
  }, []);

  const edit = (key: FieldKey, set: (v: string) => void) => (value: string) => {
    set(value);
    setErrors((e) => (e[key] || e.form ? { ...e, [key]: undefined, form: undefined } : e));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (name.trim() === "") {
      setErrors({ name: NAME_REQUIRED });
      refs.name.current?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const lead = await backend.createLead({
        ...EMPTY_PATCH,
        name: name.trim(),
        phone: blankToNull(phone),
        company: blankToNull(company),
        email: blankToNull(email),
      });
      if (mounted.current) setBusy(false);
      onCreated(lead);
    } catch (err) {
      if (!mounted.current) return;
      setBusy(false);
      const message = errorMessage(err);
      const field = errorCode(err) === "invalidInput" ? fieldOfError(message) : null;
      // A locked number cannot be fixed here: its problem is the dialog's.
      if (field && !(field === "phone" && phoneLocked)) {
        setErrors({ [field]: message });
        refs[field].current?.focus();
      } else {
        setErrors({ form: message });
      }
    }
  };

  const title = phoneDisplay ? `New lead for ${phoneDisplay}` : "New lead";

  return (
    <div className="modal-backdrop">
      <div className="modal modal-narrow" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} data-testid="create-lead-dialog">
        <header className="modal-header">
          <h2 id={`${id}-title`}>
            <UserPlus size={16} aria-hidden /> {title}
          </h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose} disabled={busy}>
            <X size={16} aria-hidden />
          </button>
        </header>
        <form className="create-lead-form" noValidate onSubmit={(e) => void submit(e)}>
          <div className="modal-body detail-form">
            {errors.form && (
              <div className="error-box" role="alert" data-testid="create-lead-error">
                <AlertCircle size={16} aria-hidden /> <span>{errors.form}</span>
              </div>
            )}
            <DialogField
              id={`${id}-name`}
              testId="create-lead-name"
              label="Name"
              required
              value={name}
              onChange={edit("name", setName)}
              error={errors.name}
              inputRef={refs.name}
              autoComplete="off"
            />
            <DialogField
              id={`${id}-phone`}
              testId="create-lead-phone"
              label="Phone"
              type="tel"
              value={phone}
              onChange={edit("phone", setPhone)}
              error={errors.phone}
              inputRef={refs.phone}
              readOnly={phoneLocked}
              placeholder="(555) 123-4567 or +44 20…"
              hint={phoneLocked ? "Texts with this number will show under the lead's name." : undefined}
            />
            <DialogField
              id={`${id}-company`}
              testId="create-lead-company"
              label="Company"
              value={company}
              onChange={edit("company", setCompany)}
              error={errors.company}
              inputRef={refs.company}
            />
            <DialogField
              id={`${id}-email`}
              testId="create-lead-email"
              label="Email"
              type="email"
              value={email}
              onChange={edit("email", setEmail)}
              error={errors.email}
              inputRef={refs.email}
              placeholder="name@example.com"
            />
          </div>
          <footer className="modal-footer">
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="button primary" data-testid="create-lead-submit" disabled={busy}>
              {busy && <Loader2 size={14} className="spin" aria-hidden />} Create lead
            </button>
          </footer>
        </form>
      </div>
    </div>
  );
}

type DialogFieldProps = {
  id: string;
  testId: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  inputRef: RefObject<HTMLInputElement>;
  required?: boolean;
  readOnly?: boolean;
  type?: "text" | "tel" | "email";
  placeholder?: string;
  hint?: string;
  autoComplete?: string;
};

function DialogField({ id, testId, label, value, onChange, error, inputRef, required, readOnly, type = "text", placeholder, hint, autoComplete }: DialogFieldProps) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="muted"> (required)</span> : <span className="muted"> (optional)</span>}
      </label>
      <input
        id={id}
        ref={inputRef}
        data-testid={testId}
        type={type}
        inputMode={type === "tel" ? "tel" : type === "email" ? "email" : undefined}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete={autoComplete ?? "off"}
        readOnly={readOnly}
        aria-required={required || undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert" data-testid={`${testId}-error`}>
          <AlertCircle size={12} aria-hidden /> {error}
        </span>
      )}
    </div>
  );
}
