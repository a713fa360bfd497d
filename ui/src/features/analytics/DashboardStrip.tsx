import { useEffect, useState } from "react";
import { useBackend } from "../../backend";
import type { Dashboard, DayFigures } from "../../generated/bindings";
import { formatCount, formatMinutes } from "../../lib/format";
import { localZone } from "./zone";
import { useFirstPaint } from "../../lib/firstPaint";

type Props = {
  /** The start page is showing: the figures re-read. */
  active: boolean;
  /** Bumps when calls changed (a wrap-up saved, a sync pulled). */
  dataVersion: number;
  onOpen: () => void;
  onOpenFollowUps: () => void;
};

/** "▲ 12 %" / "▼ 30 %" against the average; nothing without an average. */
function versus(today: number | null, average: number | null, days: number): string | null {
  if (days === 0 || today === null || average === null || average === 0) return null;
  const change = Math.round(((today - average) * 100) / average);
  return change === 0 ? "as usual" : `${change > 0 ? "▲" : "▼"} ${Math.abs(change)} % vs. your average`;
}

/**
 * The start page's strip: today's calls, talk time and connect rate against the agent's own
 * average of the last 30 days (days with calls), and the overdue follow-ups. Loads after the
 * first paint, like everything the page does not need to show its leads.
 */
export function DashboardStrip({ active, dataVersion, onOpen, onOpenFollowUps }: Props) {
  const backend = useBackend();
  const [d, setD] = useState<Dashboard | null>(null);
  const firstPaint = useFirstPaint();
  useEffect(() => {
    if (!active) return;
    let stale = false;
    void firstPaint
      .then(() => (stale ? null : backend.dashboard(localZone())))
      .then(
        (got) => got && !stale && setD(got),
        () => {},
      );
    return () => {
      stale = true;
    };
  }, [backend, active, dataVersion, firstPaint]);
  if (d === null) {
    // The strip's place is kept while its figures load, so the leads below do not jump.
    return <div className="dashboard-strip" role="region" aria-label="Today" aria-busy="true" data-testid="dashboard-strip-loading" />;
  }
  const item = (label: string, value: string, pick: (f: DayFigures) => number | null, testId: string) => (
    <button type="button" className="dashboard-item" data-testid={testId} onClick={onOpen} title="Open Analytics (Ctrl+9)">
      <span className="dashboard-value">{value}</span>
      <span className="dashboard-label">{label}</span>
      <span className="dashboard-versus muted">{versus(pick(d.today), pick(d.average), d.activeDays) ?? (d.activeDays ? "" : "no earlier days yet")}</span>
    </button>
  );
  return (
    <div className="dashboard-strip" role="region" aria-label="Today" data-testid="dashboard-strip">
      {item("calls today", formatCount(d.today.calls ?? 0), (f) => f.calls, "dashboard-calls")}
      {item("talk time", formatMinutes(d.today.talkSeconds ?? 0), (f) => f.talkSeconds, "dashboard-talk")}
      {item("connect rate", d.today.connectRate === null ? "—" : `${d.today.connectRate.toFixed(0)} %`, (f) => f.connectRate, "dashboard-connect")}
      <button type="button" className={`dashboard-item${d.overdueFollowUps ? " overdue" : ""}`} data-testid="dashboard-overdue" onClick={onOpenFollowUps} title="Open Follow-ups (Ctrl+5)">
        <span className="dashboard-value">{formatCount(d.overdueFollowUps)}</span>
        <span className="dashboard-label">overdue follow-ups</span>
      </button>
    </div>
  );
}
