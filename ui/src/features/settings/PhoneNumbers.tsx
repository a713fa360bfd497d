import { AlertCircle, Check, Loader2, Search } from "lucide-react";
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { ErrorCode, NumberOffer, OwnedNumberInfo, Settings } from "../../generated/bindings";
import { plural } from "../../lib/format";
import { ConfirmDialog } from "../shell/ConfirmDialog";

type Failure = { code: ErrorCode | null; message: string };

/** "+1 (415) 555-0103": the country code in front of a national display. */
export function internationalDisplay(n: { phoneNumber: string; display: string }): string {
  if (n.phoneNumber.startsWith("+1") && n.display.startsWith("(")) return `+1 ${n.display}`;
  return n.display;
}

function capabilities(n: { voice: boolean; sms: boolean }): string {
  return [n.voice && "Voice", n.sms && "SMS"].filter(Boolean).join(" · ") || "No voice or SMS";
}

type Query = { areaCode: string; contains: string; region: string; locality: string };
const EMPTY_QUERY: Query = { areaCode: "", contains: "", region: "", locality: "" };

/**
 * Settings → Phone numbers: the SignalWire project's numbers (rename, release) and a search to
 * buy more. Buying and releasing are confirmed first: one costs money monthly, the other cannot
 * be undone.
 */
