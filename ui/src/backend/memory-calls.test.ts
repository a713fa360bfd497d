import { describe, expect, it } from "vitest";
import type { DispositionRequest, HistoryFilter } from "../generated/bindings";
import { BackendError } from "./errors";
import { DEFAULT_DISPOSITION_OPTIONS, FOLLOW_UP_NEEDS_ACTION, FOLLOW_UP_TIME_REQUIRED, MemoryBackend } from "./memory";

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const ahead = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

const request = (callLogId: string, disposition: string, over: Partial<DispositionRequest> = {}): DispositionRequest => ({
  callLogId,
  disposition,
  notes: null,
  nextAction: null,
  followUpAt: null,
  ...over,
});

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

function backendWithCall() {
  const b = new MemoryBackend({ leads: [{ name: "Ann Archer", company: "Archer Co", phone: "(202) 555-0143", status: "new" }] });
  const call = b.addCall({ contact: "+12025550143", startedAt: ago(0.1), durationSeconds: 240 });
  return { b, call, leadId: call.leadId! };
}

async function rejection(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BackendError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe("MemoryBackend disposition set", () => {
  it("offers the default set until the agent changes it; an empty set restores the defaults", async () => {
    const b = new MemoryBackend();
    const defaults = await b.dispositionOptions();
    expect(defaults.map((o) => o.label)).toEqual([
      "Answered",
      "Voicemail",
      "Busy",
      "No Answer",
      "Wrong Number",
      "Do Not Call",
      "Interested",
      "Not Interested",
      "Callback Requested",
    ]);
    expect(defaults.find((o) => o.key === "callback_requested")?.leadStatus).toBe("callback");
    const custom = [
      { key: "demo_booked", label: "Demo booked", leadStatus: "demo" },
      { key: "gatekeeper", label: "Gatekeeper", leadStatus: null },
    ];
    expect(await b.setDispositionOptions(custom)).toEqual(custom);
    expect(await b.dispositionOptions()).toEqual(custom);
    expect(await b.setDispositionOptions([])).toEqual(DEFAULT_DISPOSITION_OPTIONS);
  });

  it("refuses bad keys, duplicate keys, empty labels and statuses that are not statuses, with the Rust side's words", async () => {
    const b = new MemoryBackend();
    const cases: [Parameters<MemoryBackend["setDispositionOptions"]>[0], string][] = [
      [[{ key: "Bad Key", label: "x", leadStatus: null }], 'Disposition key "Bad Key" must be lowercase letters, digits or _ (at most 40).'],
      [
        [
          { key: "a", label: "A", leadStatus: null },
          { key: "a", label: "B", leadStatus: null },
        ],
        'Disposition key "a" appears twice.',
      ],
      [[{ key: "a", label: "  ", leadStatus: null }], 'Disposition "a" needs a label of 1–60 characters.'],
      [[{ key: "a", label: "A", leadStatus: "won!" }], 'Lead status "won!" of disposition "a" is not a status.'],
    ];
    for (const [options, message] of cases) {
      const err = await rejection(b.setDispositionOptions(options));
      expect(err.code).toBe("invalidInput");
      expect(err.message).toBe(message);
    }
    expect(await b.dispositionOptions()).toEqual(DEFAULT_DISPOSITION_OPTIONS);
  });
});

describe("MemoryBackend disposition step", () => {
  it("saves the outcome with a trimmed note and a follow-up, maps the lead's status and stops waiting", async () => {
    const { b, call, leadId } = backendWithCall();
    expect((await b.callsAwaitingDisposition()).map((c) => c.id)).toEqual([call.id]);
    const saved = await b.disposeCall(
      request(call.id, "interested", { notes: "  Wants pricing for 20 seats ", nextAction: "callBack", followUpAt: ahead(30) }),
    );
    expect(saved).toMatchObject({ disposition: "interested", notes: "Wants pricing for 20 seats", durationSeconds: 240, leadName: "Ann Archer" });
    expect((await b.getLead(leadId)).status).toBe("qualified");
    expect(await b.callsAwaitingDisposition()).toEqual([]);
    const f = await b.followUps();
    expect([...f.today, ...f.upcoming].map((x) => [x.nextAction, x.leadName, x.notes])).toEqual([["callBack", "Ann Archer", "Wants pricing for 20 seats"]]);
  });

  it("refuses an incomplete step with the Rust side's messages and changes nothing", async () => {
    const { b, call, leadId } = backendWithCall();
    const cases: [DispositionRequest, string][] = [
      [request(call.id, "answered", { followUpAt: "2026-12-01T10:00:00Z" }), FOLLOW_UP_NEEDS_ACTION],
      [request(call.id, "answered", { nextAction: "callBack" }), FOLLOW_UP_TIME_REQUIRED],
      [
        request(call.id, "answered", { nextAction: "callBack", followUpAt: "next tuesday" }),
        'Follow-up time "next tuesday" is not a date and time such as 2026-12-01T15:00:00Z.',
      ],
      [
        request(call.id, "maybe"),
        'Unknown disposition "maybe"; use one of answered, voicemail, busy, no_answer, wrong_number, do_not_call, interested, not_interested, callback_requested.',
      ],
    ];
    for (const [req, message] of cases) {
      const err = await rejection(b.disposeCall(req));
      expect(err.code).toBe("invalidInput");
      expect(err.message).toBe(message);
    }
    expect(FOLLOW_UP_NEEDS_ACTION).toBe("Choose what to do next (call back, email, ...) for the follow-up.");
    expect(FOLLOW_UP_TIME_REQUIRED).toBe("Pick when to follow up.");
    expect((await rejection(b.disposeCall(request("no-such-call", "answered")))).code).toBe("notFound");
    expect(await b.callsAwaitingDisposition()).toHaveLength(1);
    expect((await b.getLead(leadId)).status).toBe("new");
  });

  it("mark dead needs no time and makes the lead lost, whatever the outcome maps to", async () => {
    const { b, call, leadId } = backendWithCall();
    await b.disposeCall(request(call.id, "answered", { nextAction: "markDead" }));
    expect((await b.getLead(leadId)).status).toBe("lost");
    const f = await b.followUps();
    expect([...f.overdue, ...f.today, ...f.upcoming]).toEqual([]);
  });

  it("lists only ended calls of the last week without a disposition, newest first", async () => {
    const b = new MemoryBackend();
    const older = b.addCall({ contact: "+12025550101", startedAt: ago(5) });
    const newer = b.addCall({ contact: "+12025550102", startedAt: ago(1) });
    b.addCall({ contact: "+12025550103", startedAt: ago(0.5), ended: false });
    b.addCall({ contact: "+12025550104", startedAt: ago(8 * 24) });
    b.addCall({ contact: "+12025550105", startedAt: ago(2), disposition: "busy" });
    expect((await b.callsAwaitingDisposition()).map((c) => c.id)).toEqual([newer.id, older.id]);
  });
});

describe("MemoryBackend call history", () => {
  it("pages newest first by the last row's (startedAt, id), filtered by disposition and date range", async () => {
    const b = new MemoryBackend();
    const same = ago(10);
    for (let i = 0; i < 7; i++) b.addCall({ contact: "+12025550110", startedAt: i < 3 ? same : ago(20 + i), disposition: i % 2 ? "voicemail" : "answered" });
    const all = await b.callHistory(history());
    expect(all).toHaveLength(7);
    const first = await b.callHistory(history({ limit: 2 }));
    const rest = await b.callHistory(history({ limit: 10, beforeStartedAt: first[1].startedAt, beforeId: first[1].id }));
    expect([...first, ...rest].map((c) => c.id)).toEqual(all.map((c) => c.id));
    expect((await b.callHistory(history({ disposition: "voicemail" }))).every((c) => c.disposition === "voicemail")).toBe(true);
    expect(await b.callHistory(history({ from: ago(15) }))).toHaveLength(3);
    expect(await b.callHistory(history({ to: ago(15) }))).toHaveLength(4);
    expect((await rejection(b.callHistory(history({ from: "yesterday" })))).message).toBe(
      'From "yesterday" is not a date and time such as 2026-12-01T15:00:00Z.',
    );
  });
});

describe("MemoryBackend follow-ups", () => {
  it("buckets open follow-ups into overdue, later today and upcoming; done, snooze, reschedule and cancel move them", async () => {
    const b = new MemoryBackend();
    const endOfDay = new Date();
    endOfDay.setHours(24, 0, 0, 0);
    const laterToday = new Date(Date.now() + (endOfDay.getTime() - Date.now()) / 2).toISOString();
    const seed = (at: string) => b.addCall({ contact: "+12025550120", startedAt: ago(30), disposition: "answered", nextAction: "callBack", followUpAt: at });
    seed(ago(2));
    seed(laterToday);
    seed(ahead(24 * 3));
    seed(ahead(24 * 40)); // beyond 30 days: not listed
    let f = await b.followUps();
    expect([f.overdue.length, f.today.length, f.upcoming.length]).toEqual([1, 1, 1]);
    const overdue = f.overdue[0].id;

    f = await b.snoozeFollowUp(overdue, ahead(24 * 2));
    expect(f.overdue).toEqual([]);
    expect(f.upcoming.find((x) => x.id === overdue)?.snoozed).toBe(true);
    f = await b.rescheduleFollowUp(overdue, ago(1));
    expect(f.overdue.map((x) => [x.id, x.snoozed])).toEqual([[overdue, false]]);
    f = await b.completeFollowUp(overdue);
    expect(f.overdue).toEqual([]);
    const again = await rejection(b.completeFollowUp(overdue));
    expect([again.code, again.message]).toEqual(["notFound", `open follow-up ${overdue} was not found`]);
    f = await b.cancelFollowUp(f.today[0].id);
    expect(f.today).toEqual([]);
    expect((await rejection(b.snoozeFollowUp(f.upcoming[0].id, "soon"))).message).toBe(
      'Snooze until "soon" is not a date and time such as 2026-12-01T15:00:00Z.',
    );
  });

  it("the demo data has a call to wrap up and follow-ups overdue, today and upcoming", async () => {
    const b = MemoryBackend.demo(50);
    expect(await b.callsAwaitingDisposition()).toHaveLength(1);
    const f = await b.followUps();
    expect(f.overdue.length).toBeGreaterThanOrEqual(1);
    expect(f.upcoming.length).toBeGreaterThanOrEqual(1);
    expect(f.overdue.length + f.today.length + f.upcoming.length).toBe(3);
    expect((await b.callHistory(history())).length).toBeGreaterThanOrEqual(6);
  });
});
