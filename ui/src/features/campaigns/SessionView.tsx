import { AlertCircle, AlertTriangle, ArrowLeft, Loader2, Pause, Phone, Play, SkipForward, Square, Voicemail } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { CampaignSession, CampaignStats, SessionCommand, SessionLead } from "../../generated/bindings";
import { formatDateTime } from "../../lib/format";
import { isTypingTarget } from "../shell/keys";
import { usePhoneContext } from "../phone/usePhone";
import { VoicemailPicker, useVoicemailChoice } from "../phone/VoicemailPicker";
import { STATE_LABEL, outcomeLabel, secondsUntil } from "./campaignText";

type Props = {
  campaignId: string;
  active: boolean;
  /** Bumps when a wrap-up was saved (the session moves on) or the team backend pulled rows. */
  dataVersion: number;
  onBack: () => void;
  onOpenLead: (leadId: string) => void;
};

/** The lead's local time as "14:05" (its own offset). */
function localClock(iso: string | null): string | null {
  if (!iso) return null;
  const m = /T(\d\d:\d\d)/.exec(iso);
  return m ? m[1] : null;
}

/**
 * An agent's session on a campaign: the lead offered (or counting down, or in the call), the next
 * five, leads waiting for their window, and the campaign's results so far. The core decides every
 * step; this view asks it again when the countdown or a wait runs out and after each saved
 * wrap-up. Keys: D dial now, S skip, P pause or resume, V drop the chosen voicemail message.
 */
