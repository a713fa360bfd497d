import { NO_SETTINGS_CHANGE } from "./settings";
import { describe, expect, it } from "vitest";
import type { HistoryFilter } from "../generated/bindings";
import { parseCsv } from "./csv";
import { MemoryBackend, SIGNALWIRE_CONFIGURED, type CallInput } from "./memory";

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

const history = (over: Partial<HistoryFilter> = {}): HistoryFilter => ({
  from: null,
  to: null,
  disposition: null,
  leadId: null,
  leadStatus: null,
  direction: null,
  route: null,
  missed: false,
  text: null,
  limit: 50,
  beforeStartedAt: null,
  beforeId: null,
  ...over,
});

const LEADS = [
  { name: "Ann Archer", company: "Archer Dental", email: "ann@archer.example", phone: "(202) 555-0143", status: "new" },
  { name: "Björn Berg", company: "Nordic Freight", email: "bjorn@nordic.example", phone: "+44 20 7946 0958", status: "qualified" },
];

/** call-00000001 … in this order. */
const CALLS: CallInput[] = [
  { contact: "+12025550143", startedAt: ago(10), durationSeconds: 120, disposition: "interested", notes: "Wants the premium plan by Friday", recordings: [{ transcription: "Hi Ann, about the premium plan" }] },
  { contact: "+12025550143", direction: "inbound", startedAt: ago(8), durationSeconds: 0 },
  { contact: "+442079460958", direction: "inbound", startedAt: ago(6), durationSeconds: 300, route: "bridge", recordings: [{ transcription: "Freight rates for March" }] },
  { contact: "+13125550147", startedAt: ago(4), durationSeconds: 45, disposition: "voicemail", notes: "Left a message" },
  { contact: "+13125550147", direction: "inbound", startedAt: ago(2), durationSeconds: 30, recordings: [{ transcription: "Calling back about the quote" }, { transcription: null, durationSeconds: 12 }] },
];

const backend = () => new MemoryBackend({ leads: LEADS, calls: CALLS, settings: SIGNALWIRE_CONFIGURED });
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe("MemoryBackend call history filters", () => {
  it("reports status, missed (inbound never answered) and whether a call has a recording", async () => {
    const items = await backend().callHistory(history());
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));
    expect(byId["call-00000002"]).toMatchObject({ missed: true, status: "missed", hasRecording: false });
    expect(byId["call-00000003"]).toMatchObject({ missed: false, status: "completed", hasRecording: true });
    expect(byId["call-00000004"]).toMatchObject({ missed: false, hasRecording: false, endReason: null });
  });

  it("filters by missed, direction, route and the lead's current status", async () => {
    const b = backend();
    expect(ids(await b.callHistory(history({ missed: true })))).toEqual(["call-00000002"]);
    expect(ids(await b.callHistory(history({ direction: "inbound" })))).toEqual(["call-00000005", "call-00000003", "call-00000002"]);
    expect(ids(await b.callHistory(history({ direction: "outbound" })))).toEqual(["call-00000004", "call-00000001"]);
    expect(ids(await b.callHistory(history({ route: "bridge" })))).toEqual(["call-00000003"]);
    expect(ids(await b.callHistory(history({ leadStatus: "qualified" })))).toEqual(["call-00000003"]);
    expect(ids(await b.callHistory(history({ leadStatus: "new", direction: "outbound" })))).toEqual(["call-00000001"]);
  });

  it("free text matches lead words by prefix (case and accents ignored), notes words, or the number from the country code", async () => {
    const b = backend();
    const text = async (t: string) => ids(await b.callHistory(history({ text: t })));
    expect(await text("ARCH")).toEqual(["call-00000002", "call-00000001"]);
    expect(await text("bjorn")).toEqual(["call-00000003"]);
    expect(await text("nordic freight")).toEqual(["call-00000003"]);
    expect(await text("premium fri")).toEqual(["call-00000001"]);
    expect(await text("+1 312 555")).toEqual(["call-00000005", "call-00000004"]);
    expect(await text("1312")).toEqual(["call-00000005", "call-00000004"]);
    // Digits from the middle of a number without a lead do not match (the number must start with them).
    expect(await text("5550147")).toEqual([]);
    expect(await text("rchi")).toEqual([]);
    expect(await text("  ")).toHaveLength(5);
    expect(await text("!!!")).toEqual([]);
  });

  it("missed inbound calls do not wait for a wrap-up", async () => {
    const b = new MemoryBackend({
      leads: LEADS,
      calls: [
        { contact: "+12025550143", direction: "inbound", startedAt: ago(1), durationSeconds: 0 },
        { contact: "+12025550143", startedAt: ago(0.5), durationSeconds: 0 },
      ],
    });
    expect(ids(await b.callsAwaitingDisposition())).toEqual(["call-00000002"]);
  });

  it("exports every call the filter selects, beyond one page, as CSV", async () => {
    const many: CallInput[] = Array.from({ length: 120 }, (_, i) => ({ contact: "+12025550143", startedAt: ago(i + 1), durationSeconds: 10, disposition: i % 2 ? "voicemail" : "interested", notes: i === 0 ? 'Said "call me"' : null }));
    const files = new Map<string, string | Uint8Array>();
    const b = new MemoryBackend({ leads: LEADS, calls: many, files, saveDirectory: "/tmp" });
    const report = await b.exportCallHistory("history.csv", history({ disposition: "interested", limit: 5, beforeStartedAt: ago(0), beforeId: "call-99999999" }));
    expect(report).toEqual({ path: "/tmp/history.csv", rows: 60 });
    const [header, ...records] = parseCsv(files.get("/tmp/history.csv") as string);
    expect(header.fields).toEqual(["started_at", "direction", "route", "number", "lead", "company", "duration_seconds", "disposition", "notes"]);
    expect(records).toHaveLength(60);
    expect(records[0].fields).toEqual([many[0].startedAt, "outbound", "softphone", "+12025550143", "Ann Archer", "Archer Dental", "10", "interested", 'Said "call me"']);
    const cancelled = new MemoryBackend({ leads: LEADS, calls: many, files: new Map(), saveDirectory: null });
    expect(await cancelled.exportCallHistory("history.csv", history()), "a cancelled dialog exports nothing").toBeNull();
  });
});

