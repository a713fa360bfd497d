import { NO_SETTINGS_CHANGE } from "./settings";
import { describe, expect, it } from "vitest";
import type { LinkNotice, ReminderNotice } from "../generated/bindings";
import { MemoryBackend, SIGNALWIRE_CONFIGURED, SIP_CONFIGURED } from "./memory";

const BRIDGE_READY = { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED, agentPhone: "+13125550100" };
const call = (to: string, extra: Partial<Parameters<MemoryBackend["placeCall"]>[0]> = {}) => ({
  to,
  leadId: null,
  overrideDnc: false,
  route: null,
  callerId: null,
  record: false,
  ...extra,
});

describe("MemoryBackend: calls over both routes", () => {
  it("places a softphone call through dial when Settings' default route is the softphone", async () => {
    const backend = new MemoryBackend({ settings: SIP_CONFIGURED, callStepMs: null });
    const placed = await backend.placeCall(call("212-555-0188"));
    expect(placed.route).toBe("softphone");
    expect(placed.bridge).toBeNull();
    expect(placed.callId).toBe(backend.phoneCallIds()[0]);
    expect(backend.dialRequests).toEqual([{ to: "212-555-0188", leadId: null, overrideDnc: false }]);
    expect(backend.placeRequests).toHaveLength(1);
  });

  it("refuses a bridge call without the agent's own phone, then bridges once it is set", async () => {
    const backend = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED } });
    await expect(backend.placeCall(call("2125550188", { route: "bridge" }))).rejects.toMatchObject({ code: "notConfigured" });
    await backend.updateSettings({ ...NO_SETTINGS_CHANGE, defaultRoute: "bridge", agentPhone: "312 555 0100" });
    const placed = await backend.placeCall(call("2125550188"));
    expect(placed.route).toBe("bridge");
    expect(placed.callId).toBeNull();
    expect(placed.bridge).toMatchObject({ status: "queued", agentPhone: "+13125550100", callLogId: placed.callLogId });
  });

  it("moves a bridge call queued → ringing → in-progress → completed over polls; then it awaits its wrap-up", async () => {
    const backend = new MemoryBackend({ settings: BRIDGE_READY });
    const { bridge, callLogId } = await backend.placeCall(call("2125550188", { route: "bridge" }));
    const sid = bridge!.sid;
    expect(await backend.callsAwaitingDisposition()).toEqual([]);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await backend.bridgeCallStatus(sid)).status);
    expect(seen).toEqual(["ringing", "in-progress", "completed", "completed"]);
    const awaiting = await backend.callsAwaitingDisposition();
    expect(awaiting.map((c) => [c.id, c.route, c.contactNumber])).toEqual([[callLogId, "bridge", "+12125550188"]]);
  });

  it("hanging up a ringing bridge call cancels it; an answered one completes", async () => {
    const backend = new MemoryBackend({ settings: BRIDGE_READY });
    const first = (await backend.placeCall(call("2125550188", { route: "bridge" }))).bridge!;
    expect((await backend.hangUpBridgeCall(first.sid)).status).toBe("canceled");
    const second = (await backend.placeCall(call("2125550199", { route: "bridge" }))).bridge!;
    backend.setBridgeStatus(second.sid, "in-progress");
    expect((await backend.bridgeCallStatus(second.sid)).status).toBe("in-progress");
    expect((await backend.hangUpBridgeCall(second.sid)).status).toBe("completed");
    await expect(backend.bridgeCallStatus("CA-unknown")).rejects.toMatchObject({ code: "notFound" });
  });

  it("respects Do Not Call on the bridge route unless overridden", async () => {
    const backend = new MemoryBackend({ settings: BRIDGE_READY, leads: [{ name: "Nora Never", phone: "(312) 555-0111", status: "do_not_call" }] });
    await expect(backend.placeCall(call("3125550111", { route: "bridge" }))).rejects.toMatchObject({ code: "conflict" });
    expect(backend.bridgeCallSids()).toEqual([]);
    const placed = await backend.placeCall(call("3125550111", { route: "bridge", overrideDnc: true }));
    expect(placed.leadId).toBe(backend.allLeads()[0].id);
  });

  it("lists fake microphones and speakers", async () => {
    const devices = await new MemoryBackend().audioDevices();
    expect(devices.some((d) => d.input)).toBe(true);
    expect(devices.some((d) => d.output)).toBe(true);
  });
});

describe("MemoryBackend: links and reminders", () => {
  it("queues links clicked before anyone listens for takePendingLinks, each once, then sends them live", async () => {
    const backend = new MemoryBackend({ leads: [{ name: "Bob Brown", phone: "415-555-0100" }] });
    await backend.clickLink("tel:+14155550100");
    await backend.clickLink("mailto:bob@example.com");
    const pending = await backend.takePendingLinks();
    expect(pending.map((n) => n.kind)).toEqual(["opened", "invalid"]);
    expect(pending[0]).toMatchObject({ target: { e164: "+14155550100", lead: { name: "Bob Brown" }, autoDial: false } });
    expect(await backend.takePendingLinks()).toEqual([]);

    const live: LinkNotice[] = [];
    const off = await backend.onLink((n) => live.push(n));
    await backend.updateSettings({ ...NO_SETTINGS_CHANGE, linksAutoDial: true });
    await backend.clickLink("ringdesk://dial?to=2125550188&name=Walk%20In");
    off();
    expect(live).toEqual([
      { kind: "opened", link: "ringdesk://dial?to=2125550188&name=Walk%20In", target: expect.objectContaining({ e164: "+12125550188", name: "Walk In", lead: null, autoDial: true }) },
    ]);
  });

  it("sends reminder notices to subscribers", async () => {
    const backend = new MemoryBackend();
    const got: ReminderNotice[] = [];
    await backend.onReminder((n) => got.push(n));
    backend.emitReminder({ overdue: 3, newlyDue: ["f-1"] });
    expect(got).toEqual([{ overdue: 3, newlyDue: ["f-1"] }]);
  });
});
