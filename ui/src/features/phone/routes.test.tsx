import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CallHistoryItem, HistoryFilter } from "../../generated/bindings";
import { SAMPLE_LEADS, allLeads, markDoNotCall, renderApp, type Seed } from "../../test/app";
import { placeRequests } from "../../test/calls";
import type { Core } from "../../test/core";
import { peerPhone } from "../../test/sip";
import { bridgePolling } from "./usePhone";

const AGENT_PHONE = "+13125550100";

/** SAMPLE_LEADS, a SIP line (INVITEs go out; nobody answers them) and SignalWire (the emulator,
 * which carries bridge calls: queued, ringing, in progress, completed after 1.5 s). */
function seedWith(seed: Seed = {}): Seed {
  return {
    leads: SAMPLE_LEADS,
    sipLine: true,
    signalWire: true,
    ownedNumbers: ["+14155550142", "+12125550142"],
    ...seed,
    settings: { agentPhone: AGENT_PHONE, ...seed.settings },
  };
}

/** The calls the core logged, newest first. */
const history = (core: Core) => core.invoke<CallHistoryItem[]>("call_history", { filter: { limit: 50 } as HistoryFilter });

async function leadRow(name: string) {
  await waitFor(() => expect(screen.getAllByTestId("lead-row").some((r) => r.textContent?.includes(name))).toBe(true));
  return screen.getAllByTestId("lead-row").find((r) => r.textContent?.includes(name))!;
}

const original = bridgePolling.intervalMs;
beforeEach(() => {
  bridgePolling.intervalMs = 20;
});
afterEach(() => {
  bridgePolling.intervalMs = original;
});

