import { BarChart3, Download, Image as ImageIcon, Loader2 } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { errorMessage, useBackend } from "../../backend";
import type { AnalyticsQuery, AnalyticsReport, AnalyticsTable, CampaignSummary, DispositionOption, LeadList, Period } from "../../generated/bindings";
import { formatCount, formatMinutes as minutes, plural } from "../../lib/format";
import { dispositionLabel } from "../calls/callText";
import { useDispositionOptions } from "../calls/useDispositionOptions";
import { leadStatuses, statusLabel } from "../history/HistoryPage";
import { useToast } from "../shell/Toast";
import { Chart, type Drawn } from "./Chart";
import { localZone } from "./zone";
import { barChart, heatmapChart, OUTCOME_COLORS, TEXT, type ChartSpec } from "./charts";

export type Range = "today" | "week" | "30days" | "all" | "custom";

type Filters = {
  range: Range;
  from: string;
  to: string;
  period: Period;
  agent: string;
  campaignId: string;
  listId: string;
  disposition: string;
  leadStatus: string;
  route: string;
  direction: string;
};

const DEFAULT_FILTERS: Filters = {
  range: "30days",
  from: "",
  to: "",
  period: "day",
  agent: "",
  campaignId: "",
  listId: "",
  disposition: "",
  leadStatus: "",
  route: "",
  direction: "",
};

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const HOURS = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`);
const OUTCOMES = [
  ["answered", "Answered"],
  ["voicemail", "Voicemail"],
  ["busy", "Busy"],
  ["noAnswer", "No answer"],
  ["wrongNumber", "Wrong number"],
  ["unclassified", "Unclassified"],
] as const;


function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The days a preset covers, on the agent's calendar (the core reads them in the agent's zone). */
export function rangeDays(f: Pick<Filters, "range" | "from" | "to">, now = new Date()): { from: string | null; to: string | null } {
  const today = isoDay(now);
  const back = (days: number) => isoDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - days));
  switch (f.range) {
    case "today":
      return { from: today, to: today };
    case "week":
      return { from: back((now.getDay() + 6) % 7), to: today };
    case "30days":
      return { from: back(29), to: today };
    case "all":
      return { from: null, to: null };
    case "custom":
      return { from: f.from || null, to: f.to || null };
  }
}

function query(f: Filters): AnalyticsQuery {
  const none = (v: string) => (v === "" ? null : v);
  return {
    ...rangeDays(f),
    agent: none(f.agent),
    campaignId: none(f.campaignId),
    listId: none(f.listId),
    disposition: none(f.disposition),
    leadStatus: none(f.leadStatus),
    route: none(f.route),
    direction: none(f.direction),
    zone: localZone(),
    conversationSeconds: null,
    period: f.period,
  };
}

function pct(v: number | null): string {
  return v === null ? "—" : `${v.toFixed(1)} %`;
}

function agentName(agent: string, me: string | null): string {
  if (agent === "") return "Not signed in";
  return agent === me ? `You (${agent})` : agent;
}

type Props = {
  active: boolean;
  /** Bumps when calls changed elsewhere (a wrap-up saved, a sync pulled): the figures re-read. */
  dataVersion: number;
};

export function AnalyticsPage({ active, dataVersion }: Props) {
  const backend = useBackend();
  const toast = useToast();
  const dispositions = useDispositionOptions(active);
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  const [report, setReport] = useState<AnalyticsReport | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [lists, setLists] = useState<LeadList[]>([]);
  const [campaigns, setCampaigns] = useState<CampaignSummary[]>([]);
  const [agents, setAgents] = useState<string[]>([]);
  /** Bumps per report shown; the charts' paints carry it (the window test times a filter change). */
  const [shown, setShown] = useState(0);
  const asked = useRef(0);

  const q = useMemo(() => query(filters), [filters]);

  useEffect(() => {
    if (!active) return;
    const n = ++asked.current;
    setLoading(true);
    backend.analytics(q).then(
      (r) => {
        if (n !== asked.current) return;
        setReport(r);
        setError(null);
        setLoading(false);
        setShown((s) => s + 1);
        // Agents seen stay in the filter (a manager narrows to one, then goes back).
        setAgents((known) => {
          const more = r.byAgent.map((a) => a.agent).filter((a) => a !== "" && !known.includes(a));
          return more.length ? [...known, ...more].sort() : known;
        });
      },
      (err) => {
        if (n !== asked.current) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
  }, [backend, q, active, dataVersion]);

  useEffect(() => {
    if (!active) return;
    backend.listLists().then(setLists, () => {});
    backend.listCampaigns().then(setCampaigns, () => {});
  }, [backend, active, dataVersion]);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered =
    filters.agent || filters.campaignId || filters.listId || filters.disposition || filters.leadStatus || filters.route || filters.direction;

  const exportTable = useCallback(
    async (table: AnalyticsTable, name: string) => {
      try {
        const done = await backend.exportAnalytics(`${name}.csv`, q, table);
        if (done) toast(`Exported ${plural(done.rows, "row")} to ${done.path}.`);
      } catch (err) {
        toast(`Export failed: ${errorMessage(err)}`, "error");
      }
    },
    [backend, q, toast],
  );

  const exportPng = useCallback(
    async (chart: Drawn | null, name: string) => {
      if (!chart) return;
      try {
        const png = chart.png();
        const done = await backend.exportChartPng(`${name}.png`, png);
        if (done) toast(`Saved the chart to ${done.path}.`);
      } catch (err) {
        toast(`Could not save the chart: ${errorMessage(err)}`, "error");
      }
    },
    [backend, toast],
  );

  return (
    <div className="page analytics-page" data-testid="analytics-page" data-shown={shown}>
      <div className="toolbar analytics-toolbar">
        <h1 className="page-title toolbar-title">Analytics</h1>
        <label className="toolbar-field">
          <span className="muted small">Range</span>
          <select data-testid="analytics-range" aria-label="Date range" value={filters.range} onChange={(e) => set({ range: e.target.value as Range })}>
            <option value="today">Today</option>
            <option value="week">This week</option>
            <option value="30days">Last 30 days</option>
            <option value="all">All time</option>
            <option value="custom">Custom…</option>
          </select>
        </label>
        {filters.range === "custom" && (
          <>
            <input type="date" aria-label="From date" data-testid="analytics-from" value={filters.from} max={filters.to || undefined} onChange={(e) => set({ from: e.target.value })} />
            <input type="date" aria-label="To date" data-testid="analytics-to" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.target.value })} />
          </>
        )}
        {agents.length > 1 && (
          <select aria-label="Agent" data-testid="analytics-agent" value={filters.agent} onChange={(e) => set({ agent: e.target.value })}>
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a} value={a}>
                {agentName(a, report?.me ?? null)}
              </option>
            ))}
          </select>
        )}
        <select aria-label="Campaign" data-testid="analytics-campaign" value={filters.campaignId} onChange={(e) => set({ campaignId: e.target.value })}>
          <option value="">All campaigns</option>
          {campaigns.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select aria-label="List" data-testid="analytics-list" value={filters.listId} onChange={(e) => set({ listId: e.target.value })}>
          <option value="">All lists</option>
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
        <select aria-label="Disposition" data-testid="analytics-disposition" value={filters.disposition} onChange={(e) => set({ disposition: e.target.value })}>
          <option value="">All dispositions</option>
          {dispositions.map((d) => (
            <option key={d.key} value={d.key}>
              {d.label}
            </option>
          ))}
        </select>
        <select aria-label="Lead status" data-testid="analytics-status" value={filters.leadStatus} onChange={(e) => set({ leadStatus: e.target.value })}>
          <option value="">All lead statuses</option>
          {leadStatuses(dispositions).map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <select aria-label="Route" data-testid="analytics-route" value={filters.route} onChange={(e) => set({ route: e.target.value })}>
          <option value="">Both routes</option>
          <option value="softphone">Softphone</option>
          <option value="bridge">Bridge</option>
        </select>
        <select aria-label="Direction" data-testid="analytics-direction" value={filters.direction} onChange={(e) => set({ direction: e.target.value })}>
          <option value="">Both directions</option>
          <option value="outbound">Outbound</option>
          <option value="inbound">Inbound</option>
        </select>
        {filtered && (
          <button type="button" className="button small" data-testid="analytics-clear" onClick={() => setFilters((f) => ({ ...DEFAULT_FILTERS, range: f.range, from: f.from, to: f.to, period: f.period }))}>
            Clear filters
          </button>
        )}
        <span className="toolbar-spacer" />
        {loading && <Loader2 size={15} className="spin" aria-label="Updating" />}
      </div>
      <div className="analytics-body">
        {error && (
          <div className="error-box" role="alert" data-testid="analytics-error">
            {error}
          </div>
        )}
        {report === null && !error && <div className="page-loading" aria-busy="true" />}
        {report !== null && report.calls === 0 && (
          <div className="empty-state" data-testid="analytics-empty">
            <BarChart3 size={28} aria-hidden />
            <h2>No calls in this range</h2>
            <p>
              {filtered
                ? "No call matches these filters. Clear them or pick a longer range."
                : filters.range === "all"
                  ? "Calls show here once you make or take them."
                  : "Pick a longer range, or make some calls: every call you log counts here."}
            </p>
          </div>
        )}
        {report !== null && report.calls > 0 && (
          <Figures report={report} filters={filters} shown={shown} dispositions={dispositions} lists={lists} onPeriod={(period) => set({ period })} onCsv={exportTable} onPng={exportPng} />
        )}
      </div>
    </div>
  );
}

type FiguresProps = {
  report: AnalyticsReport;
  dispositions: DispositionOption[];
  lists: LeadList[];
  filters: Filters;
  shown: number;
  onPeriod: (p: Period) => void;
  onCsv: (table: AnalyticsTable, name: string) => void;
  onPng: (chart: Drawn | null, name: string) => void;
};

function Figures({ report: r, dispositions, lists, filters, shown, onPeriod, onCsv, onPng }: FiguresProps) {
  const specs = useMemo(() => chartSpecs(r), [r]);
  const list = filters.listId !== "";
  const dials = r.outbound;
  return (
    <>
      <div className="stats analytics-stats" data-testid="analytics-stats">
        <Stat label="Calls" value={formatCount(r.calls)} detail={`${formatCount(r.outbound)} out · ${formatCount(r.inbound)} in`} />
        <Stat label="Talk time" value={minutes(r.talkSeconds)} detail={`${plural(r.conversations, "conversation")}`} />
        <Stat label="Connect rate" value={pct(dials ? r.rates.answered : null)} detail={`of ${plural(dials, "dial")}`} />
        <Stat label="Average handle time" value={r.averageHandleSeconds === null ? "—" : minutes(r.averageHandleSeconds)} detail="talk + wrap-up" />
        <Stat label="Calls per agent-hour" value={r.callsPerAgentHour === null ? "—" : r.callsPerAgentHour.toFixed(1)} detail="first call to last, per day" />
        <Stat label="Won" value={formatCount(r.funnel.won)} detail={r.funnel.wonValue ? `value ${formatCount(Math.round(r.funnel.wonValue))}` : "leads called"} />
      </div>
      {r.clockSkewed > 0 && (
        <p className="muted small" data-testid="analytics-skewed">
          {plural(r.clockSkewed, "call")} ended before {r.clockSkewed === 1 ? "it was" : "they were"} answered (a clock that jumped): counted, with no talk time.
        </p>
      )}

      <Card
        title="Call volume"
        name="call-volume"
        table="volume"
        onCsv={onCsv}
        onPng={onPng}
        extra={
          <select aria-label="Count per" data-testid="analytics-period" value={filters.period} onChange={(e) => onPeriod(e.target.value as Period)}>
            <option value="day">Per day</option>
            <option value="week">Per week</option>
            <option value="month">Per month</option>
          </select>
        }
        chart={(onChart) => <Chart label="call-volume" spec={specs.volume} onChart={onChart} onPainted={() => painted(shown)} />}
      >
        <Table
          head={["Period", "Calls", ...OUTCOMES.map(([, l]) => l), "Talk"]}
          rows={r.byDay.map((d) => [d.day, formatCount(d.calls), ...OUTCOMES.map(([k]) => formatCount(d.outcomes[k])), minutes(d.talkSeconds)])}
        />
      </Card>

      <Card
        title="Contact rate"
        name="contact-rate"
        table="outcomes"
        onCsv={onCsv}
        onPng={onPng}
        empty={dials === 0 ? "No outbound dials in this range: contact rates count dials only." : null}
        chart={(onChart) => <Chart label="contact-rate" spec={specs.rates} height={220} onChart={onChart} />}
      >
        <Table head={["Outcome", "Dials", "Share"]} rows={OUTCOMES.map(([k, l]) => [l, formatCount(r.outcomes[k]), pct(r.rates[k])])} />
      </Card>

      <Card
        title={`Best time to call${list ? " (this list)" : ""}, in the leads' local time`}
        name="best-time"
        table="heatmap"
        onCsv={onCsv}
        onPng={onPng}
        empty={r.heatmap.length === 0 ? "No outbound dials in this range: the heatmap places each dial in its lead's local hour." : null}
        chart={(onChart) => <Chart label="best-time" spec={specs.heatmap} height={300} onChart={onChart} />}
      >
        <p className="muted small">
          Answered share of dials per hour. Cells with fewer than {r.sparseCell} dials are grey: too few to read.
        </p>
        <Table
          head={["Leads", "Best hour", "Answered", "Dials there"]}
          testId="analytics-best-times"
          rows={[...(r.bestTime ? [r.bestTime] : []), ...r.bestTimeByZone, ...(list ? [] : r.bestTimeByList)].map((b) => [
            b.listId !== null ? `List: ${lists.find((l) => l.id === b.listId)?.name ?? b.listId}` : (b.zone ?? "All leads"),
            `${WEEKDAYS[b.weekday]} ${HOURS[b.hour]}${b.sparse ? " (few dials)" : ""}`,
            pct(b.rate),
            `${formatCount(b.dials)} of ${formatCount(b.totalDials)}`,
          ])}
          empty="No dial was answered yet."
        />
      </Card>

      <Card
        title="Conversion funnel"
        name="funnel"
        table="funnel"
        onCsv={onCsv}
        onPng={onPng}
        empty={r.funnel.leadsCalled === 0 ? "None of these calls was to a lead: the funnel follows leads." : null}
        chart={(onChart) => <Chart label="funnel" spec={specs.funnel} height={240} onChart={onChart} />}
      >
        <Table
          head={["Step", "Leads", "From the step before"]}
          rows={funnelSteps(r).map(([label, n, rate], i) => [label, formatCount(n), i === 0 ? "" : pct(rate)])}
        />
        <p className="muted small">A conversation is a call with at least {r.conversationSeconds} s of talk (Settings → Calls).</p>
      </Card>

      <Card
        title="Team"
        name="team"
        table="agents"
        onCsv={onCsv}
        onPng={onPng}
        chart={(onChart) => <Chart label="team" spec={specs.team} onChart={onChart} />}
        wide
      >
        <Table
          testId="analytics-team"
          head={["Agent", "Dials", "Connect", "Conversations", "Talk", "Follow-ups on time", "Dispositions"]}
          rows={r.byAgent.map((a) => [
            agentName(a.agent, r.me),
            formatCount(a.dials),
            pct(a.dials ? a.connectRate : null),
            formatCount(a.conversations),
            minutes(a.talkSeconds),
            a.followUpsDue ? `${a.followUpsOnTime} of ${a.followUpsDue}` : "—",
            a.dispositions.map((d) => `${dispositionLabel(d.disposition, dispositions)} ${d.calls}`).join(", "),
          ])}
        />
      </Card>
    </>
  );
}