export function PhoneNumbersSection({ settings }: { settings: Settings }) {
  const backend = useBackend();
  const [owned, setOwned] = useState<OwnedNumberInfo[] | null>(null);
  const [listFailure, setListFailure] = useState<Failure | null>(null);
  const [query, setQuery] = useState<Query>(EMPTY_QUERY);
  const [offers, setOffers] = useState<NumberOffer[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [buyTarget, setBuyTarget] = useState<NumberOffer | null>(null);
  const [buying, setBuying] = useState(false);
  const [offerErrors, setOfferErrors] = useState<Record<string, string>>({});
  const [releaseTarget, setReleaseTarget] = useState<OwnedNumberInfo | null>(null);
  const [releasing, setReleasing] = useState(false);
  const [ownedErrors, setOwnedErrors] = useState<Record<string, string>>({});
  const [announcement, setAnnouncement] = useState("");

  const loadOwned = useCallback(() => {
    let stale = false;
    backend.listNumbers().then(
      (numbers) => {
        if (stale) return;
        setOwned(numbers);
        setListFailure(null);
      },
      (err) => {
        if (stale) return;
        setOwned(null);
        setListFailure({ code: errorCode(err), message: errorMessage(err) });
      },
    );
    return () => {
      stale = true;
    };
  }, [backend]);

  // Listed again whenever the SignalWire settings change (saved above on this page).
  const configKey = `${settings.signalwireSpace}|${settings.signalwireProjectId}|${settings.signalwireApiTokenSet}`;
  useEffect(() => loadOwned(), [loadOwned, configKey]);

  const runSearch = async (e: FormEvent) => {
    e.preventDefault();
    setSearching(true);
    setSearchError(null);
    setOfferErrors({});
    try {
      const nullIfBlank = (v: string) => (v.trim() === "" ? null : v.trim());
      const found = await backend.searchNumbers({
        country: null,
        areaCode: nullIfBlank(query.areaCode),
        contains: nullIfBlank(query.contains),
        region: nullIfBlank(query.region),
        locality: nullIfBlank(query.locality),
        tollFree: false,
      });
      setOffers(found);
      setAnnouncement(found.length === 0 ? "No numbers for sale match." : `${plural(found.length, "number")} for sale.`);
    } catch (err) {
      setOffers(null);
      setSearchError(errorMessage(err));
    } finally {
      setSearching(false);
    }
  };

  const confirmBuy = async () => {
    if (!buyTarget) return;
    const offer = buyTarget;
    setBuying(true);
    try {
      const bought = await backend.buyNumber(offer.phoneNumber);
      setOwned((list) => [...(list ?? []), bought]);
      setOffers((list) => list?.filter((o) => o.phoneNumber !== offer.phoneNumber) ?? list);
      setAnnouncement(`Bought ${internationalDisplay(bought)}.`);
    } catch (err) {
      setOfferErrors((errors) => ({ ...errors, [offer.phoneNumber]: errorMessage(err) }));
    } finally {
      setBuying(false);
      setBuyTarget(null);
    }
  };

  const confirmRelease = async () => {
    if (!releaseTarget) return;
    const number = releaseTarget;
    setReleasing(true);
    try {
      await backend.releaseNumber(number.sid);
      setOwned((list) => list?.filter((n) => n.sid !== number.sid) ?? list);
      setAnnouncement(`Released ${internationalDisplay(number)}.`);
    } catch (err) {
      setOwnedErrors((errors) => ({ ...errors, [number.sid]: errorMessage(err) }));
    } finally {
      setReleasing(false);
      setReleaseTarget(null);
    }
  };

  const notConfigured = listFailure?.code === "notConfigured";

  return (
    <section className="settings-section phone-numbers" aria-label="Phone numbers" data-testid="settings-numbers">
      <h2>Phone numbers</h2>
      <p className="muted small">The numbers of your SignalWire project. Texts are sent from them; each one is billed monthly by SignalWire.</p>
      <span className="sr-only" aria-live="polite" data-testid="numbers-announcement">
        {announcement}
      </span>

      {notConfigured && (
        <p className="notice-box" data-testid="numbers-not-configured">
          Set up SignalWire above (space, project ID and API token) to see, buy and manage numbers. {listFailure.message}
        </p>
      )}
      {listFailure && !notConfigured && (
        <div className="error-box" role="alert">
          <AlertCircle size={16} aria-hidden />
          <div>Could not list your numbers: {listFailure.message}</div>
          <button type="button" className="button small" onClick={() => loadOwned()}>
            Try again
          </button>
        </div>
      )}

      {!notConfigured && (
        <>
          <h3 className="section-title">Your numbers</h3>
          {owned === null && !listFailure && <p className="muted">Loading numbers…</p>}
          {owned !== null && owned.length === 0 && <p className="muted" data-testid="owned-empty">None yet: search below and buy one to send texts.</p>}
          {owned !== null && owned.length > 0 && (
            <ul className="number-list" aria-label="Your numbers">
              {owned.map((n) => (
                <OwnedNumberRow
                  key={n.sid}
                  number={n}
                  error={ownedErrors[n.sid] ?? null}
                  onRenamed={(next) => setOwned((list) => list?.map((x) => (x.sid === next.sid ? next : x)) ?? list)}
                  onRelease={() => {
                    setOwnedErrors(({ [n.sid]: _, ...rest }) => rest);
                    setReleaseTarget(n);
                  }}
                />
              ))}
            </ul>
          )}

          <h3 className="section-title">Buy a number</h3>
          <form className="number-search" onSubmit={(e) => void runSearch(e)} aria-label="Search numbers for sale" noValidate>
            <NumberSearchField label="Area code" value={query.areaCode} onChange={(areaCode) => setQuery({ ...query, areaCode })} placeholder="415" inputMode="numeric" testId="numbers-area" />
            <NumberSearchField label="Contains" value={query.contains} onChange={(contains) => setQuery({ ...query, contains })} placeholder="digits, e.g. 555" inputMode="numeric" testId="numbers-contains" />
            <NumberSearchField label="State" value={query.region} onChange={(region) => setQuery({ ...query, region })} placeholder="CA" testId="numbers-region" />
            <NumberSearchField label="City" value={query.locality} onChange={(locality) => setQuery({ ...query, locality })} placeholder="San Francisco" testId="numbers-city" />
            <button type="submit" className="button" data-testid="numbers-search" disabled={searching}>
              {searching ? <Loader2 size={14} className="spin" aria-hidden /> : <Search size={14} aria-hidden />} Search
            </button>
          </form>
          {searchError && (
            <p className="field-error" role="alert" data-testid="numbers-search-error">
              <AlertCircle size={14} aria-hidden /> {searchError}
            </p>
          )}
          {offers !== null && offers.length === 0 && <p className="muted">No numbers for sale match. Try another area code or state.</p>}
          {offers !== null && offers.length > 0 && (
            <ul className="number-list" aria-label="Numbers for sale" data-testid="number-offers">
              {offers.map((o) => (
                <li key={o.phoneNumber} className="number-row" data-testid="number-offer">
                  <div className="number-main">
                    <strong>{o.display}</strong>
                    <span className="muted small">{[o.locality, o.region].filter(Boolean).join(", ")}</span>
                    <span className="muted small">{capabilities(o)}</span>
                  </div>
                  <div className="number-actions">
                    {offerErrors[o.phoneNumber] && (
                      <span className="field-error" role="alert">
                        <AlertCircle size={14} aria-hidden /> {offerErrors[o.phoneNumber]}
                      </span>
                    )}
                    <button
                      type="button"
                      className="button small"
                      aria-label={`Buy ${o.display}`}
                      onClick={() => {
                        setOfferErrors(({ [o.phoneNumber]: _, ...rest }) => rest);
                        setBuyTarget(o);
                      }}
                    >
                      Buy
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}

      {buyTarget && (
        <ConfirmDialog
          title={`Buy ${internationalDisplay(buyTarget)}?`}
          confirmLabel="Buy number"
          busy={buying}
          onConfirm={() => void confirmBuy()}
          onCancel={() => setBuyTarget(null)}
          testId="buy-confirm"
        >
          <p>SignalWire bills it monthly{buyTarget.locality ? ` (${[buyTarget.locality, buyTarget.region].filter(Boolean).join(", ")})` : ""}. It can send texts as soon as it is bought.</p>
        </ConfirmDialog>
      )}
      {releaseTarget && (
        <ConfirmDialog
          title={`Release ${internationalDisplay(releaseTarget)}?`}
          confirmLabel="Release number"
          danger
          busy={releasing}
          onConfirm={() => void confirmRelease()}
          onCancel={() => setReleaseTarget(null)}
          testId="release-confirm"
        >
          <p>
            It goes back to SignalWire: texts and calls to it stop reaching you, and you may not get it back. Conversations that used it stay
            in Messages.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

type FieldProps = {
  label: string;
  value: string;
  onChange: (v: string) => void;
  placeholder: string;
  inputMode?: "numeric" | "text";
  testId: string;
};

function NumberSearchField({ label, value, onChange, placeholder, inputMode = "text", testId }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} data-testid={testId} value={value} placeholder={placeholder} inputMode={inputMode} autoComplete="off" spellCheck={false} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

type RowProps = {
  number: OwnedNumberInfo;
  error: string | null;
  onRenamed: (n: OwnedNumberInfo) => void;
  onRelease: () => void;
};

/** An owned number: its name (saved with routeNumber) and Release. */
function OwnedNumberRow({ number, error, onRenamed, onRelease }: RowProps) {
  const backend = useBackend();
  const id = useId();
  const [name, setName] = useState(number.friendlyName);
  const [state, setState] = useState<{ kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; message: string }>({ kind: "idle" });
  const changed = name.trim() !== number.friendlyName;
  const [routing, setRouting] = useState<{ kind: "idle" } | { kind: "busy" } | { kind: "done"; text: string } | { kind: "error"; message: string }>({
    kind: "idle",
  });

  const routeHere = async () => {
    setRouting({ kind: "busy" });
    try {
      const h = await backend.routeNumberToRingdesk(number.phoneNumber);
      const calls = h.callsToSoftphone ? "calls ring this desktop" : "calls unchanged (set up a SignalWire SIP account first)";
      setRouting({ kind: "done", text: `Texts arrive live; ${calls}.` });
    } catch (err) {
      setRouting({ kind: "error", message: errorMessage(err) });
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!changed || name.trim() === "") return;
    setState({ kind: "saving" });
    try {
      const next = await backend.routeNumber(number.sid, { friendlyName: name.trim(), voiceUrl: null, smsUrl: null });
      onRenamed(next);
      setName(next.friendlyName);
      setState({ kind: "saved" });
    } catch (err) {
      setState({ kind: "error", message: errorMessage(err) });
    }
  };

  return (
    <li className="number-row" data-testid="owned-number">
      <div className="number-main">
        <strong>{number.display}</strong>
        <span className="muted small">{capabilities(number)}</span>
      </div>
      <form className="number-name" onSubmit={(e) => void save(e)} aria-label={`Name of ${number.display}`}>
        <label htmlFor={id} className="sr-only">
          Name of {number.display}
        </label>
        <input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder="Name, e.g. Sales line" data-testid="owned-number-name" />
        <button type="submit" className="button small" disabled={!changed || name.trim() === "" || state.kind === "saving"}>
          Save name
        </button>
      </form>
      <div className="number-actions">
        <span aria-live="polite">
          {state.kind === "saving" && <Loader2 size={14} className="spin" aria-label="Saving" />}
          {state.kind === "saved" && !changed && (
            <span className="saved">
              <Check size={14} aria-hidden /> Saved
            </span>
          )}
        </span>
        <button
          type="button"
          className="button small"
          data-testid="owned-number-route"
          title="Send this number's texts (and calls, with a SignalWire SIP account) to Ringdesk"
          disabled={routing.kind === "busy"}
          onClick={() => void routeHere()}
        >
          Route to Ringdesk
        </button>
        <button type="button" className="button small danger" aria-label={`Release ${number.display}`} onClick={onRelease}>
          Release
        </button>
      </div>
      {routing.kind === "done" && (
        <p className="muted small number-routing" role="status" data-testid="owned-number-routing">
          {routing.text}
        </p>
      )}
      {routing.kind === "error" && (
        <p className="field-error number-error" role="alert">
          <AlertCircle size={14} aria-hidden /> {routing.message}
        </p>
      )}
      {(state.kind === "error" || error) && (
        <p className="field-error number-error" role="alert">
          <AlertCircle size={14} aria-hidden /> {state.kind === "error" ? state.message : error}
        </p>
      )}
    </li>
  );
}
