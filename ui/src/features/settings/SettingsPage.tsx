import { AlertCircle, Check, KeyRound, Loader2, LogIn, LogOut, UserCheck } from "lucide-react";
import { useEffect, useRef, useState, type FormEvent, type ReactNode, type RefObject } from "react";
import { errorCode, errorMessage, useBackend } from "../../backend";
import type { Region, SecretKind, Settings, SettingsUpdate, SipTransport } from "../../generated/bindings";
import { useToast } from "../shell/Toast";
import { NO_SETTINGS_CHANGE } from "../../backend/settings";
import { CallsSection } from "./CallsSettings";
import { DispositionsSection } from "./Dispositions";
import { PhoneNumbersSection } from "./PhoneNumbers";
import { VoicemailSection } from "./VoicemailSettings";


type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "error"; message: string };

/** What the team backend URL points at: a Supabase project (sign in) or a PostgreSQL database (password only). */
function backendKind(url: string): "supabase" | "postgres" | null {
  const u = url.trim().toLowerCase();
  if (u.startsWith("postgres://") || u.startsWith("postgresql://")) return "postgres";
  if (u.startsWith("https://") || u.startsWith("http://")) return "supabase";
  return null;
}

const BACKEND_KEY_LABELS = {
  supabase: { label: "Publishable key", hint: "The project's publishable (anon) key, from Supabase → Project settings → API keys." },
  postgres: { label: "Database password", hint: "The password of the role in the URL. Keep it out of the URL: it is stored in the OS keychain." },
  none: { label: "Publishable key or database password", hint: "The Supabase project's publishable key, or the PostgreSQL role's password." },
};

function SaveStatus({ state, testId }: { state: SaveState; testId: string }) {
  return (
    <span className="save-status" aria-live="polite">
      {state.kind === "saving" && <Loader2 size={14} className="spin" aria-label="Saving" />}
      {state.kind === "saved" && (
        <span className="saved" data-testid={`${testId}-saved`}>
          <Check size={14} aria-hidden /> Saved
        </span>
      )}
      {state.kind === "error" && (
        <span className="field-error" role="alert" data-testid={`${testId}-error`}>
          <AlertCircle size={14} aria-hidden /> {state.message}
        </span>
      )}
    </span>
  );
}

type SecretFieldProps = {
  label: string;
  testId: string;
  isSet: boolean;
  inputRef: RefObject<HTMLInputElement>;
  onRemove: () => void;
  removing: boolean;
  hint?: string;
};

/**
 * A secret is write-only: the input is uncontrolled (React never holds or renders the value),
 * starts empty, and is cleared after saving. Only "stored / not set" comes back from the backend.
 */
function SecretField({ label, testId, isSet, inputRef, onRemove, removing, hint }: SecretFieldProps) {
  return (
    <div className="field">
      <label htmlFor={testId}>{label}</label>
      <div className="secret-row">
        <input
          id={testId}
          ref={inputRef}
          type="password"
          data-testid={testId}
          defaultValue=""
          autoComplete="new-password"
          spellCheck={false}
          placeholder={isSet ? "Enter a new value to replace it" : "Not set"}
        />
        <span className={`secret-status${isSet ? " set" : ""}`} data-testid={`${testId}-status`}>
          {isSet ? (
            <>
              <KeyRound size={13} aria-hidden /> Stored in the OS keychain
              <button type="button" className="link-button" data-testid={`${testId}-remove`} onClick={onRemove} disabled={removing}>
                Remove
              </button>
            </>
          ) : (
            "Not set"
          )}
        </span>
      </div>
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

type SectionProps = {
  title: string;
  description?: string;
  children: ReactNode;
  onSubmit?: (e: FormEvent) => void;
  /** Shown below the section's form (a second form, such as sign-in). */
  after?: ReactNode;
  sectionRef?: RefObject<HTMLElement>;
};

function Section({ title, description, children, onSubmit, after, sectionRef }: SectionProps) {
  return (
    <section ref={sectionRef} className="settings-section" aria-label={title}>
      <h2>{title}</h2>
      {description && <p className="muted small">{description}</p>}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit?.(e);
        }}
      >
        {children}
      </form>
      {after}
    </section>
  );
}