/** The window test reads when the volume chart last painted, and for which report. */
function painted(shown: number) {
  const page = document.querySelector<HTMLElement>('[data-testid="analytics-page"]');
  if (page) page.dataset.painted = String(shown);
}

/** Each step: its label, its leads and its share of the step before (the core's). */
function funnelSteps(r: AnalyticsReport): [string, number, number | null][] {
  const f = r.funnel;
  return [
    ["Leads called", f.leadsCalled, null],
    ["Conversations", f.conversations, f.conversationRate],
    ["Interested / meeting", f.interested, f.interestedRate],
    ["Won", f.won, f.wonRate],
  ];
}

function chartSpecs(r: AnalyticsReport): Record<"volume" | "rates" | "heatmap" | "funnel" | "team", ChartSpec> {
  const percent = (v: number) => `${v.toFixed(1)} %`;
  const volume = barChart({
    categories: r.byDay.map((d) => d.day),
    stacked: true,
    unit: "calls",
    series: [
      ...OUTCOMES.map(([k, label]) => ({ label, color: OUTCOME_COLORS[k], values: r.byDay.map((d) => d.outcomes[k]) })),
      { label: "Inbound", color: "#a78bfa", values: r.byDay.map((d) => d.inbound) },
    ],
    line: { label: "Talk minutes", color: TEXT, unit: "talk min", values: r.byDay.map((d) => Math.round(d.talkSeconds / 6) / 10) },
  });
  // One bar per outcome, each in its colour.
  const rates = barChart({
    categories: OUTCOMES.map(([, l]) => l),
    unit: "% of dials",
    max: 100,
    format: percent,
    valueLabels: true,
    series: [
      {
        label: "Share of dials",
        color: OUTCOMES.map(([k]) => OUTCOME_COLORS[k]),
        values: OUTCOMES.map(([k]) => Math.round((r.rates[k] ?? 0) * 10) / 10),
      },
    ],
  });
  const heatmap = heatmapChart(r.heatmap, WEEKDAYS, HOURS, r.sparseCell);
  const steps = funnelSteps(r);
  const funnel = barChart({
    categories: steps.map(([l]) => l),
    unit: "leads",
    valueLabels: true,
    series: [{ label: "Leads", color: ["#93c5fd", "#60a5fa", "#2563eb", "#16a34a"], values: steps.map(([, n]) => n) }],
  });
  const team = barChart({
    categories: r.byAgent.map((a) => agentName(a.agent, r.me)),
    unit: "calls",
    series: [
      { label: "Dials", color: "#93c5fd", values: r.byAgent.map((a) => a.dials) },
      { label: "Answered", color: OUTCOME_COLORS.answered, values: r.byAgent.map((a) => a.answered) },
      { label: "Conversations", color: "#2563eb", values: r.byAgent.map((a) => a.conversations) },
    ],
  });
  return { volume, rates, heatmap, funnel, team };
}

