import { describe, expect, it } from "vitest";
import { NO_SETTINGS_CHANGE } from "./settings";
import { MemoryBackend, PHONE_NOT_RUNNING, SIGNALWIRE_CONFIGURED, SIP_CONFIGURED } from "./memory";

describe("MemoryBackend softphone", () => {
  it("dial rejects like the Rust side: no SIP line, garbage, Do Not Call without override, unknown call ids", async () => {
    const off = new MemoryBackend();
    await expect(off.dial({ to: "2125550100", leadId: null, overrideDnc: false })).rejects.toMatchObject({ code: "notConfigured", message: PHONE_NOT_RUNNING });

    const b = new MemoryBackend({ settings: SIP_CONFIGURED, callStepMs: null, leads: [{ name: "Nora", phone: "3125550111", status: "do_not_call" }] });
    await expect(b.dial({ to: "call me", leadId: null, overrideDnc: false })).rejects.toMatchObject({ code: "invalidInput" });
    await expect(b.dial({ to: "3125550111", leadId: null, overrideDnc: false })).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("Do Not Call") });
    await expect(b.hangUp("nope")).rejects.toMatchObject({ code: "notFound" });

    const placed = await b.dial({ to: "3125550111", leadId: null, overrideDnc: true });
    expect(placed.leadId).toBe(b.allLeads()[0].id);
    await expect(b.setMute(placed.callId, true)).rejects.toMatchObject({ code: "conflict" });
    b.connectCall(placed.callId);
    await b.sendDtmf(placed.callId, "12#");
    await b.hangUp(placed.callId);
    const awaiting = await b.callsAwaitingDisposition();
    expect(awaiting.map((c) => c.id)).toEqual([placed.callLogId]);
  });
});

describe("MemoryBackend applySoftphoneCallerId", () => {
  it("rejects with notConfigured without SignalWire or without a SIP username, changing no endpoint", async () => {
    const noSignalwire = new MemoryBackend({ settings: { ...SIP_CONFIGURED, callerId: "+14155550100" }, sipEndpoints: ["agent"] });
    await expect(noSignalwire.applySoftphoneCallerId()).rejects.toMatchObject({ code: "notConfigured", message: expect.stringContaining("SignalWire is not set up") });
    expect(noSignalwire.listSipEndpoints(), "the endpoint keeps SignalWire's choice").toEqual([{ username: "agent", sendAs: null }]);

    const noSip = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, callerId: "+14155550100" }, sipEndpoints: ["agent"] });
    await expect(noSip.applySoftphoneCallerId()).rejects.toMatchObject({ code: "notConfigured", message: expect.stringContaining("SIP username") });
    expect(noSip.listSipEndpoints()).toEqual([{ username: "agent", sendAs: null }]);
  });

  it("rejects with notFound, saying the SIP provider sets the caller ID, when the SIP username is no SignalWire endpoint", async () => {
    const b = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED, callerId: "+14155550100" }, sipEndpoints: ["someone-else"] });
    await expect(b.applySoftphoneCallerId()).rejects.toMatchObject({ code: "notFound", message: expect.stringMatching(/"agent".*SIP provider sets the caller ID/) });
    expect(b.listSipEndpoints()).toEqual([{ username: "someone-else", sendAs: null }]);
  });

  it("rejects with offline while SignalWire cannot be reached", async () => {
    const b = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, sipEndpoints: ["agent"], smsOffline: true });
    await expect(b.applySoftphoneCallerId()).rejects.toMatchObject({ code: "offline" });
  });

  it("sets the endpoint's send_as to the saved caller ID, and back to automatic (null) when it is cleared", async () => {
    const b = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, sipEndpoints: ["other", "agent"] });
    await b.updateSettings({ ...NO_SETTINGS_CHANGE, callerId: "(415) 555-0100" });
    expect(await b.applySoftphoneCallerId()).toEqual({ endpointUsername: "agent", sendAs: "+14155550100" });
    expect(b.listSipEndpoints()).toEqual([
      { username: "other", sendAs: null },
      { username: "agent", sendAs: "+14155550100" },
    ]);

    await b.updateSettings({ ...NO_SETTINGS_CHANGE, callerId: "" });
    expect(await b.applySoftphoneCallerId()).toEqual({ endpointUsername: "agent", sendAs: null });
    expect(b.listSipEndpoints().find((e) => e.username === "agent")?.sendAs).toBeNull();
  });

  it("finds an endpoint provisionSipLine created", async () => {
    const b = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, callerId: "+13125550142" } });
    await b.provisionSipLine({ username: "desk-7", sendAs: null });
    expect(await b.applySoftphoneCallerId()).toEqual({ endpointUsername: "desk-7", sendAs: "+13125550142" });
  });
});

describe("links", () => {
  it("a tel: link selects the lead with that number and never dials", async () => {
    const b = new MemoryBackend();
    const lead = await b.createLead({
      name: "Ann Archer",
      email: null,
      phone: "(202) 555-0143",
      company: null,
      position: null,
      status: null,
      value: null,
      source: null,
      notes: null,
      timezone: null,
    });
    const t = await b.openLink("tel:+1-202-555-0143");
    expect(t.e164).toBe("+12025550143");
    expect(t.lead?.id).toBe(lead.id);
    expect(t.autoDial).toBe(false);
    await expect(b.openLink("javascript:alert(1)")).rejects.toThrow(/not a link Ringdesk opens/);
    await expect(b.openLink("ringdesk://dial?name=Ann")).rejects.toThrow(/no number/);
  });
});