describe("Calls over the default route and overrides", () => {
  it("a lead row's call button places the call with placeCall and Settings' default route", async () => {
    const { user, core } = await renderApp(seedWith());
    const alice = (await allLeads(core)).find((l) => l.name === "Alice Anders")!;
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));
    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    expect(placeRequests(core)[0]).toEqual({ to: "+12125550123", leadId: alice.id, overrideDnc: false, route: null, callerId: null, record: false });
    expect(await screen.findByTestId("call-card")).toHaveAttribute("data-route", "softphone");
  });

  it("the dialer's route and caller-ID overrides go with the call, which is then polled to completion and wrapped up", async () => {
    const { user, core, signalWire } = await renderApp(seedWith());
    await user.click(screen.getByTestId("nav-dialer"));
    const route = await screen.findByTestId("dialer-route");
    await waitFor(() => expect(route).toHaveValue("softphone"));
    await user.selectOptions(route, "bridge");
    const callerId = await screen.findByTestId("dialer-caller-id");
    await waitFor(() => expect(within(callerId).getAllByRole("option")).toHaveLength(3));
    await user.selectOptions(callerId, "+12125550142");
    await user.type(screen.getByTestId("dialer-input"), "4155550100");
    await screen.findByTestId("dialer-lead");
    await user.click(screen.getByTestId("dial-button"));

    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    expect(placeRequests(core)[0]).toMatchObject({ to: "+14155550100", route: "bridge", callerId: "+12125550142", overrideDnc: false, record: false });
    const card = await screen.findByTestId("call-card");
    expect(card).toHaveAttribute("data-route", "bridge");
    await waitFor(() => expect(within(card).getByTestId("call-route")).toHaveTextContent("rings (312) 555-0100 first"));
    expect(within(card).getByTestId("call-lead-name")).toHaveTextContent("Bob Brown");
    // Only Hang up applies to a bridge call.
    expect(within(card).queryByTestId("call-mute")).not.toBeInTheDocument();

    // The polls move it along (status shown, timer once connected) until it completed; then the wrap-up opens.
    await waitFor(() => {
      expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected");
      expect(screen.getByTestId("call-timer")).toBeInTheDocument();
    });
    expect(await screen.findByTestId("wrapup-call-name", {}, { timeout: 5000 })).toHaveTextContent("Bob Brown");
    expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument();
    const calls = await signalWire.call<[string, string, string][]>("calls");
    expect(calls, "SignalWire was asked for one call, from the chosen caller ID").toHaveLength(1);
    expect((await history(core))[0]?.status, "logged as completed").toBe("completed");
  });

  it("the dialer offers “Record this call” for bridge calls only, and a ticked box places the call with record", async () => {
    const { user, core } = await renderApp(seedWith());
    await user.click(screen.getByTestId("nav-dialer"));
    const route = await screen.findByTestId("dialer-route");
    await waitFor(() => expect(route).toHaveValue("softphone"));
    expect(screen.queryByTestId("dialer-record")).not.toBeInTheDocument();

    await user.selectOptions(route, "bridge");
    const record = screen.getByTestId("dialer-record");
    expect(record).not.toBeChecked();
    expect(screen.getByLabelText("Record this call")).toBe(record);
    await user.click(record);
    expect(record).toBeChecked();
    await user.type(screen.getByTestId("dialer-input"), "4155550100");
    await screen.findByTestId("dialer-lead");
    await user.click(screen.getByTestId("dial-button"));

    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    expect(placeRequests(core)[0]).toMatchObject({ to: "+14155550100", route: "bridge", record: true });
  });

  it("a ticked “Record this call” is not sent once the dialer is back on the softphone route", async () => {
    const { user, core } = await renderApp(seedWith());
    await user.click(screen.getByTestId("nav-dialer"));
    const route = await screen.findByTestId("dialer-route");
    await waitFor(() => expect(route).toHaveValue("softphone"));
    await user.selectOptions(route, "bridge");
    await user.click(screen.getByTestId("dialer-record"));
    await user.selectOptions(route, "softphone");
    expect(screen.queryByTestId("dialer-record")).not.toBeInTheDocument();
    await user.type(screen.getByTestId("dialer-input"), "4155550100");
    await screen.findByTestId("dialer-lead");
    await user.click(screen.getByTestId("dial-button"));

    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    expect(placeRequests(core)[0]).toMatchObject({ to: "+14155550100", route: null, record: false });
  });

  it("the lead detail's route override sends the call over the bridge; a missing agent phone is reported", async () => {
    const { user, core } = await renderApp(seedWith({ settings: { agentPhone: "" } }));
    await user.click(await leadRow("Bob Brown"));
    const route = await screen.findByTestId("lead-detail-route");
    await user.selectOptions(route, "bridge");
    await user.click(screen.getByTestId("lead-detail-call"));
    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    expect(placeRequests(core)[0]).toMatchObject({ to: "+14155550100", route: "bridge" });
    await waitFor(() => expect(screen.getAllByTestId("toast").some((t) => /Could not call: .*your own phone/i.test(t.textContent ?? ""))).toBe(true));
    expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument();
  });

  it("a Do Not Call number asks for “Call anyway” and then calls with overrideDnc on the same route", async () => {
    const nora = { name: "Nora Never", company: "Quiet Co", phone: "(312) 555-0111" };
    const { user, core } = await renderApp(seedWith({ leads: [nora], seed: (c) => markDoNotCall(c, "Nora Never") }));
    // Dialled from the keypad: the core refuses, and knows why.
    await user.click(screen.getByTestId("nav-dialer"));
    await user.type(await screen.findByTestId("dialer-input"), "3125550111");
    await screen.findByTestId("dialer-normalized");
    await user.click(screen.getByTestId("dial-button"));
    const confirm = await screen.findByTestId("dnc-confirm");
    expect(confirm).toHaveTextContent("Nora Never is Do Not Call");
    expect(placeRequests(core).every((r) => !r.overrideDnc), "no attempt overrode it").toBe(true);
    expect(await history(core), "nothing was placed").toEqual([]);
    await user.click(within(confirm).getByRole("button", { name: "Call anyway" }));
    await waitFor(() => expect(placeRequests(core).at(-1)).toMatchObject({ to: "+13125550111", overrideDnc: true, route: null }));
    expect(await screen.findByTestId("call-lead-name")).toHaveTextContent("Nora Never");
    const nora_ = (await allLeads(core)).find((l) => l.name === "Nora Never")!;
    expect((await history(core))[0]?.leadId, "logged against Nora").toBe(nora_.id);
  });
});

