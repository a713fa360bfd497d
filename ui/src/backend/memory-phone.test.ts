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