function Stat({ label, value, detail }: { label: string; value: string; detail: string }) {
  return (
    <div className="stat" data-testid={`analytics-stat-${label}`}>
      <span className="stat-number">{value}</span>
      <span className="stat-label">{label}</span>
      <span className="muted small">{detail}</span>
    </div>
  );
}

type CardProps = {
  title: string;
  /** The export's file name. */
  name: string;
  table: AnalyticsTable;
  onCsv: (table: AnalyticsTable, name: string) => void;
  onPng: (chart: Drawn | null, name: string) => void;
  chart: (onChart: (c: Drawn | null) => void) => ReactNode;
  /** Why there is nothing to chart; the chart is left out then. */
  empty?: string | null;
  extra?: ReactNode;
  wide?: boolean;
  children: ReactNode;
};

/** A chart with its numbers beside it, and its CSV and PNG exports. */
function Card({ title, name, table, onCsv, onPng, chart, empty, extra, wide, children }: CardProps) {
  // The PNG button waits for a drawn chart (a window without a canvas draws none).
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  return (
    <section className={`analytics-card${wide ? " wide" : ""}`} aria-label={title} data-testid={`analytics-card-${name}`}>
      <header className="analytics-card-head">
        <h2>{title}</h2>
        <span className="toolbar-spacer" />
        {extra}
        <button type="button" className="button small" data-testid={`analytics-csv-${name}`} title="Export these numbers as CSV" onClick={() => onCsv(table, name)}>
          <Download size={13} aria-hidden /> CSV
        </button>
        <button
          type="button"
          className="button small"
          data-testid={`analytics-png-${name}`}
          title={drawn ? "Save the chart as a PNG image" : "No chart drawn to save"}
          disabled={Boolean(empty) || !drawn}
          onClick={() => onPng(drawn, name)}
        >
          <ImageIcon size={13} aria-hidden /> PNG
        </button>
      </header>
      <div className="analytics-card-body">
        <div className="analytics-chart">{empty ? <p className="muted analytics-chart-empty" data-testid={`analytics-empty-${name}`}>{empty}</p> : chart(setDrawn)}</div>
        <div className="analytics-table">{children}</div>
      </div>
    </section>
  );
}

function Table({ head, rows, empty, testId }: { head: string[]; rows: string[][]; empty?: string; testId?: string }) {
  if (rows.length === 0) return <p className="muted small">{empty ?? "Nothing to list."}</p>;
  return (
    <table className="figures" data-testid={testId}>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {row.map((cell, j) => (j === 0 ? <th key={j} scope="row">{cell}</th> : <td key={j}>{cell}</td>))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
