import type { CampaignStatus, DialMode, LeadOrder, RetryAfter, SessionState } from "../../generated/bindings";

export const STATUS_LABEL: Record<CampaignStatus, string> = {
  draft: "Draft",
  active: "Active",
  paused: "Paused",
  completed: "Completed",
};

export const MODE_LABEL: Record<DialMode, string> = {
  preview: "Preview",
  progressive: "Progressive",
};

export const ORDER_LABEL: Record<LeadOrder, string> = {
  list: "The list's order",
  oldestContact: "Oldest last contact first",
  highestValue: "Highest value first",
  bestHour: "Best local hour first",
};

export const STATE_LABEL: Record<SessionState, string> = {
  offering: "Ready to dial",
  countdown: "Dialing soon",
  inCall: "In a call",
  waiting: "Waiting",
  paused: "Paused",
  finished: "Finished",
  inactive: "Not active",
};

export const WEEKDAYS: { key: string; label: string }[] = [
  { key: "mon", label: "Mon" },
  { key: "tue", label: "Tue" },
  { key: "wed", label: "Wed" },
  { key: "thu", label: "Thu" },
  { key: "fri", label: "Fri" },
  { key: "sat", label: "Sat" },
  { key: "sun", label: "Sun" },
];

/** "1 h", "90 min", "Next day", "Never". */
export function retryLabel(r: RetryAfter): string {
  if (r.kind === "nextDay") return "Next day";
  if (r.kind === "never") return "Never";
  return r.minutes % 60 === 0 ? `${r.minutes / 60} h` : `${r.minutes} min`;
}

/** "busy" → "Busy", "no_answer" → "No answer". */
export function outcomeLabel(key: string): string {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Seconds left until `iso` (never below zero). */
export function secondsUntil(iso: string, now: number = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}
