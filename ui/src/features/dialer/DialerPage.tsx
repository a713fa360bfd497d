import { Building2, Delete, Phone, UserRound, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { NumberLookup } from "../../generated/bindings";
import { useDialAction } from "../phone/CallButton";
import { hasCommandModifier, isTypingTarget } from "../shell/keys";

export const LOOKUP_DEBOUNCE_MS = 50;

const KEYS: { key: string; letters: string; id: string }[] = [
  { key: "1", letters: "", id: "1" },
  { key: "2", letters: "ABC", id: "2" },
  { key: "3", letters: "DEF", id: "3" },
  { key: "4", letters: "GHI", id: "4" },
  { key: "5", letters: "JKL", id: "5" },
  { key: "6", letters: "MNO", id: "6" },
  { key: "7", letters: "PQRS", id: "7" },
  { key: "8", letters: "TUV", id: "8" },
  { key: "9", letters: "WXYZ", id: "9" },
  { key: "*", letters: "", id: "star" },
  { key: "0", letters: "+", id: "0" },
  { key: "#", letters: "", id: "hash" },
];
const DIAL_CHAR = /^[0-9*#+]$/;
const LONG_PRESS_MS = 600;

/** Commands from App (another page's Call button); `nonce` makes repeats distinct. */
export type DialerCommand = { kind: "prefill"; number: string; nonce: number };

type Props = {
  active: boolean;
  /** Fills in a number (a follow-up's Call): it replaces what was typed, ready to dial. */
  command?: DialerCommand | null;
  /** From appInfo(): why calling is not possible yet; null when a phone line exists. */
  dialDisabledReason: string | null;
  onOpenLead: (leadId: string) => void;
};

export function DialerPage({ active, command = null, dialDisabledReason, onOpenLead }: Props) {
  const backend = useBackend();
  const [number, setNumber] = useState("");
  const [lookup, setLookup] = useState<NumberLookup | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const seq = useRef(0);
  const longPress = useRef<{ timer: ReturnType<typeof setTimeout> | null; fired: boolean }>({ timer: null, fired: false });

  // Look the number up on every change (debounced); only the latest answer counts.
  useEffect(() => {
    const mySeq = ++seq.current;
    if (number.trim() === "") {
      setLookup(null);
      setLookupError(null);
      return;
    }
    const t = setTimeout(() => {
      backend.lookupNumber(number).then(
        (result) => {
          if (mySeq !== seq.current) return;
          setLookup(result);
          setLookupError(null);
        },
        (err) => {
          if (mySeq !== seq.current) return;
          setLookup(null);
          setLookupError(errorMessage(err));
        },
      );
    }, LOOKUP_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [backend, number]);

  // A number sent from another page replaces the typed one; the field gets the focus.
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!command || !active || handled.current === command.nonce) return;
    handled.current = command.nonce;
    setNumber(command.number);
    inputRef.current?.focus();
  }, [command, active]);

  // Digits, *, #, + typed anywhere on the page go into the number; Backspace deletes.
  useEffect(() => {
    if (!active) return;
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.defaultPrevented || hasCommandModifier(e) || e.altKey || isTypingTarget(e.target)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      if (DIAL_CHAR.test(e.key)) {
        e.preventDefault();
        setNumber((n) => n + e.key);
      } else if (e.key === "Backspace") {
        e.preventDefault();
        setNumber((n) => n.slice(0, -1));
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const text = e.clipboardData?.getData("text") ?? "";
      if (text.trim() === "") return;
      e.preventDefault();
      setNumber(text.trim());
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("paste", onPaste);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("paste", onPaste);
    };
  }, [active]);

  const press = (key: string) => setNumber((n) => n + key);

  const [dialError, setDialError] = useState<string | null>(null);
  useEffect(() => setDialError(null), [number]);
  const dialer = useDialAction(setDialError);
  const canDial = dialDisabledReason === null && !!lookup?.e164 && dialer.available && !dialer.busy;
  const dial = () => {
    if (!canDial || !lookup?.e164) return;
    setDialError(null);
    const lead = lookup.lead;
    dialer.start(lookup.e164, lead ? { leadId: lead.id, name: lead.name, company: lead.company, status: lead.status } : null);
  };

  return (
    <div className="page dialer-page">
      <div className="dialer">
        <div className="dialer-field">
          <input
            ref={inputRef}
            data-testid="dialer-input"
            aria-label="Phone number"
            className="dialer-input"
            inputMode="tel"
            autoComplete="off"
            spellCheck={false}
            placeholder="Type or paste a number"
            value={number}
            onChange={(e) => setNumber(e.target.value)}
          />
          {number && (
            <button type="button" className="icon-button" aria-label="Clear number" onClick={() => setNumber("")}>
              <X size={16} aria-hidden />
            </button>
          )}
        </div>

        <div className="dialer-result" aria-live="polite">
          {lookup?.e164 && (
            <div className="dialer-normalized" data-testid="dialer-normalized">
              <div className="display">{lookup.display ?? lookup.e164}</div>
              <div className="e164 muted">{lookup.e164}</div>
            </div>
          )}
          {(lookup?.error || lookupError) && (
            <div className="dialer-error" data-testid="dialer-error">
              {lookup?.error ?? lookupError}
            </div>
          )}
        </div>

        {lookup?.lead && (
          <div className="lead-card" data-testid="dialer-lead">
            <UserRound size={28} aria-hidden className="lead-card-icon" />
            <div className="lead-card-text">
              <div className="lead-card-name">{lookup.lead.name}</div>
              {lookup.lead.company && (
                <div className="muted">
                  <Building2 size={12} aria-hidden /> {lookup.lead.company}
                </div>
              )}
              <span className={`pill status-${lookup.lead.status.toLowerCase().replace(/[^a-z]/g, "")}`}>{lookup.lead.status}</span>
            </div>
            <button type="button" className="button small" onClick={() => onOpenLead(lookup.lead!.id)}>
              Open lead
            </button>
          </div>
        )}

        <div className="keypad" role="group" aria-label="Keypad">
          {KEYS.map(({ key, letters, id }) => (
            <button
              key={id}
              type="button"
              className="keypad-key"
              data-testid={`keypad-${id}`}
              aria-label={key === "0" ? "0 (hold for +)" : key}
              onPointerDown={() => {
                if (key !== "0") return;
                longPress.current.fired = false;
                longPress.current.timer = setTimeout(() => {
                  longPress.current.fired = true;
                  press("+");
                }, LONG_PRESS_MS);
              }}
              onPointerUp={() => longPress.current.timer && clearTimeout(longPress.current.timer)}
              onPointerLeave={() => longPress.current.timer && clearTimeout(longPress.current.timer)}
              onClick={() => {
                if (key === "0" && longPress.current.fired) {
                  longPress.current.fired = false;
                  return;
                }
                press(key);
              }}
            >
              <span className="digit">{key}</span>
              <span className="letters">{letters || "\u00a0"}</span>
            </button>
          ))}
        </div>

        <div className="dial-row">
          <button
            type="button"
            className="keypad-backspace icon-button"
            data-testid="keypad-backspace"
            aria-label="Delete last digit"
            onClick={() => setNumber((n) => n.slice(0, -1))}
            disabled={number === ""}
          >
            <Delete size={22} aria-hidden />
          </button>
          <button
            type="button"
            className="dial-button"
            data-testid="dial-button"
            disabled={!canDial}
            onClick={dial}
            aria-describedby={dialDisabledReason ? "dial-disabled-reason" : undefined}
            title={dialDisabledReason ?? undefined}
          >
            <Phone size={20} aria-hidden /> Dial
          </button>
        </div>
        {dialError && (
          <p className="dial-error" role="alert" data-testid="dial-error">
            {dialError}
          </p>
        )}
        {dialer.dialog}
        {dialDisabledReason && (
          <p className="dial-disabled-reason" id="dial-disabled-reason" data-testid="dial-disabled-reason">
            {dialDisabledReason}
          </p>
        )}
      </div>
    </div>
  );
}
