import { Building2, Delete, Link2, Phone, UserRound, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { CallRoute, LeadSummary, LinkTarget, NumberLookup, OwnedNumberInfo } from "../../generated/bindings";
import { useDialAction, type CallOverrides } from "../phone/CallButton";
import { RouteOverride, useCallSettings } from "../phone/RouteOverride";
import type { CallLead } from "../phone/usePhone";
import { useEscapeLayer } from "../shell/escape";
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

/**
 * Commands from App; `nonce` makes repeats distinct. "link": a tel: / ringdesk://dial link was
 * opened: fill in its number and lead; dial only with `target.autoDial` (the agent's setting).
 */
export type DialerCommand = { kind: "link"; target: LinkTarget; nonce: number };

function callLead(lead: LeadSummary | null): CallLead | null {
  return lead ? { leadId: lead.id, name: lead.name, company: lead.company, status: lead.status } : null;
}

type Props = {
  active: boolean;
  /** Fills in a number (a link): it replaces what was typed, ready to dial. */
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
  /** The link that filled the number in; shown (its lead or name) while the number is the link's. */
  const [openedLink, setLinkTarget] = useState<LinkTarget | null>(null);
  const linkTarget = openedLink && openedLink.e164 === number ? openedLink : null;
  /** A link that dials by itself (the agent's setting): seconds left before it does; Cancel or Esc stops it. */
  const [countdown, setCountdown] = useState<number | null>(null);
  /** The link's call was placed by itself (auto-dial), not by the agent's Dial. */
  const [linkDialed, setLinkDialed] = useState(false);
  /** This call's route and caller ID when not Settings' defaults. */
  const [routeOverride, setRouteOverride] = useState<CallRoute | null>(null);
  const [callerIdOverride, setCallerIdOverride] = useState("");
  /** Record the next bridge call (softphone calls are not recorded from here). */
  const [record, setRecord] = useState(false);
  const [numbers, setNumbers] = useState<OwnedNumberInfo[] | null>(null);
  const settings = useCallSettings(active);
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

  // A link's number replaces the typed one; the field gets the focus. A link dials by itself only
  // when the agent turned that on (target.autoDial).
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!command || !active || handled.current === command.nonce) return;
    handled.current = command.nonce;
    setLinkTarget(command.target);
    setNumber(command.target.e164);
    setCountdown(null);
    setLinkDialed(false);
    if (command.target.autoDial) {
      if (command.target.countdownSeconds > 0) setCountdown(command.target.countdownSeconds);
      else {
        setLinkDialed(true);
        startCall.current(command.target.e164, callLead(command.target.lead));
      }
    }
    inputRef.current?.focus();
  }, [command, active]);

  // The countdown of a link that dials by itself: one tick a second, then the call. Changing the
  // number, leaving the page, Cancel or Esc stops it.
  const counting = countdown !== null && linkTarget !== null && active;
  useEffect(() => {
    if (!counting || countdown === null || !linkTarget) return;
    if (countdown <= 0) {
      setCountdown(null);
      setLinkDialed(true);
      startCall.current(linkTarget.e164, callLead(linkTarget.lead));
      return;
    }
    const t = setTimeout(() => setCountdown(countdown - 1), 1000);
    return () => clearTimeout(t);
  }, [counting, countdown, linkTarget]);
  useEffect(() => {
    if (!counting && countdown !== null) setCountdown(null);
  }, [counting, countdown]);
  useEscapeLayer(counting, () => setCountdown(null));

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
  const defaultRoute: CallRoute = settings?.defaultRoute ?? "softphone";
  const route = routeOverride ?? defaultRoute;
  // The SIP line matters to softphone calls only: a bridge call rings the agent's own phone.
  const disabledReason = route === "softphone" ? dialDisabledReason : null;
  const overrides: CallOverrides = {
    route: routeOverride,
    callerId: route === "bridge" && callerIdOverride !== "" ? callerIdOverride : null,
    record: route === "bridge" && record,
  };
  /** The lead shown and called: the one the link named, else the one with this number. */
  const lead = linkTarget?.lead ?? lookup?.lead ?? null;
  const canDial = disabledReason === null && !!lookup?.e164 && dialer.available && !dialer.busy;
  const dial = () => {
    if (!canDial || !lookup?.e164) return;
    setDialError(null);
    setLinkTarget(null);
    dialer.start(lookup.e164, callLead(lead), overrides);
  };
  const dialRef = useRef(dial);
  dialRef.current = dial;
  const startCall = useRef<(to: string, who: CallLead | null) => void>(() => {});
  startCall.current = (to: string, who: CallLead | null) => {
    setDialError(null);
    dialer.start(to, who, overrides);
  };

  // The caller ID choices (bridge calls): the project's numbers; none without SignalWire.
  useEffect(() => {
    if (!active || route !== "bridge") return;
    let stale = false;
    backend.listNumbers().then(
      (list) => !stale && setNumbers(list),
      () => !stale && setNumbers([]),
    );
    return () => {
      stale = true;
    };
  }, [backend, active, route]);

  // Enter dials (in the number field, or anywhere on the page outside other controls).
  useEffect(() => {
    if (!active) return;
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== "Enter" || e.defaultPrevented || hasCommandModifier(e) || e.altKey || e.shiftKey) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      const target = e.target as HTMLElement | null;
      if (target !== inputRef.current && (isTypingTarget(target) || target?.closest("button, a, select, [role='button']"))) return;
      e.preventDefault();
      dialRef.current();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [active]);

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

        {linkTarget && (
          <div className="notice-box dialer-link-banner" role="status" data-testid="dialer-link-banner">
            <Link2 size={16} aria-hidden />
            <div>
              {counting ? (
                <span data-testid="dialer-link-countdown">
                  Opened from a link — calling in {countdown} s…{" "}
                  <button type="button" className="button small" data-testid="dialer-link-cancel" onClick={() => setCountdown(null)}>
                    Cancel (Esc)
                  </button>{" "}
                  <button type="button" className="button small" data-testid="dialer-link-dial-now" onClick={() => setCountdown(0)}>
                    Dial now
                  </button>
                </span>
              ) : linkDialed ? (
                "Opened from a link — calling…"
              ) : (
                "Opened from a link — press Dial (Enter) to call"
              )}
              {linkTarget.held && (
                <div className="small" data-testid="dialer-link-held">
                  {linkTarget.held}
                </div>
              )}
              {!linkTarget.lead && linkTarget.name && (
                <div className="small" data-testid="dialer-link-name">
                  The link names <strong>{linkTarget.name}</strong> (no lead has this number).
                </div>
              )}
            </div>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setLinkTarget(null)}>
              <X size={14} aria-hidden />
            </button>
          </div>
        )}

        {/* The lead's card has its place kept, so the keypad and the options below do not jump
            under the pointer when a typed number's lookup answers. */}
        <div className="dialer-lead-slot">
          {lead ? (
            <div className="lead-card" data-testid="dialer-lead">
              <UserRound size={28} aria-hidden className="lead-card-icon" />
              <div className="lead-card-text">
                <div className="lead-card-name">{lead.name}</div>
                {lead.company && (
                  <div className="muted">
                    <Building2 size={12} aria-hidden /> {lead.company}
                  </div>
                )}
                <span className={`pill status-${lead.status.toLowerCase().replace(/[^a-z]/g, "")}`}>{lead.status}</span>
              </div>
              <button type="button" className="button small" onClick={() => onOpenLead(lead.id)}>
                Open lead
              </button>
            </div>
          ) : (
            lookup?.e164 &&
            !linkTarget?.name && (
              <div className="muted small" data-testid="dialer-no-lead">
                No lead has this number
              </div>
            )
          )}
        </div>

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

        <div className="dialer-options">
          <RouteOverride testId="dialer-route" value={routeOverride} defaultRoute={defaultRoute} onChange={setRouteOverride} />
          {route === "bridge" && (
            <label className="route-override">
              <span className="muted small">from</span>
              <select
                className="caller-id-select"
                data-testid="dialer-caller-id"
                aria-label="Caller ID"
                value={callerIdOverride}
                title="The number the lead sees (the default is in Settings → Calls)"
                onChange={(e) => setCallerIdOverride(e.target.value)}
              >
                <option value="">{settings?.callerId ? `${settings.callerId} (default)` : "Automatic caller ID"}</option>
                {(numbers ?? [])
                  .filter((n) => n.phoneNumber !== settings?.callerId)
                  .map((n) => (
                    <option key={n.sid} value={n.phoneNumber}>
                      {n.display}
                    </option>
                  ))}
              </select>
            </label>
          )}
          {route === "bridge" && (
            <label className="route-override" title="SignalWire records this bridge call">
              <input type="checkbox" data-testid="dialer-record" checked={record} onChange={(e) => setRecord(e.target.checked)} />
              <span className="small">Record this call</span>
            </label>
          )}
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
            aria-describedby={disabledReason ? "dial-disabled-reason" : undefined}
            title={disabledReason ?? (route === "bridge" ? "Calls your phone first, then the lead (Enter)" : "Dial (Enter)")}
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
        {disabledReason && (
          <p className="dial-disabled-reason" id="dial-disabled-reason" data-testid="dial-disabled-reason">
            {disabledReason}
          </p>
        )}
      </div>
    </div>
  );
}
