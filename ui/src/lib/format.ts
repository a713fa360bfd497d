/**
 * Intl formatters, each made on first use: the first one made loads ICU's data, about 35 ms of a
 * cold start (7 ms warm; BENCHMARKS.md), which the window's first paint does not need.
 */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

const valueFormat = once(() => new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }));
const dateFormat = once(() => new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric" }));
const dateTimeFormat = once(() => new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" }));
const countFormat = once(() => new Intl.NumberFormat("en-US"));

export function formatValue(value: number | null): string {
  return value === null ? "" : valueFormat().format(value);
}

export function formatDate(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat().format(d);
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat().format(d);
}

export function formatCount(n: number): string {
  return countFormat().format(n);
}

/** Seconds as "42 min", or "3 h 5 min" from an hour on. */
export function formatMinutes(seconds: number): string {
  const m = Math.round(seconds / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const timeFormat = once(() => new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit" }));
const monthDayFormat = once(() => new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric" }));

/** For lists: the time for today, "Mar 5" this year, "Mar 5, 2024" before. */
export function formatShortTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (d.toDateString() === now.toDateString()) return timeFormat().format(d);
  if (d.getFullYear() === now.getFullYear()) return monthDayFormat().format(d);
  return dateFormat().format(d);
}

/** A duration in seconds as "1:05". */
export function formatSeconds(s: number): string {
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}
