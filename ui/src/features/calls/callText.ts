// Wording and time arithmetic shared by the wrap-up dialog, the Follow-ups and History pages.
import type { CallHistoryItem, DispositionOption, NextAction } from "../../generated/bindings";

export const NEXT_ACTIONS: { value: NextAction; label: string }[] = [
  { value: "callBack", label: "Call back" },
  { value: "sendEmail", label: "Send email" },
  { value: "sendSms", label: "Send SMS" },
  { value: "scheduleMeeting", label: "Schedule meeting" },
  { value: "markDead", label: "Mark dead" },
];

export function nextActionLabel(action: NextAction | null): string {
  return NEXT_ACTIONS.find((a) => a.value === action)?.label ?? "Follow up";
}

/** Every next action but "mark dead" needs a follow-up time (the Rust side's rule). */
export function needsFollowUpTime(action: NextAction | null): boolean {
  return action !== null && action !== "markDead";
}

/** The label of a disposition key; the key itself when the set no longer has it. */
export function dispositionLabel(key: string | null, options: DispositionOption[]): string {
  if (key === null) return "";
  return options.find((o) => o.key === key)?.label ?? key;
}

/** "4:05" (m:ss); "" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "";
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Who the call was with: the lead's name, else the number. */
export function callerName(call: Pick<CallHistoryItem, "leadName" | "contactDisplay">): string {
  return call.leadName ?? call.contactDisplay;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function amount(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  const hours = Math.round(ms / HOUR);
  if (hours < 24) return `${hours} h`;
  const days = Math.round(ms / DAY);
  return `${days} ${days === 1 ? "day" : "days"}`;
}

/** "2 h overdue", "in 45 min", "in 3 days". */
export function relativeDue(dueAt: string, now: number = Date.now()): string {
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return dueAt;
  const diff = due - now;
  return diff < 0 ? `${amount(-diff)} overdue` : `in ${amount(diff)}`;
}

/** `days` from today at hh:00 local time. */
export function dayAt(days: number, hour: number, now: Date = new Date()): Date {
  const d = new Date(now);
  d.setDate(d.getDate() + days);
  d.setHours(hour, 0, 0, 0);
  return d;
}

/** The wrap-up dialog's quick picks for the follow-up time. */
export const QUICK_PICKS: { label: string; at: (now: Date) => Date }[] = [
  { label: "Tomorrow 9:00", at: (now) => dayAt(1, 9, now) },
  { label: "In 2 days", at: (now) => dayAt(2, 9, now) },
  { label: "Next week", at: (now) => dayAt(7, 9, now) },
];

/** The value of an <input type="datetime-local"> for a time (local, to the minute). */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An <input type="datetime-local"> value as RFC 3339 (UTC); null when empty or incomplete. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Local midnight starting an <input type="date"> day (`plusDays` later), as RFC 3339; null when empty. */
export function dayStart(value: string, plusDays = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
