// Wording for texts: statuses, the segment counter, sync results.
import type { SmsSegments, SmsSyncReport } from "../../generated/bindings";
import { plural } from "../../lib/format";

export const WAITING_EXPLANATION =
  "SignalWire could not be reached when you sent this. Ringdesk kept it and sends it exactly once when SignalWire answers again (Sync now tries right away).";

const STATUS_LABELS: Record<string, string> = {
  sending: "Waiting to send",
  queued: "Queued",
  accepted: "Queued",
  initiated: "Queued",
  sent: "Sent",
  delivered: "Delivered",
  undelivered: "Not delivered",
  failed: "Failed",
  received: "Received",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

export function isProblemStatus(status: string): boolean {
  return status === "failed" || status === "undelivered";
}

/** "2 segments · 14 left", with "· Unicode" when the text needs UCS-2. */
export function segmentSummary(s: SmsSegments): string {
  const parts = [plural(s.segments, "segment"), `${s.remaining} left`];
  if (s.encoding === "ucs2") parts.push("Unicode");
  return parts.join(" · ");
}

export const UNICODE_EXPLANATION =
  "This text has a character outside the GSM alphabet (an emoji, some accents, a non-Latin script), so it is sent as Unicode: 70 characters fit one segment, 67 per segment when split.";

/** What a sync brought, for the status line; `nameOf` turns a number into a lead name or display. */
export function syncSummary(report: SmsSyncReport, nameOf: (contact: string) => string): string {
  const parts: string[] = [];
  if (report.received.length > 0) {
    const senders = [...new Set(report.received.map((m) => nameOf(m.contactNumber)))];
    parts.push(`${plural(report.received.length, "new text")} from ${senders.join(", ")}`);
  }
  const sent = report.resent + report.confirmed;
  if (sent > 0) parts.push(`${plural(sent, "waiting text")} sent`);
  if (report.failed > 0) parts.push(`${plural(report.failed, "waiting text")} refused by SignalWire (marked failed)`);
  if (report.updated > 0) parts.push(`${plural(report.updated, "status update")}`);
  return parts.length === 0 ? "Up to date: no new texts." : `Synced: ${parts.join(" · ")}.`;
}
