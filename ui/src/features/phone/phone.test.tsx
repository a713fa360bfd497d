// The softphone in the window, against the real core placing and taking real SIP calls: Kamailio
// as the registrar and baresip phones registered as the leads' numbers (src/test/sip.ts). The
// core speaks a WAV instead of a microphone.
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SAMPLE_LEADS, allLeads, markDoNotCall, renderApp, type Seed } from "../../test/app";
import { expectCallAnywayThenCall, placeRequests } from "../../test/calls";
import type { Core } from "../../test/core";
import { peerPhone } from "../../test/sip";

/** SAMPLE_LEADS on a core with a registered SIP line. */
const phoneApp = (seed: Seed = {}) => renderApp({ leads: SAMPLE_LEADS, sipPeer: true, ...seed });

async function leadRow(name: string) {
  await waitFor(() => expect(screen.getAllByTestId("lead-row").some((r) => r.textContent?.includes(name))).toBe(true));
  return screen.getAllByTestId("lead-row").find((r) => r.textContent?.includes(name))!;
}

const leadId = async (core: Core, name: string) => (await allLeads(core)).find((l) => l.name === name)!.id;
const commandArgs = (core: Core, cmd: string) => core.calls.filter((c) => c.cmd === cmd).map((c) => c.args);

/** The call card whose panel names `name`. */
const card = (name: string) => screen.getAllByTestId("call-card").find((c) => c.textContent?.includes(name))!;