type TextFieldProps = { label: string; testId: string; value: string; onChange: (v: string) => void; placeholder?: string; type?: string };

function TextField({ label, testId, value, onChange, placeholder, type = "text" }: TextFieldProps) {
  return (
    <div className="field">
      <label htmlFor={testId}>{label}</label>
      <input id={testId} data-testid={testId} type={type} value={value} placeholder={placeholder} spellCheck={false} autoComplete="off" onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

/** Commands from App; `nonce` makes repeats distinct. "showSip": the phone status was clicked. */
export type SettingsCommand = { kind: "showSip"; nonce: number };

type Props = {
  /** The page is shown (a command waits until it is). */
  active?: boolean;
  command?: SettingsCommand | null;
};

export function SettingsPage({ active = true, command = null }: Props = {}) {
  const backend = useBackend();
  const toast = useToast();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [regions, setRegions] = useState<Region[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);

  const [region, setRegion] = useState("");
  const [regionState, setRegionState] = useState<SaveState>({ kind: "idle" });
  const [swSpace, setSwSpace] = useState("");
  const [swProject, setSwProject] = useState("");
  const [swState, setSwState] = useState<SaveState>({ kind: "idle" });
  const [sipRegistrar, setSipRegistrar] = useState("");
  const [sipUsername, setSipUsername] = useState("");
  const [sipTransport, setSipTransport] = useState<SipTransport>("udp");
  const [sipState, setSipState] = useState<SaveState>({ kind: "idle" });
  const [backendUrl, setBackendUrl] = useState("");
  const [backendState, setBackendState] = useState<SaveState>({ kind: "idle" });
  const [signInEmail, setSignInEmail] = useState("");
  const [signInState, setSignInState] = useState<SaveState>({ kind: "idle" });
  const [removing, setRemoving] = useState<SecretKind | null>(null);

  const swTokenRef = useRef<HTMLInputElement>(null);
  const sipPasswordRef = useRef<HTMLInputElement>(null);
  const backendKeyRef = useRef<HTMLInputElement>(null);
  const signInPasswordRef = useRef<HTMLInputElement>(null);
  const sipSectionRef = useRef<HTMLElement>(null);

  useEffect(() => {
    let stale = false;
    Promise.all([backend.getSettings(), backend.listRegions()]).then(
      ([s, r]) => {
        if (stale) return;
        setSettings(s);
        setRegions(r);
        setRegion(s.defaultRegion);
        setSwSpace(s.signalwireSpace);
        setSwProject(s.signalwireProjectId);
        setSipRegistrar(s.sipRegistrar);
        setSipUsername(s.sipUsername);
        setSipTransport(s.sipTransport);
        setBackendUrl(s.backendUrl);
        setSignInEmail(s.backendEmail);
      },
      (err) => !stale && setLoadError(errorMessage(err)),
    );
    return () => {
      stale = true;
    };
  }, [backend]);

  // "showSip" scrolls to the SIP account and puts the focus in its first field (once settings loaded).
  const loaded = settings !== null;
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!command || !active || !loaded || handled.current === command.nonce) return;
    handled.current = command.nonce;
    const section = sipSectionRef.current;
    section?.scrollIntoView?.({ block: "start" });
    section?.querySelector("input")?.focus();
  }, [command, active, loaded]);

  /**
   * Saves a section: the non-secret fields, then (if typed) the secret, which is then cleared.
   * Resolves with whether everything was saved.
   */
  const saveSection = async (
    update: Partial<SettingsUpdate>,
    secret: { kind: SecretKind; ref: RefObject<HTMLInputElement> } | null,
    setState: (s: SaveState) => void,
  ): Promise<boolean> => {
    setState({ kind: "saving" });
    try {
      let next = await backend.updateSettings({ ...NO_SETTINGS_CHANGE, ...update });
      const input = secret?.ref.current;
      if (secret && input && input.value !== "") {
        next = await backend.setSecret(secret.kind, input.value);
        input.value = "";
      }
      setSettings(next);
      setState({ kind: "saved" });
      return true;
    } catch (err) {
      setState({ kind: "error", message: errorMessage(err) });
      return false;
    }
  };

  const provisionSip = async () => {
    if (sipUsername.trim() === "") {
      setSipState({ kind: "error", message: "Enter the username the SIP credentials should have." });
      return;
    }
    setSipState({ kind: "saving" });
    try {
      const next = await backend.provisionSipLine({ username: sipUsername.trim(), sendAs: null });
      setSettings(next);
      setSipRegistrar(next.sipRegistrar);
      setSipUsername(next.sipUsername);
      setSipTransport(next.sipTransport);
      setSipState({ kind: "saved" });
    } catch (err) {
      setSipState({ kind: "error", message: errorMessage(err) });
    }
  };

  /** The live connection uses the SignalWire settings: reconnect with the new ones. Incomplete settings are not an error here. */
  const restartRealtime = () => {
    backend.startRealtime().catch((err) => {
      if (errorCode(err) !== "notConfigured") toast(`The live SignalWire connection did not start: ${errorMessage(err)}`, "error");
    });
  };

  /** The softphone registers with the SIP line: restart it with the new one. Incomplete settings are not an error here. */
  const restartPhone = () => {
    backend.startPhone().catch((err) => {
      if (errorCode(err) !== "notConfigured") toast(`The softphone did not start: ${errorMessage(err)}`, "error");
    });
  };

  const saveSip = async () => {
    const saved = await saveSection({ sipRegistrar, sipUsername, sipTransport }, { kind: "sipPassword", ref: sipPasswordRef }, setSipState);
    if (saved) restartPhone();
  };

  const saveSignalwire = async () => {
    const saved = await saveSection({ signalwireSpace: swSpace, signalwireProjectId: swProject }, { kind: "signalwireApiToken", ref: swTokenRef }, setSwState);
    if (saved) restartRealtime();
  };

  const removeSecret = async (kind: SecretKind, setState: (s: SaveState) => void) => {
    setRemoving(kind);
    try {
      setSettings(await backend.clearSecret(kind));
      setState({ kind: "idle" });
    } catch (err) {
      setState({ kind: "error", message: errorMessage(err) });
    } finally {
      setRemoving(null);
    }
  };

  const saveBackend = () => saveSection({ backendUrl }, { kind: "backendKey", ref: backendKeyRef }, setBackendState);

  /** Signs in with the URL and key as entered: saved first when they changed. */
  const signIn = async () => {
    if (!settings) return;
    const keyTyped = (backendKeyRef.current?.value ?? "") !== "";
    if (backendUrl.trim() !== settings.backendUrl || keyTyped) {
      if (!(await saveBackend())) return;
    }
    setSignInState({ kind: "saving" });
    try {
      const password = signInPasswordRef.current;
      const next = await backend.backendSignIn(signInEmail, password?.value ?? "");
      if (password) password.value = "";
      setSettings(next);
      setSignInEmail(next.backendEmail);
      setSignInState({ kind: "idle" });
    } catch (err) {
      setSignInState({ kind: "error", message: errorMessage(err) });
    }
  };

  const signOut = async () => {
    setSignInState({ kind: "saving" });
    try {
      setSettings(await backend.backendSignOut());
      setSignInState({ kind: "idle" });
    } catch (err) {
      setSignInState({ kind: "error", message: errorMessage(err) });
    }
  };

  const changeRegion = async (code: string) => {
    setRegion(code);
    setRegionState({ kind: "saving" });
    try {
      const next = await backend.updateSettings({ ...NO_SETTINGS_CHANGE, defaultRegion: code });
      setSettings(next);
      setRegion(next.defaultRegion);
      setRegionState({ kind: "saved" });
    } catch (err) {
      setRegionState({ kind: "error", message: errorMessage(err) });
    }
  };

  if (loadError) {
    return (
      <div className="page settings-page">
        <div className="error-box" role="alert">
          Could not load settings: {loadError}
        </div>
      </div>
    );
  }
  if (!settings) {
    return (
      <div className="page settings-page">
        <p className="muted">Loading settings…</p>
      </div>
    );
  }

  return (
    <div className="page settings-page">
      <h1 className="page-title">Settings</h1>

      <Section title="Region" description="Numbers typed without a country code are read as numbers of this region.">
        <div className="field inline">
          <label htmlFor="settings-region">Default region</label>
          <select id="settings-region" data-testid="settings-region" value={region} onChange={(e) => void changeRegion(e.target.value)}>
            {regions.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name} (+{r.callingCode})
              </option>
            ))}
          </select>
          <SaveStatus state={regionState} testId="settings-region" />
        </div>
      </Section>

      <Section
        title="SignalWire"
        description="Your SignalWire space and project, used for calling and texting."
        onSubmit={() => void saveSignalwire()}
      >
        <TextField label="Space" testId="settings-sw-space" value={swSpace} onChange={setSwSpace} placeholder="example.signalwire.com" />
        <TextField label="Project ID" testId="settings-sw-project" value={swProject} onChange={setSwProject} placeholder="xxxxxxxx-xxxx-…" />
        <SecretField
          label="API token"
          testId="settings-sw-token"
          isSet={settings.signalwireApiTokenSet}
          inputRef={swTokenRef}
          removing={removing === "signalwireApiToken"}
          onRemove={() => void removeSecret("signalwireApiToken", setSwState)}
        />
        <SectionActions testId="settings-sw" state={swState} />
      </Section>

      <PhoneNumbersSection settings={settings} />

      <Section
        title="SIP account"
        description="The phone line Ringdesk registers with to place calls."
        onSubmit={() => void saveSip()}
        sectionRef={sipSectionRef}
      >
        <TextField label="Registrar" testId="settings-sip-registrar" value={sipRegistrar} onChange={setSipRegistrar} placeholder="sip.example.com" />
        <TextField label="Username" testId="settings-sip-username" value={sipUsername} onChange={setSipUsername} />
        <SecretField
          label="Password"
          testId="settings-sip-password"
          isSet={settings.sipPasswordSet}
          inputRef={sipPasswordRef}
          removing={removing === "sipPassword"}
          onRemove={() => void removeSecret("sipPassword", setSipState)}
        />
        <div className="field">
          <label htmlFor="settings-sip-transport">Transport</label>
          <select
            id="settings-sip-transport"
            data-testid="settings-sip-transport"
            value={sipTransport}
            onChange={(e) => setSipTransport(e.target.value as SipTransport)}
          >
            <option value="udp">UDP</option>
            <option value="tcp">TCP</option>
            <option value="tls">TLS</option>
          </select>
        </div>
        <SectionActions testId="settings-sip" state={sipState} />
        <div className="field provision-sip">
          <button
            type="button"
            className="button small"
            data-testid="settings-sip-provision"
            disabled={sipState.kind === "saving"}
            title="Creates SIP credentials with this username in your SignalWire project, with a generated password kept in the keychain"
            onClick={() => void provisionSip()}
          >
            Create these SIP credentials in SignalWire
          </button>
          <span className="muted small">Uses the username above; the registrar, TLS and a generated password are filled in.</span>
        </div>
      </Section>

      <CallsSection settings={settings} onSaved={setSettings} />

      <Section
        title="Team backend"
        description="Your team's shared CRM: a Supabase project (https://<project>.supabase.co, then sign in) or a PostgreSQL database (postgres://role@host:5432/db?sslmode=require). Leads and call history sync in the background."
        onSubmit={() => void saveBackend()}
        after={
          backendKind(backendUrl) === "supabase" && (
            <BackendAccount
              settings={settings}
              email={signInEmail}
              onEmailChange={setSignInEmail}
              passwordRef={signInPasswordRef}
              state={signInState}
              onSignIn={() => void signIn()}
              onSignOut={() => void signOut()}
            />
          )
        }
      >
        <TextField
          label="URL"
          testId="settings-backend-url"
          value={backendUrl}
          onChange={setBackendUrl}
          placeholder="https://<project>.supabase.co or postgres://role@host:5432/db"
          type="url"
        />
        <SecretField
          label={BACKEND_KEY_LABELS[backendKind(backendUrl) ?? "none"].label}
          hint={BACKEND_KEY_LABELS[backendKind(backendUrl) ?? "none"].hint}
          testId="settings-backend-key"
          isSet={settings.backendKeySet}
          inputRef={backendKeyRef}
          removing={removing === "backendKey"}
          onRemove={() => void removeSecret("backendKey", setBackendState)}
        />
        <SectionActions testId="settings-backend" state={backendState} />
      </Section>

      <DispositionsSection />
      <VoicemailSection />
    </div>
  );
}

