import { describe, expect, it } from "vitest";
import { MemoryBackend, PHONE_NOT_RUNNING, SIP_CONFIGURED } from "./memory";

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