export function SessionView({ campaignId, active, dataVersion, onBack, onOpenLead }: Props) {
  const backend = useBackend();
  const phone = usePhoneContext();
  const [session, setSession] = useState<CampaignSession | null>(null);
  const [stats, setStats] = useState<CampaignStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<SessionCommand | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const seq = useRef(0);
  /** The call the session placed last (its voicemail drop target). */
  const callLogId = useRef<string | null>(null);
  const phoneRef = useRef(phone);
  phoneRef.current = phone;
  /** The recorded voicemail messages, and the one V drops (read again when the page comes back). */
  const voicemail = useVoicemailChoice(active);
  const { message } = voicemail;

  const run = useCallback(
    async (command: SessionCommand) => {
      const mine = ++seq.current;
      setBusy(command);
      try {
        const s = await backend.campaignSession(campaignId, command);
        if (s.placed) callLogId.current = s.placed.callLogId;
        if (s.placed) phoneRef.current?.adopt(s.placed, s.lead?.number ?? "", s.lead ? { leadId: s.lead.leadId, name: s.lead.name, company: s.lead.company, status: s.lead.status } : null);
        if (mine !== seq.current) return;
        setSession(s);
        setError(null);
        setNow(Date.now());
        backend.campaignStats(campaignId).then(
          (st) => mine === seq.current && setStats(st),
          () => {},
        );
      } catch (err) {
        if (mine === seq.current) setError(errorMessage(err));
      } finally {
        if (mine === seq.current) setBusy(null);
      }
    },
    [backend, campaignId],
  );

  useEffect(() => {
    if (active) void run("refresh");
  }, [active, run, dataVersion]);

  // The countdown and waits: ask again when they run out (and at least every minute); every
  // answer schedules the next question, so a clock a little ahead of the core's only asks twice.
  const due = session?.dialAt ?? session?.waitUntil ?? null;
  useEffect(() => {
    if (!active) return;
    const tick = setInterval(() => setNow(Date.now()), 250);
    const wait = due ? Math.max(0, Date.parse(due) - Date.now()) + 50 : 60_000;
    const timer = setTimeout(() => void run("refresh"), Math.min(wait, 60_000));
    return () => {
      clearInterval(tick);
      clearTimeout(timer);
    };
  }, [active, due, run, session]);

  const state = session?.state ?? null;

  /** V: the chosen voicemail message into the session's call; the session moves on at once. */
  const dropVoicemail = useCallback(async () => {
    const call = callLogId.current;
    if (!call) return;
    try {
      if (!message) {
        setError("Record or import a voicemail message in Settings → Voicemail drop first.");
        return;
      }
      await (phoneRef.current ? phoneRef.current.dropVoicemail(call, message) : backend.dropVoicemail(call, message.id));
      callLogId.current = null;
      await run("refresh");
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [backend, run, message]);
  const canDial = state === "offering" || state === "countdown";
  const paused = state === "paused";

  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTypingTarget(e.target) || document.querySelector('[aria-modal="true"]')) return;
      const key = e.key.toLowerCase();
      if (key === "d" && canDial) void run("dialNow");
      else if (key === "s" && canDial) void run("skip");
      else if (key === "v" && state === "inCall") void dropVoicemail();
      else if (key === "p" && state !== null && state !== "finished" && state !== "inactive") void run(paused ? "resume" : "pause");
      else return;
      e.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [active, canDial, paused, state, run, dropVoicemail]);

  const lead = session?.lead ?? null;
  const p = session?.progress ?? null;

  return (
    <div className="session-view" data-testid="session-view">
      <div className="followups-header">
        <button type="button" className="icon-button" aria-label="Back to campaigns" title="Back to campaigns" onClick={onBack}>
          <ArrowLeft size={15} aria-hidden />
        </button>
        <h1 className="page-title">{session?.campaignName ?? "Session"}</h1>
        {state && (
          <span className={`badge session-state state-${state}`} data-testid="session-state" role="status">
            {STATE_LABEL[state]}
          </span>
        )}
      </div>
      {error && (
        <div className="error-box" role="alert" data-testid="session-error">
          <AlertCircle size={16} aria-hidden /> {error}
        </div>
      )}
      {session?.notice && (
        <div className="notice-box" role="status" data-testid="session-notice">
          <AlertTriangle size={16} aria-hidden /> {session.notice}
        </div>
      )}
      {session === null && !error && <p className="muted">Opening the session…</p>}
      {p && (
        <div className="session-progress" data-testid="session-progress">
          <div className="progress" aria-label={`${p.done} of ${p.total} leads done`}>
            <div className="progress-bar" style={{ width: `${p.total === 0 ? 0 : (100 * p.done) / p.total}%` }} />
          </div>
          <span className="small muted">
            {p.done} of {p.total} done · {p.ready} ready · {p.waitingForWindow} waiting for their window · {p.dials} dials
          </span>
        </div>
      )}
      <div className="session-grid">
        <section className="session-card" aria-label="Current lead" data-testid="session-lead">
          {lead ? (
            <LeadCard lead={lead} onOpenLead={onOpenLead} />
          ) : (
            <p className="muted" data-testid="session-empty">
              {state === "waiting" && session?.waitUntil
                ? `No lead may be called now. The next one opens ${formatDateTime(session.waitUntil)}.`
                : state === "finished"
                  ? "Every lead is done or can no longer be called."
                  : state === "inactive"
                    ? "Start the campaign to dial."
                    : state === "paused"
                      ? "Paused. Resume (P) to go on."
                      : ""}
            </p>
          )}
          {state === "countdown" && session?.dialAt && (
            <p className="countdown" data-testid="session-countdown" aria-live="polite">
              Dialing in {secondsUntil(session.dialAt, now)} s
            </p>
          )}
          <div className="session-actions">
            <button type="button" className="button primary" data-testid="session-dial" disabled={!canDial || busy !== null} onClick={() => void run("dialNow")}>
              {busy === "dialNow" ? <Loader2 size={14} className="spin" aria-hidden /> : <Phone size={14} aria-hidden />} Dial now <kbd>D</kbd>
            </button>
            <button type="button" className="button" data-testid="session-skip" disabled={!canDial || busy !== null} onClick={() => void run("skip")}>
              <SkipForward size={14} aria-hidden /> Skip <kbd>S</kbd>
            </button>
            <button
              type="button"
              className="button"
              data-testid="session-pause"
              disabled={busy !== null || state === null || state === "finished" || state === "inactive"}
              onClick={() => void run(paused ? "resume" : "pause")}
            >
              {paused ? <Play size={14} aria-hidden /> : <Pause size={14} aria-hidden />} {paused ? "Resume" : "Pause"} <kbd>P</kbd>
            </button>
            {state === "inCall" && (
              <button type="button" className="button" data-testid="session-voicemail" onClick={() => void dropVoicemail()}>
                <Voicemail size={14} aria-hidden /> Drop voicemail <kbd>V</kbd>
              </button>
            )}
            {voicemail.messages && voicemail.messages.length > 1 && (
              <VoicemailPicker messages={voicemail.messages} chosen={voicemail.chosen} onChoose={voicemail.setChosen} label="Voicemail message to drop" testId="session-voicemail-message" />
            )}
            <button type="button" className="button" data-testid="session-end" disabled={busy !== null} onClick={() => void run("end").then(onBack)}>
              <Square size={14} aria-hidden /> End session
            </button>
          </div>
        </section>
        <aside className="session-side">
          <h2 className="section-title">Next</h2>
          {session && session.upcoming.length === 0 ? (
            <p className="muted small">No other lead may be called now.</p>
          ) : (
            <ol className="session-list" data-testid="session-upcoming">
              {session?.upcoming.map((l) => (
                <li key={l.leadId}>
                  {l.name} <span className="muted small">{l.contactDisplay}</span>
                </li>
              ))}
            </ol>
          )}
          {session && session.waiting.length > 0 && (
            <>
              <h2 className="section-title">Waiting</h2>
              <ul className="session-list" data-testid="session-waiting">
                {session.waiting.map((w) => (
                  <li key={w.leadId}>
                    {w.name} <span className="muted small">{w.label}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {session && session.passedOver.length > 0 && (
            <>
              <h2 className="section-title">Not called</h2>
              <ul className="session-list" data-testid="session-passed-over">
                {session.passedOver.map((p) => (
                  <li key={p.leadId}>
                    {p.name} <span className="muted small">{p.reason}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {stats && <StatsPanel stats={stats} />}
        </aside>
      </div>
    </div>
  );
}

function LeadCard({ lead, onOpenLead }: { lead: SessionLead; onOpenLead: (id: string) => void }) {
  const clock = localClock(lead.localTime);
  return (
    <div className="lead-card">
      <h2 className="lead-card-name">
        <button type="button" className="link-button" onClick={() => onOpenLead(lead.leadId)} data-testid="session-lead-name">
          {lead.name}
        </button>
      </h2>
      <p className="muted">{[lead.company, lead.status].filter(Boolean).join(" · ")}</p>
      <dl className="lead-card-facts">
        <dt>Number</dt>
        <dd data-testid="session-lead-number">{lead.contactDisplay ?? "none"}</dd>
        <dt>Local time</dt>
        <dd>
          {clock ?? "unknown"} {lead.zone && <span className="muted">({lead.zone}{lead.state ? `, ${lead.state}` : ""})</span>}
          {lead.zoneAssumed && (
            <span className="warning-text" data-testid="session-zone-assumed">
              {" "}
              <AlertTriangle size={12} aria-hidden /> The number does not say where it rings: the campaign's zone is assumed.
            </span>
          )}
        </dd>
        <dt>Why now</dt>
        <dd data-testid="session-lead-why">{lead.why}</dd>
        <dt>Attempts</dt>
        <dd>
          {lead.attempts} of {lead.maxAttempts}
        </dd>
        <dt>Last call</dt>
        <dd>{lead.lastCallAt ? `${formatDateTime(lead.lastCallAt)}${lead.lastOutcome ? ` · ${outcomeLabel(lead.lastOutcome)}` : ""}` : "never"}</dd>
        {lead.lastNote && (
          <>
            <dt>Note</dt>
            <dd className="lead-card-note">{lead.lastNote}</dd>
          </>
        )}
        <dt>Caller ID</dt>
        <dd data-testid="session-caller-id">{lead.callerId ?? "as in Settings"}</dd>
      </dl>
    </div>
  );
}

export function StatsPanel({ stats }: { stats: CampaignStats }) {
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  return (
    <section className="campaign-stats" aria-label="Results" data-testid="campaign-stats">
      <h2 className="section-title">Results</h2>
      <dl className="lead-card-facts">
        <dt>Leads</dt>
        <dd data-testid="stats-leads">
          {stats.progress.total} · {stats.progress.done} done · {stats.progress.remaining} left
          {stats.progress.waitingForWindow > 0 ? ` (${stats.progress.waitingForWindow} waiting for their window)` : ""}
        </dd>
        <dt>Dials</dt>
        <dd data-testid="stats-dials">{stats.progress.dials}</dd>
        <dt>Connects</dt>
        <dd data-testid="stats-connects">
          {stats.connects} ({pct(stats.connectRate ?? 0)})
        </dd>
        <dt>Conversations</dt>
        <dd>
          {stats.conversations} <span className="muted small">(≥ {stats.conversationSeconds} s)</span>
        </dd>
        <dt>Average talk</dt>
        <dd>{Math.round(stats.averageTalkSeconds ?? 0)} s</dd>
        <dt>Dials per hour</dt>
        <dd>{(stats.callsPerHour ?? 0).toFixed(1)}</dd>
      </dl>
      {stats.attempts.length > 0 && (
        <p className="small" data-testid="stats-attempts">
          Leads by attempts:{" "}
          {stats.attempts.map((a) => `${a.key} ${a.key === "1" ? "dial" : "dials"}: ${a.count}`).join(" · ")}
        </p>
      )}
      {stats.outcomes.length > 0 && (
        <ul className="session-list" data-testid="stats-outcomes">
          {stats.outcomes.map((o) => (
            <li key={o.key}>
              {o.key === "none" ? "Not wrapped up" : outcomeLabel(o.key)}: {o.count}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