describe("Softphone", () => {
  it("clicking a lead row's phone button dials with its leadId and shows the in-call panel with the lead's name and a running timer once active", async () => {
    await peerPhone("12125550123");
    const { user, core } = await phoneApp();
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));

    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    expect(placeRequests(core)[0]).toMatchObject({ to: "+12125550123", leadId: await leadId(core, "Alice Anders"), overrideDnc: false });
    const panel = await screen.findByTestId("call-panel");
    expect(within(panel).getByTestId("call-lead-name")).toHaveTextContent("Alice Anders");
    expect(panel).toHaveTextContent("Acme Corp");
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 10_000 });
    expect(screen.getByTestId("call-timer")).toHaveTextContent(/^0:0\d$/);
    await waitFor(() => expect(screen.getByTestId("call-quality")).toHaveTextContent("Good quality"), { timeout: 5000 });
    // No lead detail opened by the click on the button.
    expect(screen.queryByTestId("lead-detail")).not.toBeInTheDocument();
  });

  it("hang up ends the call and opens the wrap-up dialog for it", async () => {
    const bob = await peerPhone("14155550100");
    const { user, core } = await phoneApp();
    await user.click(within(await leadRow("Bob Brown")).getByTestId("lead-call"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 10_000 });
    await bob.waitEvent("CALL_ESTABLISHED");

    await user.click(screen.getByTestId("call-hangup"));
    await waitFor(() => expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument());
    expect(await screen.findByTestId("wrapup-call-name")).toHaveTextContent("Bob Brown");
    await bob.waitEvent("CALL_CLOSED");
    const awaiting = await core.invoke<{ leadName: string | null }[]>("calls_awaiting_disposition");
    expect(awaiting.map((c) => c.leadName)).toEqual(["Bob Brown"]);
  });

  it("a Do Not Call lead needs “Call anyway” and then dials with overrideDnc", async () => {
    await peerPhone("13125550111");
    const { user, core } = await phoneApp({ leads: [{ name: "Nora Never", company: "Quiet Co", phone: "(312) 555-0111" }], seed: (core) => markDoNotCall(core, "Nora Never") });
    await user.click(within(await leadRow("Nora Never")).getByTestId("lead-call"));
    await expectCallAnywayThenCall(user, core, { name: "Nora Never", e164: "+13125550111" });
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 10_000 });
  });

  it("mute and hold toggle, and keypad and typed DTMF keys reach the other phone", async () => {
    const alice = await peerPhone("12125550123", "manual");
    const { user, core } = await phoneApp();
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));
    await screen.findByTestId("call-card");
    await alice.waitEvent("CALL_INCOMING");
    expect(screen.getByTestId("call-mute")).toBeDisabled();
    await alice.command("accept");
    await waitFor(() => expect(screen.getByTestId("call-mute")).toBeEnabled(), { timeout: 10_000 });

    await user.click(screen.getByTestId("call-mute"));
    await waitFor(() => expect(screen.getByTestId("call-mute")).toHaveTextContent("Unmute"));
    expect(commandArgs(core, "set_mute")).toMatchObject([{ on: true }]);
    await user.click(screen.getByTestId("call-mute"));
    await waitFor(() => expect(screen.getByTestId("call-mute")).toHaveTextContent(/^Mute/));
    expect(commandArgs(core, "set_mute")).toMatchObject([{ on: true }, { on: false }]);

    await user.click(screen.getByTestId("call-hold"));
    await waitFor(() => expect(screen.getByTestId("call-hold")).toHaveTextContent("Resume"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("On hold"));
    await user.click(screen.getByTestId("call-hold"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"));

    await user.click(screen.getByTestId("call-keypad"));
    await user.click(screen.getByTestId("dtmf-5"));
    expect(await alice.waitEvent("CALL_DTMF_START")).toContain('"param":"5"');
    // Typed fast, the keys still arrive in the order typed.
    await user.keyboard("#1");
    expect(await alice.waitEvent("CALL_DTMF_START")).toContain('"param":"#"');
    expect(await alice.waitEvent("CALL_DTMF_START")).toContain('"param":"1"');

    // The shortcuts: Ctrl+Shift+M mutes, Ctrl+Shift+H hangs up.
    await user.keyboard("{Control>}{Shift>}m{/Shift}{/Control}");
    await waitFor(() => expect(commandArgs(core, "set_mute")).toHaveLength(3));
    expect(commandArgs(core, "set_mute")[2]).toMatchObject({ on: true });
    await user.keyboard("{Control>}{Shift>}h{/Shift}{/Control}");
    await alice.waitEvent("CALL_CLOSED");
    await waitFor(() => expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument());
  });

  it("an incoming call from a lead shows the screen pop, and Answer answers it", async () => {
    const bob = await peerPhone("14155550100");
    const { user } = await phoneApp({
      calls: [{ contact: "415-555-0100", startedAt: new Date(Date.now() - 86_400_000).toISOString(), durationSeconds: 60, disposition: "interested", notes: "Wants a quote for 12 seats." }],
    });
    await bob.callAgent();

    const pop = await screen.findByTestId("screen-pop", {}, { timeout: 10_000 });
    expect(pop).toHaveTextContent("Bob Brown");
    expect(pop).toHaveTextContent("Globex");
    expect(screen.getByTestId("screen-pop-last-note")).toHaveTextContent("Wants a quote for 12 seats.");
    expect(screen.getByTestId("screen-pop-last-call")).not.toHaveTextContent("never");

    await user.click(screen.getByTestId("incoming-answer"));
    await bob.waitEvent("CALL_ESTABLISHED");
    await waitFor(() => expect(screen.queryByTestId("incoming-call")).not.toBeInTheDocument());
    expect(await screen.findByTestId("call-timer")).toBeInTheDocument();
    expect(screen.getByTestId("call-lead-name")).toHaveTextContent("Bob Brown");
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"));
  });

  it("an unknown caller shows “Unknown caller” with the number and Create lead prefilled with it", async () => {
    const stranger = await peerPhone("13125550147");
    const { user } = await phoneApp();
    await stranger.callAgent();

    const unknown = await screen.findByTestId("screen-pop-unknown", {}, { timeout: 10_000 });
    expect(unknown).toHaveTextContent("Unknown caller");
    await waitFor(() => expect(unknown).toHaveTextContent("(312) 555-0147"), { timeout: 5000 });
    await user.click(within(unknown).getByTestId("incoming-create-lead"));
    expect(await screen.findByTestId("create-lead-phone")).toHaveValue("+13125550147");
    await user.type(screen.getByTestId("create-lead-name"), "Walk In");
    await user.click(screen.getByTestId("create-lead-submit"));
    expect(await screen.findByTestId("screen-pop")).toHaveTextContent("Walk In");
  });

  it("a second call answered while one is active puts the first on hold, and Switch swaps them", async () => {
    await peerPhone("12125550123");
    const bob = await peerPhone("14155550100");
    const { user } = await phoneApp();
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 10_000 });
    await bob.callAgent();
    await user.click(await screen.findByTestId("incoming-answer", {}, { timeout: 10_000 }));
    await bob.waitEvent("CALL_ESTABLISHED");
    await waitFor(() => expect(screen.getAllByTestId("call-card")).toHaveLength(2));
    await waitFor(() => expect(within(card("Bob Brown")).getByTestId("call-phase")).toHaveTextContent("Connected"));
    expect(within(card("Alice Anders")).getByTestId("call-phase")).toHaveTextContent("On hold");

    await user.click(screen.getByTestId("call-switch"));
    await waitFor(() => expect(within(card("Alice Anders")).getByTestId("call-phase")).toHaveTextContent("Connected"));
    await waitFor(() => expect(within(card("Bob Brown")).getByTestId("call-phase")).toHaveTextContent("On hold"));
  });

  it("the dialer's Dial button calls the typed number when a SIP line exists", async () => {
    await peerPhone("12125550188");
    const { user, core } = await phoneApp();
    await user.click(screen.getByTestId("nav-dialer"));
    expect(screen.queryByTestId("dial-disabled-reason")).not.toBeInTheDocument();
    await user.type(screen.getByTestId("dialer-input"), "2125550188");
    await screen.findByTestId("dialer-normalized");
    await user.click(screen.getByTestId("dial-button"));
    await waitFor(() => expect(placeRequests(core)).toMatchObject([{ to: "+12125550188", leadId: null, overrideDnc: false }]));
    const shown = await screen.findByTestId("call-number");
    await waitFor(() => expect(shown).toHaveTextContent("(212) 555-0188"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 10_000 });
  });
});
