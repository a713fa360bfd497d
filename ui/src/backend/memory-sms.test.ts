import { EMPTY_PATCH } from "../features/leads/LeadDetail";
import { describe, expect, it } from "vitest";
import type { LeadPatch, RealtimeNotice, SendSms } from "../generated/bindings";
import { BackendError } from "./errors";
import { MemoryBackend, SIGNALWIRE_CONFIGURED, type MemoryBackendOptions } from "./memory";

const OUR = "+14155550100";

function configured(over: MemoryBackendOptions = {}) {
  return new MemoryBackend({
    settings: SIGNALWIRE_CONFIGURED,
    ownedNumbers: [OUR],
    leads: [
      { name: "Bob Brown", phone: "415-555-0123" },
      { name: "Erin Evans", phone: "212 555 0199" },
    ],
    ...over,
  });
}

const sms = (over: Partial<SendSms>): SendSms => ({ to: "(415) 555-0123", from: null, body: "Hello", ...over });

describe("SMS segment counting (same rules as the Rust side)", () => {
  const b = new MemoryBackend();

  it("fits 160 GSM-7 characters in one segment and splits longer text into 153-septet segments", async () => {
    expect(await b.smsSegments("a".repeat(160))).toMatchObject({ encoding: "gsm7", segments: 1, characters: 160, remaining: 0 });
    expect(await b.smsSegments("a".repeat(161))).toMatchObject({ segments: 2, remaining: 306 - 161 });
    expect(await b.smsSegments("a".repeat(306))).toMatchObject({ segments: 2, remaining: 0 });
    expect(await b.smsSegments("a".repeat(307))).toMatchObject({ segments: 3, remaining: 459 - 307 });
    expect(await b.smsSegments("Hello")).toEqual({ encoding: "gsm7", segments: 1, characters: 5, remaining: 155, error: null });
  });

  it("counts the extension characters ^{}\\[~]|€ and form feed as two septets", async () => {
    expect(await b.smsSegments("[]")).toMatchObject({ encoding: "gsm7", characters: 2, remaining: 160 - 4 });
    expect(await b.smsSegments("^{}\\~|\f")).toMatchObject({ encoding: "gsm7", characters: 7, remaining: 160 - 14 });
    expect(await b.smsSegments("€".repeat(80))).toMatchObject({ encoding: "gsm7", segments: 1, remaining: 0 });
    expect(await b.smsSegments("€".repeat(81))).toMatchObject({ encoding: "gsm7", segments: 2, remaining: 306 - 162 });
  });

  it("switches to UCS-2 for anything outside GSM-7: 70 UTF-16 units alone, 67 per segment", async () => {
    // The emoji is two UTF-16 units: 5 units used, 4 characters.
    expect(await b.smsSegments("Hi 👋")).toMatchObject({ encoding: "ucs2", segments: 1, characters: 4, remaining: 65 });
    expect(await b.smsSegments("ж".repeat(70))).toMatchObject({ encoding: "ucs2", segments: 1, remaining: 0 });
    expect(await b.smsSegments("ж".repeat(71))).toMatchObject({ encoding: "ucs2", segments: 2, remaining: 134 - 71 });
    // One non-GSM character makes the whole text UCS-2.
    expect(await b.smsSegments(`${"a".repeat(100)}ő`)).toMatchObject({ encoding: "ucs2", segments: 2, remaining: 134 - 101 });
  });

  it("reports why a body cannot be sent: empty, blank or over 1600 characters", async () => {
    expect(await b.smsSegments("")).toMatchObject({ segments: 0, characters: 0, error: "The message is empty." });
    expect((await b.smsSegments("  \n ")).error).toBe("The message is empty.");
    expect((await b.smsSegments("x".repeat(1600))).error).toBeNull();
    expect((await b.smsSegments("x".repeat(1601))).error).toBe("The message has 1601 characters; SMS allows at most 1600.");
  });
});