type BackendAccountProps = {
  settings: Settings;
  email: string;
  onEmailChange: (email: string) => void;
  passwordRef: RefObject<HTMLInputElement>;
  state: SaveState;
  onSignIn: () => void;
  onSignOut: () => void;
};

/**
 * The agent's CRM account on a Supabase backend: "Signed in as …" with Sign out, or a sign-in
 * form. The password input is uncontrolled and emptied after signing in, like a secret field.
 */
function BackendAccount({ settings, email, onEmailChange, passwordRef, state, onSignIn, onSignOut }: BackendAccountProps) {
  const busy = state.kind === "saving";
  if (settings.backendSignedIn) {
    return (
      <div className="backend-account" data-testid="settings-backend-account">
        <span className="backend-signed-in" data-testid="settings-backend-signed-in">
          <UserCheck size={15} aria-hidden /> Signed in as <strong>{settings.backendEmail || "your CRM account"}</strong>
        </span>
        <button type="button" className="button small" data-testid="settings-backend-signout" disabled={busy} onClick={onSignOut}>
          <LogOut size={14} aria-hidden /> Sign out
        </button>
        <SaveStatus state={state} testId="settings-backend-signin" />
      </div>
    );
  }
  return (
    <form
      className="backend-signin"
      aria-label="Sign in to the team backend"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSignIn();
      }}
    >
      <h3 className="section-title">Sign in</h3>
      <p className="muted small">With your CRM account, the one you use on the web. Until you sign in, sync is off.</p>
      <TextField label="Email" testId="settings-backend-email" value={email} onChange={onEmailChange} type="email" />
      <div className="field">
        <label htmlFor="settings-backend-password">Password</label>
        <input
          id="settings-backend-password"
          ref={passwordRef}
          type="password"
          data-testid="settings-backend-password"
          defaultValue=""
          autoComplete="current-password"
          spellCheck={false}
        />
      </div>
      <div className="section-actions">
        <button type="submit" className="button primary" data-testid="settings-backend-signin-button" disabled={busy}>
          <LogIn size={14} aria-hidden /> Sign in
        </button>
        <SaveStatus state={state} testId="settings-backend-signin" />
      </div>
    </form>
  );
}

/** A section's Save button (`<testId>-save`) and its save status. */
function SectionActions({ testId, state }: { testId: string; state: SaveState }) {
  return (
    <div className="section-actions">
      <button type="submit" className="button primary" data-testid={`${testId}-save`} disabled={state.kind === "saving"}>
        Save
      </button>
      <SaveStatus state={state} testId={testId} />
    </div>
  );
}
