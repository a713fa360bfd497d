import { AlertCircle, BarChart3, Copy, Download, Loader2, Pause, Pencil, Play, Plus, RefreshCw, Square, Trash2, X } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { CampaignAction, CampaignStats, CampaignSummary } from "../../generated/bindings";
import { useToast } from "../shell/Toast";
import { CampaignForm } from "./CampaignForm";
import { MODE_LABEL, STATUS_LABEL } from "./campaignText";
import { SessionView, StatsPanel } from "./SessionView";

type Props = {
  active: boolean;
  /** Bumps when calls were wrapped up or the team backend pulled rows. */
  dataVersion: number;
  onOpenLead: (leadId: string) => void;
};

/** Export file name: "q4-push-results.csv". */
function fileName(c: CampaignSummary): string {
  const slug = c.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "campaign";
  return `${slug}-results.csv`;
}

/**
 * Campaigns: every power-dialer campaign with its status and progress; create, edit, start, pause,
 * resume, complete, duplicate, delete a draft, export results, and open the dialing session of an
 * active one (N: new campaign).
 */
export function CampaignsPage({ active, dataVersion, onOpenLead }: Props) {
  const backend = useBackend();
  const toast = useToast();
  const [campaigns, setCampaigns] = useState<CampaignSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<{ campaign: CampaignSummary | null } | null>(null);
  const [session, setSession] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [rowError, setRowError] = useState<Record<string, string>>({});
  /** The campaign whose results are open below the table (any status), with the core's figures. */
  const [results, setResults] = useState<{ campaign: CampaignSummary; stats: CampaignStats | null; error: string | null } | null>(null);

  const openResults = useCallback(
    (campaign: CampaignSummary) => {
      setResults({ campaign, stats: null, error: null });
      backend.campaignStats(campaign.id).then(
        (stats) => setResults((r) => (r?.campaign.id === campaign.id ? { campaign, stats, error: null } : r)),
        (err) => setResults((r) => (r?.campaign.id === campaign.id ? { campaign, stats: null, error: errorMessage(err) } : r)),
      );
    },
    [backend],
  );
  const seq = useRef(0);

  const load = useCallback(() => {
    const mine = ++seq.current;
    backend.listCampaigns().then(
      (c) => {
        if (mine !== seq.current) return;
        setCampaigns(c);
        setLoadError(null);
      },
      (err) => mine === seq.current && setLoadError(errorMessage(err)),
    );
  }, [backend]);

  useEffect(() => {
    if (active && session === null) load();
  }, [active, load, dataVersion, session]);

  useEffect(() => {
    if (!active || session !== null || form !== null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== "n" || e.altKey || e.ctrlKey || e.metaKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      e.preventDefault();
      setForm({ campaign: null });
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [active, session, form]);

  const act = async (c: CampaignSummary, action: CampaignAction, done: string) => {
    setBusy(c.id);
    setRowError(({ [c.id]: _, ...rest }) => rest);
    try {
      const after = await backend.campaignAction(c.id, action);
      toast(after && action === "duplicate" ? `Duplicated as “${after.name}”.` : done);
      load();
      if (action === "start" || action === "resume") setSession(c.id);
    } catch (err) {
      setRowError((e) => ({ ...e, [c.id]: errorMessage(err) }));
    } finally {
      setBusy(null);
    }
  };

  const exportResults = async (c: CampaignSummary) => {
    setBusy(c.id);
    try {
      const report = await backend.exportCampaign(fileName(c), c.id);
      if (report) toast(`Exported ${report.rows} leads to ${report.path}.`);
    } catch (err) {
      setRowError((e) => ({ ...e, [c.id]: errorMessage(err) }));
    } finally {
      setBusy(null);
    }
  };

  if (session !== null) {
    return (
      <div className="page campaigns-page">
        <SessionView
          campaignId={session}
          active={active}
          dataVersion={dataVersion}
          onBack={() => setSession(null)}
          onOpenLead={onOpenLead}
        />
      </div>
    );
  }

  return (
    <div className="page campaigns-page">
      <div className="followups-header">
        <h1 className="page-title">Campaigns</h1>
        <button type="button" className="button primary" data-testid="new-campaign" onClick={() => setForm({ campaign: null })}>
          <Plus size={14} aria-hidden /> New campaign <kbd>N</kbd>
        </button>
        <button type="button" className="icon-button" aria-label="Refresh" title="Refresh" onClick={load}>
          <RefreshCw size={15} aria-hidden />
        </button>
      </div>
      {loadError && (
        <div className="error-box" role="alert">
          <AlertCircle size={16} aria-hidden /> Could not load campaigns: {loadError}
        </div>
      )}
      {campaigns === null && !loadError && <p className="muted">Loading campaigns…</p>}
      {campaigns?.length === 0 && (
        <p className="muted" data-testid="campaigns-empty">
          No campaigns yet. A campaign calls the leads of a list, one after another, within each lead's calling hours.
        </p>
      )}
      {campaigns && campaigns.length > 0 && (
        <table className="campaign-table" data-testid="campaign-table">
          <thead>
            <tr>
              <th>Campaign</th>
              <th>Status</th>
              <th>Progress</th>
              <th>Dials</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => {
              const p = c.progress;
              const disabled = busy !== null;
              return (
                <tr key={c.id} data-testid={`campaign-${c.name}`}>
                  <td>
                    <strong>{c.name}</strong>
                    <div className="muted small">
                      {c.listName ?? "list deleted"} · {MODE_LABEL[c.mode]} · {c.windowStart}–{c.windowEnd}
                    </div>
                    {rowError[c.id] && (
                      <div className="field-error" role="alert">
                        <AlertCircle size={12} aria-hidden /> {rowError[c.id]}
                      </div>
                    )}
                  </td>
                  <td>
                    <span className={`badge campaign-${c.status}`} data-testid="campaign-status">
                      {STATUS_LABEL[c.status]}
                    </span>
                  </td>
                  <td className="campaign-progress">
                    <div className="progress" aria-label={`${p.done} of ${p.total} leads done`}>
                      <div className="progress-bar" style={{ width: `${p.total === 0 ? 0 : (100 * p.done) / p.total}%` }} />
                    </div>
                    <span className="small muted" data-testid="campaign-progress">
                      {p.done}/{p.total} done · {p.remaining} left{p.waitingForWindow > 0 ? ` (${p.waitingForWindow} waiting for their window)` : ""}
                    </span>
                  </td>
                  <td>{p.dials}</td>
                  <td className="campaign-actions">
                    {busy === c.id && <Loader2 size={14} className="spin" aria-hidden />}
                    {c.status === "active" && (
                      <button type="button" className="button small primary" data-testid="campaign-open" disabled={disabled} onClick={() => setSession(c.id)}>
                        <Play size={13} aria-hidden /> Dial
                      </button>
                    )}
                    {c.status === "draft" && (
                      <button type="button" className="button small primary" data-testid="campaign-start" disabled={disabled} onClick={() => void act(c, "start", `“${c.name}” started.`)}>
                        <Play size={13} aria-hidden /> Start
                      </button>
                    )}
                    {c.status === "paused" && (
                      <button type="button" className="button small primary" data-testid="campaign-resume" disabled={disabled} onClick={() => void act(c, "resume", `“${c.name}” resumed.`)}>
                        <Play size={13} aria-hidden /> Resume
                      </button>
                    )}
                    {c.status === "active" && (
                      <button type="button" className="button small" data-testid="campaign-pause" disabled={disabled} onClick={() => void act(c, "pause", `“${c.name}” paused.`)}>
                        <Pause size={13} aria-hidden /> Pause
                      </button>
                    )}
                    {c.status !== "completed" && (
                      <button type="button" className="icon-button" aria-label={`Edit ${c.name}`} title="Edit" disabled={disabled} onClick={() => setForm({ campaign: c })}>
                        <Pencil size={14} aria-hidden />
                      </button>
                    )}
                    {(c.status === "active" || c.status === "paused") && (
                      <button type="button" className="icon-button" aria-label={`Complete ${c.name}`} title="Complete" disabled={disabled} onClick={() => void act(c, "complete", `“${c.name}” completed.`)}>
                        <Square size={14} aria-hidden />
                      </button>
                    )}
                    <button type="button" className="icon-button" aria-label={`Duplicate ${c.name}`} title="Duplicate" disabled={disabled} onClick={() => void act(c, "duplicate", "Duplicated.")}>
                      <Copy size={14} aria-hidden />
                    </button>
                    {c.status !== "draft" && (
                      <button type="button" className="icon-button" aria-label={`Results of ${c.name}`} title="Results" data-testid="campaign-results" disabled={disabled} onClick={() => openResults(c)}>
                        <BarChart3 size={14} aria-hidden />
                      </button>
                    )}
                    <button type="button" className="icon-button" aria-label={`Export results of ${c.name}`} title="Export results (CSV)" disabled={disabled} onClick={() => void exportResults(c)}>
                      <Download size={14} aria-hidden />
                    </button>
                    {c.status === "draft" && (
                      <button type="button" className="icon-button" aria-label={`Delete ${c.name}`} title="Delete draft" disabled={disabled} onClick={() => void act(c, "delete", `“${c.name}” deleted.`)}>
                        <Trash2 size={14} aria-hidden />
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {results && (
        <section className="campaign-results" aria-label={`Results of ${results.campaign.name}`} data-testid="campaign-results-panel">
          <div className="followups-header">
            <h2 className="section-title">
              {results.campaign.name} <span className={`badge campaign-${results.campaign.status}`}>{STATUS_LABEL[results.campaign.status]}</span>
            </h2>
            <button type="button" className="icon-button" aria-label="Close the results" title="Close" onClick={() => setResults(null)}>
              <X size={15} aria-hidden />
            </button>
          </div>
          {results.error && (
            <div className="error-box" role="alert">
              <AlertCircle size={16} aria-hidden /> Could not read the results: {results.error}
            </div>
          )}
          {!results.stats && !results.error && <p className="muted">Reading the results…</p>}
          {results.stats && <StatsPanel stats={results.stats} />}
        </section>
      )}
      {form && (
        <CampaignForm
          campaign={form.campaign}
          onClose={() => setForm(null)}
          onSaved={(saved) => {
            setForm(null);
            toast(form.campaign ? `Saved “${saved.name}”.` : `Created “${saved.name}”. Start it to dial.`);
            load();
          }}
        />
      )}
    </div>
  );
}