describe("MemoryBackend recordings library", () => {
  it("groups recordings by lead, else by number, the contact with the newest recording first", async () => {
    const groups = await backend().recordingsLibrary({ text: null, from: null, to: null, limit: null });
    expect(groups.map((g) => [g.title, g.leadCompany, g.contactNumber, g.recordings.length])).toEqual([
      ["(312) 555-0147", null, "+13125550147", 2],
      ["Björn Berg", "Nordic Freight", "+442079460958", 1],
      ["Ann Archer", "Archer Dental", "+12025550143", 1],
    ]);
    expect(groups[2].recordings[0]).toMatchObject({ direction: "outbound", callDurationSeconds: 120, disposition: "interested", recording: { transcription: "Hi Ann, about the premium plan", cached: false } });
  });

  it("searches lead words, number digits and transcription text, and limits by the call's date", async () => {
    const b = backend();
    const titles = async (text: string | null, from: string | null = null, to: string | null = null) =>
      (await b.recordingsLibrary({ text, from, to, limit: null })).map((g) => g.title);
    expect(await titles("march")).toEqual(["Björn Berg"]);
    expect(await titles("PREMIUM PLAN")).toEqual(["Ann Archer"]);
    expect(await titles("archer")).toEqual(["Ann Archer"]);
    expect(await titles("1312555")).toEqual(["(312) 555-0147"]);
    expect(await titles(null, ago(7), ago(3))).toEqual(["Björn Berg"]);
    expect(await titles("quote")).toEqual(["(312) 555-0147"]);
    await expect(b.recordingsLibrary({ text: null, from: "yesterday", to: null, limit: null })).rejects.toMatchObject({ code: "invalidInput" });
  });

  it("syncRecordings pulls recordings of logged calls, counts the others, and needs SignalWire", async () => {
    const b = new MemoryBackend({
      leads: LEADS,
      calls: CALLS.slice(0, 2),
      settings: SIGNALWIRE_CONFIGURED,
      remoteRecordings: [
        { callLogId: "call-00000002", transcription: "Voicemail from Ann" },
        { callLogId: null },
        { callLogId: "call-00000001", createdAt: ago(24 * 40) },
      ],
    });
    expect(await b.syncRecordings(30)).toEqual({ seen: 2, added: 1, unmatched: 1 });
    expect((await b.callHistory(history({ missed: true })))[0].hasRecording).toBe(true);
    expect(await b.syncRecordings(30)).toEqual({ seen: 2, added: 0, unmatched: 1 });
    expect(await b.syncRecordings(60)).toEqual({ seen: 3, added: 1, unmatched: 1 });
    await expect(new MemoryBackend().syncRecordings(30)).rejects.toMatchObject({ code: "notConfigured" });
  });

  it("fetchRecording puts the audio in the cache; unknown ids are not found", async () => {
    const b = backend();
    const [rec] = await b.callRecordings("call-00000003");
    expect(rec.cached).toBe(false);
    const file = await b.fetchRecording(rec.id);
    expect(file.path).toBe(`/cache/recordings/${rec.id}.wav`);
    expect(file.bytes).toBe(44 + 8000 * 300);
    expect((await b.callRecordings("call-00000003"))[0].cached).toBe(true);
    await expect(b.fetchRecording("rec-nope")).rejects.toMatchObject({ code: "notFound" });
  });
});

describe("MemoryBackend calling settings", () => {
  it("applies the new fields, stores numbers as E.164 and leaves null fields unchanged", async () => {
    const b = new MemoryBackend();
    expect(await b.getSettings()).toMatchObject({ defaultRoute: "softphone", callerId: "", agentPhone: "", linksAutoDial: false, audioInput: "", audioOutput: "" });
    const none = NO_SETTINGS_CHANGE;
    const s = await b.updateSettings({ ...none, defaultRoute: "bridge", callerId: "(415) 555-0100", agentPhone: "sip:agent@example.com", linksAutoDial: true, audioInput: " USB Headset " });
    expect(s).toMatchObject({ defaultRoute: "bridge", callerId: "+14155550100", agentPhone: "sip:agent@example.com", linksAutoDial: true, audioInput: "USB Headset", audioOutput: "" });
    expect(await b.updateSettings(none)).toMatchObject({ defaultRoute: "bridge", callerId: "+14155550100", linksAutoDial: true });
    await expect(b.updateSettings({ ...none, callerId: "sip:x@y" })).rejects.toMatchObject({ code: "invalidInput", message: "Caller ID must be a phone number, not a SIP address." });
    await expect(b.updateSettings({ ...none, agentPhone: "call me" })).rejects.toMatchObject({ code: "invalidInput" });
    expect(await b.updateSettings({ ...none, callerId: "" })).toMatchObject({ callerId: "" });
  });
});