describe("Bridge calls held in a state (the emulator keeps a call in it until hung up)", () => {
  /** Bridge calls by default, and SignalWire keeps the calls placed in `status`. */
  const holdingIn = (status: string) =>
    seedWith({ settings: { defaultRoute: "bridge" }, seed: (_core, signalWire) => signalWire!.call("calls_hold_in", { status }) });

  it("Hang up ends a ringing bridge call (canceled) and the wrap-up follows", async () => {
    const { user, core, signalWire } = await renderApp(holdingIn("ringing"));
    await user.click(within(await leadRow("Carla Cruz")).getByTestId("lead-call"));
    await screen.findByTestId("call-card");
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Ringing…"));
    await user.click(screen.getByTestId("call-hangup"));
    await waitFor(() => expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument());
    const [[sid]] = await signalWire.call<[string, string, string][]>("calls");
    expect(await core.invoke("bridge_call_status", { sid }), "SignalWire canceled the call").toMatchObject({ status: "canceled" });
    expect(await screen.findByTestId("wrapup-call-name")).toHaveTextContent("Carla Cruz");
  });

  it("a bridge call the lead does not answer ends with a clear failure toast", async () => {
    const { user } = await renderApp(holdingIn("no-answer"));
    await user.click(within(await leadRow("Erin Evans")).getByTestId("lead-call"));
    await waitFor(() => expect(screen.getAllByTestId("toast").some((t) => /Call failed: nobody answered/.test(t.textContent ?? ""))).toBe(true));
    expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument();
  });
});

describe("Links that dial by themselves", () => {
  /** The operating system hands the core a link (clicked anywhere on the desktop). */
  const clickLink = (core: Core, link: string) => core.invoke("serve.open_link", { link });

  it("count down first, and Cancel stops the call", async () => {
    const { user, core } = await renderApp(seedWith({ settings: { linksAutoDial: true } }));
    await act(() => clickLink(core, "tel:+1-312-555-0122"));
    expect(await screen.findByTestId("dialer-link-countdown")).toHaveTextContent("calling in 4 s");
    await waitFor(() => expect(screen.getByTestId("dialer-link-countdown")).toHaveTextContent("calling in 3 s"), { timeout: 2500 });
    await user.click(screen.getByTestId("dialer-link-cancel"));
    expect(screen.queryByTestId("dialer-link-countdown"), "the countdown is gone").not.toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 1500));
    expect(placeRequests(core), "a cancelled link does not dial").toHaveLength(0);
  }, 10_000);

  it("Esc cancels the countdown; a link the core held says why and waits for Dial", async () => {
    const { user, core } = await renderApp(seedWith({ settings: { linksAutoDial: true } }));
    await act(() => clickLink(core, "tel:+1-312-555-0122"));
    await screen.findByTestId("dialer-link-countdown");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("dialer-link-countdown")).not.toBeInTheDocument();

    // A second link moments later: the core lets at most one link dial by itself per 10 s.
    await act(() => clickLink(core, "tel:+1-312-555-0123"));
    expect(await screen.findByTestId("dialer-link-held")).toHaveTextContent("press Dial to call");
    await new Promise((r) => setTimeout(r, 300));
    expect(placeRequests(core), "neither link dialled").toHaveLength(0);
  });
});