describe("MemoryBackend sendSms", () => {
  it("rejects an empty, blank or too long body and a bad number with invalidInput, storing nothing", async () => {
    const b = configured();
    for (const [request, message] of [
      [sms({ body: "" }), "The message is empty."],
      [sms({ body: " \t\n" }), "The message is empty."],
      [sms({ body: "y".repeat(1601) }), "1601 characters"],
      [sms({ to: "555-12" }), 'To "555-12": too short'],
    ] as const) {
      const err = await b.sendSms(request).catch((e) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect(err).toMatchObject({ code: "invalidInput", message: expect.stringContaining(message) });
    }
    expect(b.allSms()).toEqual([]);
  });

  it("without SignalWire settings rejects with notConfigured pointing to Settings", async () => {
    const b = new MemoryBackend({ settings: { signalwireSpace: "acme", signalwireProjectId: "p" }, ownedNumbers: [OUR] });
    const err = await b.sendSms(sms({})).catch((e) => e);
    expect(err).toMatchObject({ code: "notConfigured", message: expect.stringContaining("Settings") });
    expect(err.message).toContain("API token");
    expect(b.allSms()).toEqual([]);
  });

  it("stores a queued outbound text linked to the lead with that number, from the first owned number", async () => {
    const b = configured({ ownedNumbers: [OUR, "+14155550199"] });
    const sent = await b.sendSms(sms({ to: "4155550123", body: "Quick question" }));
    expect(sent).toMatchObject({
      direction: "outbound",
      status: "queued",
      contactNumber: "+14155550123",
      ourNumber: OUR,
      body: "Quick question",
      error: null,
      read: true,
    });
    const bob = b.allLeads().find((l) => l.name === "Bob Brown")!;
    expect(sent.leadId).toBe(bob.id);
    const unknown = await b.sendSms(sms({ to: "+1 303 555 0144" }));
    expect(unknown.leadId).toBeNull();
  });

  it("sends from the number last used with the contact, or the one asked for", async () => {
    const b = configured({ ownedNumbers: [OUR, "+14155550199"] });
    b.addSms({ contact: "+14155550123", direction: "inbound", ourNumber: "+14155550199", body: "Hi", createdAt: "2025-03-01T10:00:00.000Z" });
    expect((await b.sendSms(sms({}))).ourNumber).toBe("+14155550199");
    expect((await b.sendSms(sms({ from: OUR }))).ourNumber).toBe(OUR);
  });

  it("a refused number is stored as failed with the SignalWire error and rejects with code provider", async () => {
    const b = configured();
    const err = await b.sendSms(sms({ to: "+13125550001", body: "Are you there?" })).catch((e) => e);
    expect(err).toMatchObject({ code: "provider", message: expect.stringContaining("21211") });
    const page = await b.smsThread("+13125550001", null, null, 10);
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({ status: "failed", body: "Are you there?", error: expect.stringContaining("21211") });
  });

  it("during an outage keeps the text as sending; the next sync sends it once", async () => {
    const b = configured({ smsOffline: true });
    b.addSms({ contact: "+14155550123", direction: "outbound", ourNumber: OUR, body: "earlier", createdAt: "2025-03-01T10:00:00.000Z" });
    const pending = await b.sendSms(sms({}));
    expect(pending.status).toBe("sending");
    await expect(b.syncSms()).rejects.toMatchObject({ code: "offline" });
    b.setSmsOffline(false);
    const report = await b.syncSms();
    expect(report.resent).toBe(1);
    const statuses = (await b.smsThread("+14155550123", null, null, 10)).messages.map((m) => m.status);
    expect(statuses).toEqual(["delivered", "queued"]);
    expect((await b.syncSms()).resent).toBe(0);
  });

  it("with no owned number rejects with notConfigured asking to buy one", async () => {
    const b = configured({ ownedNumbers: [] });
    await expect(b.sendSms(sms({}))).rejects.toMatchObject({ code: "notConfigured", message: expect.stringContaining("buy one") });
  });
});

describe("MemoryBackend threads and unread", () => {
  function withConversations() {
    const b = configured();
    b.addSms({ contact: "+14155550123", direction: "outbound", ourNumber: OUR, body: "Proposal attached", createdAt: "2025-03-01T10:00:00.000Z" });
    b.addSms({ contact: "+14155550123", direction: "inbound", ourNumber: OUR, body: "Thanks, reading it", createdAt: "2025-03-01T11:00:00.000Z" });
    b.addSms({ contact: "+14155550123", direction: "inbound", ourNumber: OUR, body: "Call me tomorrow", createdAt: "2025-03-01T12:00:00.000Z" });
    b.addSms({ contact: "+13035550144", direction: "inbound", ourNumber: OUR, body: "Who is this?", createdAt: "2025-03-02T09:00:00.000Z" });
    b.addSms({ contact: "+12125550199", direction: "inbound", ourNumber: OUR, body: "Old news", createdAt: "2025-02-01T09:00:00.000Z", read: true });
    return b;
  }

  it("lists conversations newest first with unread and total counts and the lead's name", async () => {
    const b = withConversations();
    const threads = await b.smsThreads(null);
    expect(threads.map((t) => [t.contactNumber, t.leadName, t.unread, t.total])).toEqual([
      ["+13035550144", null, 1, 1],
      ["+14155550123", "Bob Brown", 2, 3],
      ["+12125550199", "Erin Evans", 0, 1],
    ]);
    expect(threads[1]).toMatchObject({ contactDisplay: "(415) 555-0123", lastBody: "Call me tomorrow", lastDirection: "inbound" });
    expect(await b.smsUnreadCount()).toBe(3);
  });

  it("search matches the number, the lead's name or any text of the conversation", async () => {
    const b = withConversations();
    const contacts = async (q: string) => (await b.smsThreads(q)).map((t) => t.contactNumber);
    expect(await contacts("bob")).toEqual(["+14155550123"]);
    expect(await contacts("PROPOSAL")).toEqual(["+14155550123"]);
    expect(await contacts("303555")).toEqual(["+13035550144"]);
    expect(await contacts("nothing like this")).toEqual([]);
    expect(await contacts("  ")).toHaveLength(3);
  });

  it("marking a conversation read returns how many were unread and lowers the unread count", async () => {
    const b = withConversations();
    expect(await b.markSmsRead("+14155550123")).toBe(2);
    expect(await b.markSmsRead("+14155550123")).toBe(0);
    expect(await b.smsUnreadCount()).toBe(1);
    const page = await b.smsThread("+14155550123", null, null, 10);
    expect(page.messages.every((m) => m.read)).toBe(true);
  });

  it("pages a conversation oldest first, newest page first, with hasMore and a keyset cursor", async () => {
    const b = configured();
    for (let i = 0; i < 5; i++) {
      b.addSms({ contact: "+14155550123", direction: "outbound", ourNumber: OUR, body: `m${i}`, createdAt: `2025-03-01T10:0${i}:00.000Z` });
    }
    const newest = await b.smsThread("+14155550123", null, null, 2);
    expect(newest.messages.map((m) => m.body)).toEqual(["m3", "m4"]);
    expect(newest.hasMore).toBe(true);
    const first = newest.messages[0];
    const older = await b.smsThread("+14155550123", first.createdAt, first.id, 2);
    expect(older.messages.map((m) => m.body)).toEqual(["m1", "m2"]);
    const oldest = await b.smsThread("+14155550123", older.messages[0].createdAt, older.messages[0].id, 2);
    expect(oldest.messages.map((m) => m.body)).toEqual(["m0"]);
    expect(oldest.hasMore).toBe(false);
  });

  it("texts received at SignalWire are stored by the next sync, once, as unread", async () => {
    const b = configured();
    b.receiveSms("+14155550123", OUR, "Are we still on?");
    expect(await b.smsUnreadCount()).toBe(0);
    const report = await b.syncSms();
    expect(report.received).toHaveLength(1);
    expect(report.received[0]).toMatchObject({ direction: "inbound", status: "received", body: "Are we still on?", read: false });
    expect(report.received[0].leadId).toBe(b.allLeads()[0].id);
    expect((await b.syncSms()).received).toEqual([]);
    expect(await b.smsUnreadCount()).toBe(1);
  });

  it("a sync moves queued texts to delivered and counts them as updated", async () => {
    const b = configured();
    await b.sendSms(sms({}));
    expect((await b.syncSms()).updated).toBe(1);
    expect((await b.smsThread("+14155550123", null, null, 5)).messages[0].status).toBe("delivered");
  });
});

describe("MemoryBackend phone numbers", () => {
  it("offers ten deterministic numbers per area code, without the ones the project owns", async () => {
    const b = configured({ ownedNumbers: ["+14155550103"] });
    const offers = await b.searchNumbers({ country: null, areaCode: "415", contains: null, region: null, locality: null, tollFree: false });
    expect(offers).toHaveLength(9);
    expect(offers[0]).toEqual({ phoneNumber: "+14155550100", display: "(415) 555-0100", locality: "San Francisco", region: "CA", voice: true, sms: true });
    expect(offers.map((o) => o.phoneNumber)).not.toContain("+14155550103");
    const inIllinois = await b.searchNumbers({ country: "US", areaCode: null, contains: null, region: "IL", locality: "Chicago", tollFree: false });
    expect(inIllinois.map((o) => o.phoneNumber)).toEqual(Array.from({ length: 10 }, (_, i) => `+131255501${String(i).padStart(2, "0")}`));
  });

  it("rejects a bad area code and a city without a state as invalid input", async () => {
    const b = configured();
    const q = { country: null, areaCode: null, contains: null, region: null, locality: null, tollFree: false };
    await expect(b.searchNumbers({ ...q, areaCode: "41" })).rejects.toMatchObject({ code: "invalidInput", message: expect.stringContaining("three digits") });
    await expect(b.searchNumbers({ ...q, locality: "Austin" })).rejects.toMatchObject({ code: "invalidInput", message: expect.stringContaining("state") });
  });

  it("buys a number once; buying it again or an unknown number is refused by the provider", async () => {
    const b = configured({ ownedNumbers: [] });
    const bought = await b.buyNumber("+14155550103");
    expect(bought).toMatchObject({ phoneNumber: "+14155550103", display: "(415) 555-0103", friendlyName: "+14155550103" });
    await expect(b.buyNumber("+14155550103")).rejects.toMatchObject({ code: "provider", message: expect.stringContaining("not available") });
    await expect(b.buyNumber("+14155559999")).rejects.toMatchObject({ code: "provider" });
    expect((await b.listNumbers()).map((n) => n.phoneNumber)).toEqual(["+14155550103"]);
  });

  it("renames and releases an owned number; an unknown SID is refused", async () => {
    const b = configured({ ownedNumbers: [] });
    const { sid } = await b.buyNumber("+12175550100");
    expect(await b.routeNumber(sid, { friendlyName: "Sales line", voiceUrl: null, smsUrl: null })).toMatchObject({ friendlyName: "Sales line" });
    await expect(b.routeNumber(sid, { friendlyName: null, voiceUrl: null, smsUrl: null })).rejects.toMatchObject({ code: "invalidInput" });
    expect(await b.releaseNumber(sid)).toBeNull();
    expect(await b.listNumbers()).toEqual([]);
    await expect(b.releaseNumber(sid)).rejects.toMatchObject({ code: "provider", message: expect.stringContaining("20404") });
  });

  it("number commands need SignalWire set up", async () => {
    const b = new MemoryBackend();
    await expect(b.listNumbers()).rejects.toMatchObject({ code: "notConfigured" });
    await expect(b.buyNumber("+14155550103")).rejects.toMatchObject({ code: "notConfigured" });
  });
});

describe("MemoryBackend call recordings", () => {
  it("has none: no calls go through SignalWire in memory", async () => {
    const b = configured();
    expect(await b.callRecordings("call-1")).toEqual([]);
    await expect(b.syncCallRecordings("call-1")).rejects.toMatchObject({ code: "notFound" });
    await expect(b.fetchRecording("rec-1")).rejects.toMatchObject({ code: "notFound", message: "recording rec-1 was not found" });
    await expect(new MemoryBackend().fetchRecording("rec-1")).rejects.toMatchObject({ code: "notConfigured" });
  });
});

const fields = (over: Partial<LeadPatch>): LeadPatch => ({ ...EMPTY_PATCH, ...over });

describe("MemoryBackend createLead", () => {
  it("requires a name and rejects a bad phone or email with invalidInput, storing nothing", async () => {
    const b = configured();
    const before = b.allLeads().length;
    for (const [patch, message] of [
      [fields({}), "A lead needs a name."],
      [fields({ name: "   ", phone: "303 555 0144" }), "A lead needs a name."],
      [fields({ name: "Dana", phone: "555-12" }), '"555-12" is not a phone number'],
      [fields({ name: "Dana", email: "dana.example" }), '"dana.example" is not an email address'],
      [fields({ name: "Dana", value: "lots" }), '"lots" is not a number'],
    ] as const) {
      const err = await b.createLead(patch).catch((e) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect(err).toMatchObject({ code: "invalidInput", message: expect.stringContaining(message) });
    }
    expect(b.allLeads()).toHaveLength(before);
  });

  it("stores the phone as E.164 with defaults for the fields not given", async () => {
    const b = configured();
    const lead = await b.createLead(fields({ name: "  Dana Whitfield ", phone: "(303) 555-0144", company: "Whitfield & Sons", email: "" }));
    expect(lead).toMatchObject({
      name: "Dana Whitfield",
      phone: "(303) 555-0144",
      phoneE164: "+13035550144",
      phoneDisplay: "(303) 555-0144",
      company: "Whitfield & Sons",
      email: null,
      status: "new",
      value: null,
      listIds: [],
    });
    expect(await b.getLead(lead.id)).toEqual(lead);
    expect((await b.listLeads({ search: "whitfield", listId: null, sort: { field: "name", descending: false }, offset: 0, limit: 10 })).total).toBe(1);
  });

  it("links texts already exchanged with its number, so their thread shows the lead's name", async () => {
    const b = configured();
    b.addSms({ contact: "+13035550144", direction: "inbound", ourNumber: OUR, body: "Who is this?", createdAt: "2025-03-02T09:00:00.000Z" });
    b.addSms({ contact: "+13035550144", direction: "outbound", ourNumber: OUR, body: "Ringdesk sales", createdAt: "2025-03-02T09:05:00.000Z" });
    b.addSms({ contact: "+16465550123", direction: "inbound", ourNumber: OUR, body: "Still available?", createdAt: "2025-03-02T10:00:00.000Z" });
    expect((await b.smsThreads(null)).find((t) => t.contactNumber === "+13035550144")).toMatchObject({ leadId: null, leadName: null });

    const lead = await b.createLead(fields({ name: "Dana Whitfield", phone: "303.555.0144" }));
    const threads = await b.smsThreads(null);
    expect(threads.find((t) => t.contactNumber === "+13035550144")).toMatchObject({ leadId: lead.id, leadName: "Dana Whitfield" });
    expect(threads.find((t) => t.contactNumber === "+16465550123")).toMatchObject({ leadId: null, leadName: null });
    expect(b.allSms().filter((m) => m.contactNumber === "+13035550144").map((m) => m.leadId)).toEqual([lead.id, lead.id]);
    expect((await b.smsThreads("dana")).map((t) => t.contactNumber)).toEqual(["+13035550144"]);
  });
});

describe("MemoryBackend live connection", () => {
  function listen(b: MemoryBackend) {
    const notices: RealtimeNotice[] = [];
    void b.onRealtime((n) => notices.push(n));
    return notices;
  }

  it("startRealtime rejects with notConfigured until SignalWire is set up, and sends no notice", async () => {
    const b = new MemoryBackend({ settings: { signalwireSpace: "acme" }, ownedNumbers: [OUR] });
    const notices = listen(b);
    await expect(b.startRealtime()).rejects.toMatchObject({ code: "notConfigured" });
    expect(b.realtimeStarted).toBe(false);
    expect(notices).toEqual([]);
  });

  it("once started, reports online and delivers a text the moment it arrives, stored and with the lead's name", async () => {
    const b = configured();
    b.receiveSms("+14155550123", OUR, "Sent while Ringdesk was closed");
    const notices = listen(b);
    await b.startRealtime();
    // The catch-up after connecting stores what waited.
    expect(notices.map((n) => n.kind)).toEqual(["connection", "smsReceived"]);
    expect(notices[0]).toEqual({ kind: "connection", online: true, detail: "connected" });

    b.receiveSms("+14155550123", OUR, "Running late, 10 min");
    const last = notices[notices.length - 1];
    expect(last).toMatchObject({ kind: "smsReceived", leadName: "Bob Brown", message: { body: "Running late, 10 min", direction: "inbound", read: false } });
    expect(b.allSms().map((m) => m.body)).toContain("Running late, 10 min");
    expect(await b.smsUnreadCount()).toBe(2);
    // Nothing is left for a sync: each text is stored once.
    expect((await b.syncSms()).received).toEqual([]);

    b.receiveSms("+13035550144", OUR, "Who is this?");
    expect(notices[notices.length - 1]).toMatchObject({ kind: "smsReceived", leadName: null });
  });

  it("reports going offline with the reason, and catches up when SignalWire is back", async () => {
    const b = configured();
    const notices = listen(b);
    await b.startRealtime();
    b.setSmsOffline(true);
    expect(notices[notices.length - 1]).toMatchObject({ kind: "connection", online: false, detail: expect.stringContaining("could not reach SignalWire") });
    b.receiveSms("+14155550123", OUR, "Hello?");
    expect(notices.filter((n) => n.kind === "smsReceived")).toEqual([]);
    b.setSmsOffline(false);
    expect(notices.slice(-2).map((n) => n.kind)).toEqual(["connection", "smsReceived"]);
    expect(notices[notices.length - 2]).toMatchObject({ online: true });
  });

  it("emitRealtime hands a notice to every subscriber until it unsubscribes", async () => {
    const b = configured();
    const seen: RealtimeNotice[] = [];
    const off = await b.onRealtime((n) => seen.push(n));
    b.emitRealtime({ kind: "openConversation", contactNumber: "+13035550144" });
    off();
    b.emitRealtime({ kind: "smsChanged" });
    expect(seen).toEqual([{ kind: "openConversation", contactNumber: "+13035550144" }]);
  });
});

describe("MemoryBackend sync with refused texts", () => {
  it("a pending text SignalWire refuses is stored as failed and counted; the others are still sent", async () => {
    const b = configured({ smsOffline: true });
    b.addSms({ contact: "+13125550001", direction: "inbound", ourNumber: OUR, body: "Text me", createdAt: "2025-03-01T09:00:00.000Z" });
    b.addSms({ contact: "+14155550123", direction: "inbound", ourNumber: OUR, body: "Ping me", createdAt: "2025-03-01T09:01:00.000Z" });
    const refused = await b.sendSms(sms({ to: "+13125550001", body: "Calling you later" }));
    const fine = await b.sendSms(sms({ body: "Are we still on?" }));
    expect([refused.status, fine.status]).toEqual(["sending", "sending"]);

    b.setSmsOffline(false);
    const report = await b.syncSms();
    expect(report).toMatchObject({ failed: 1, resent: 1 });
    const stored = new Map(b.allSms().map((m) => [m.id, m]));
    expect(stored.get(refused.id)).toMatchObject({ status: "failed", error: expect.stringContaining("(error 21211)") });
    expect(stored.get(fine.id)?.status).toBe("queued");
    expect((await b.syncSms()).failed).toBe(0);
  });
});