describe("In-call panel (real SIP calls: Kamailio and baresip phones as the leads)", () => {
  /** SAMPLE_LEADS on a core registered at the SIP peer's Kamailio. */
  const sipSeed = (): Seed => ({ leads: SAMPLE_LEADS, sipPeer: true });
  const toasts = () => screen.queryAllByTestId("toast").map((t) => t.textContent);
  const card = (name: string) => screen.getAllByTestId("call-card").find((c) => c.textContent?.includes(name))!;

  it("shows the microphone level and switches the microphone and speaker, saved in Settings", async () => {
    await peerPhone("12125550123");
    const { user, core } = await renderApp(sipSeed());
    // This computer's sound devices (hardware): the core's phone speaks a WAV meanwhile.
    core.fake("audio_devices", () => [
      { name: "Built-in Audio", input: true, output: true },
      { name: "USB Headset", input: true, output: true },
    ]);
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 10_000 });
    await waitFor(() => expect(Number(screen.getByTestId("call-input-level").getAttribute("aria-valuenow"))).toBeGreaterThan(0), { timeout: 5000 });

    await user.click(screen.getByTestId("call-audio"));
    const input = screen.getByTestId("call-audio-input");
    await waitFor(() => expect(input).toBeEnabled());
    await user.selectOptions(input, "USB Headset");
    await waitFor(() => expect(screen.getByTestId("call-audio-status")).toHaveTextContent("Switched — this call and the next ones"));
    await user.selectOptions(screen.getByTestId("call-audio-output"), "USB Headset");
    await waitFor(async () => expect(await core.invoke("get_settings")).toMatchObject({ audioInput: "USB Headset", audioOutput: "USB Headset" }));
  });

  it("an incoming call from an unknown number that stops ringing shows a missed-call toast; a rejected one does not", async () => {
    const stranger = await peerPhone("13125550147", "manual");
    await renderApp(sipSeed());
    await stranger.callAgent();
    expect(await screen.findByTestId("screen-pop-unknown", {}, { timeout: 10_000 })).toHaveTextContent("Unknown caller");
    expect(screen.getByTestId("incoming-create-lead")).toBeInTheDocument();
    await stranger.command("hangup");
    await waitFor(() => expect(toasts()).toContain("Missed call from (312) 555-0147."), { timeout: 10_000 });
  });

  it("a rejected call is not reported as missed; a missed call from a lead names the lead", async () => {
    const stranger = await peerPhone("13125550147", "manual");
    const bob = await peerPhone("14155550100", "manual");
    const { user } = await renderApp(sipSeed());
    await stranger.callAgent();
    await user.click(await screen.findByTestId("incoming-reject", {}, { timeout: 10_000 }));
    expect(await stranger.waitEvent("CALL_CLOSED"), "the caller hears the decline").toContain("486 Busy Here");
    await waitFor(() => expect(screen.queryByTestId("incoming-call")).not.toBeInTheDocument());
    expect(toasts().some((t) => /Missed call/.test(t ?? ""))).toBe(false);

    await bob.callAgent();
    await screen.findByTestId("screen-pop", {}, { timeout: 10_000 });
    await bob.command("hangup");
    await waitFor(() => expect(toasts()).toContain("Missed call from Bob Brown."), { timeout: 10_000 });
  });

  it("with two calls, answering the second holds the first and Switch swaps which one is held", async () => {
    await peerPhone("12125550123");
    const bob = await peerPhone("14155550100");
    const { user } = await renderApp(sipSeed());
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 10_000 });
    await bob.callAgent();
    await user.click(await screen.findByTestId("incoming-answer", {}, { timeout: 10_000 }));
    await waitFor(() => expect(screen.getAllByTestId("call-card")).toHaveLength(2));
    await waitFor(() => expect(within(card("Bob Brown")).getByTestId("call-phase")).toHaveTextContent("Connected"));
    expect(within(card("Alice Anders")).getByTestId("call-phase")).toHaveTextContent("On hold");

    await user.click(within(card("Alice Anders")).getByTestId("call-switch"));
    await waitFor(() => expect(within(card("Alice Anders")).getByTestId("call-phase")).toHaveTextContent("Connected"));
    await waitFor(() => expect(within(card("Bob Brown")).getByTestId("call-phase")).toHaveTextContent("On hold"));
    await user.click(within(card("Bob Brown")).getByTestId("call-switch"));
    await waitFor(() => expect(within(card("Bob Brown")).getByTestId("call-phase")).toHaveTextContent("Connected"));
    await waitFor(() => expect(within(card("Alice Anders")).getByTestId("call-phase")).toHaveTextContent("On hold"));
  });
});
