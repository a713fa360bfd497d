import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MemoryBackend, SIP_CONFIGURED, type MemoryBackendOptions } from "../../backend/memory";
import { SAMPLE_LEADS, renderApp } from "../../test/render";

function phoneBackend(options: MemoryBackendOptions = {}) {
  return new MemoryBackend({ leads: SAMPLE_LEADS, settings: SIP_CONFIGURED, callStepMs: 5, ...options });
}

async function leadRow(name: string) {
  await waitFor(() => expect(screen.getAllByTestId("lead-row").some((r) => r.textContent?.includes(name))).toBe(true));
  return screen.getAllByTestId("lead-row").find((r) => r.textContent?.includes(name))!;
}

const lead = (backend: MemoryBackend, name: string) => backend.allLeads().find((l) => l.name === name)!;

describe("Softphone", () => {
  it("clicking a lead row's phone button dials with its leadId and shows the in-call panel with the lead's name and a running timer once active", async () => {
    const { user, backend } = await renderApp(phoneBackend());
    const alice = lead(backend, "Alice Anders");
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));

    expect(backend.dialRequests).toEqual([{ to: "+15551234567", leadId: alice.id, overrideDnc: false }]);
    const panel = await screen.findByTestId("call-panel");
    expect(within(panel).getByTestId("call-lead-name")).toHaveTextContent("Alice Anders");
    expect(panel).toHaveTextContent("Acme Corp");
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"));
    expect(screen.getByTestId("call-timer")).toHaveTextContent(/^0:0\d$/);
    expect(screen.getByTestId("call-quality")).toHaveTextContent("Good quality");
    // No lead detail opened by the click on the button.
    expect(screen.queryByTestId("lead-detail")).not.toBeInTheDocument();
  });

  it("hang up ends the call and opens the wrap-up dialog for it", async () => {
    const { user, backend } = await renderApp(phoneBackend());
    await user.click(within(await leadRow("Bob Brown")).getByTestId("lead-call"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"));

    await user.click(screen.getByTestId("call-hangup"));
    await waitFor(() => expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument());
    expect(await screen.findByTestId("wrapup-call-name")).toHaveTextContent("Bob Brown");
    const awaiting = await backend.callsAwaitingDisposition();
    expect(awaiting.map((c) => c.leadName)).toEqual(["Bob Brown"]);
    expect(backend.phoneCallIds()).toEqual([]);
  });

  it("a Do Not Call lead needs “Call anyway” and then dials with overrideDnc", async () => {
    const { user, backend } = await renderApp(
      phoneBackend({ leads: [{ name: "Nora Never", company: "Quiet Co", phone: "(312) 555-0111", status: "do_not_call" }] }),
    );
    await user.click(within(await leadRow("Nora Never")).getByTestId("lead-call"));

    const confirm = await screen.findByTestId("dnc-confirm");
    expect(confirm).toHaveTextContent("Do Not Call");
    expect(backend.dialRequests).toEqual([]);
    await user.click(within(confirm).getByRole("button", { name: "Call anyway" }));

    await waitFor(() => expect(backend.dialRequests).toHaveLength(1));
    expect(backend.dialRequests[0]).toMatchObject({ to: "+13125550111", overrideDnc: true });
    expect(await screen.findByTestId("call-lead-name")).toHaveTextContent("Nora Never");
    expect(screen.queryByTestId("dnc-confirm")).not.toBeInTheDocument();
  });

  it("mute and hold toggle, and keypad and typed DTMF keys go to the backend", async () => {
    const { user, backend } = await renderApp(phoneBackend({ callStepMs: null }));
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));
    await screen.findByTestId("call-card");
    const [callId] = backend.phoneCallIds();
    expect(screen.getByTestId("call-mute")).toBeDisabled();
    act(() => backend.connectCall(callId));
    await waitFor(() => expect(screen.getByTestId("call-mute")).toBeEnabled());

    await user.click(screen.getByTestId("call-mute"));
    await waitFor(() => expect(screen.getByTestId("call-mute")).toHaveTextContent("Unmute"));
    expect(backend.phoneCall(callId)?.muted).toBe(true);
    await user.click(screen.getByTestId("call-mute"));
    await waitFor(() => expect(backend.phoneCall(callId)?.muted).toBe(false));

    await user.click(screen.getByTestId("call-hold"));
    await waitFor(() => expect(screen.getByTestId("call-hold")).toHaveTextContent("Resume"));
    expect(backend.phoneCall(callId)?.phase).toBe("held");
    expect(screen.getByTestId("call-phase")).toHaveTextContent("On hold");
    await user.click(screen.getByTestId("call-hold"));
    await waitFor(() => expect(backend.phoneCall(callId)?.phase).toBe("active"));

    await user.click(screen.getByTestId("call-keypad"));
    await user.click(screen.getByTestId("dtmf-5"));
    await waitFor(() => expect(backend.phoneCall(callId)?.dtmf).toBe("5"));
    await user.keyboard("#1");
    await waitFor(() => expect(backend.phoneCall(callId)?.dtmf).toBe("5#1"));

    // The shortcuts: Ctrl+Shift+M mutes, Ctrl+Shift+H hangs up.
    await user.keyboard("{Control>}{Shift>}m{/Shift}{/Control}");
    await waitFor(() => expect(backend.phoneCall(callId)?.muted).toBe(true));
    await user.keyboard("{Control>}{Shift>}h{/Shift}{/Control}");
    await waitFor(() => expect(backend.phoneCall(callId)).toBeUndefined());
  });

  it("an incoming call from a lead shows the screen pop, and Answer answers it", async () => {
    const backend = phoneBackend({
      calls: [{ contact: "415-555-0100", startedAt: new Date(Date.now() - 86_400_000).toISOString(), durationSeconds: 60, disposition: "interested", notes: "Wants a quote for 12 seats." }],
    });
    const { user } = await renderApp(backend);
    let callId = "";
    act(() => {
      callId = backend.ringIn("415-555-0100").callId;
    });

    const pop = await screen.findByTestId("screen-pop");
    expect(pop).toHaveTextContent("Bob Brown");
    expect(pop).toHaveTextContent("Globex");
    expect(pop).toHaveTextContent("contacted");
    expect(screen.getByTestId("screen-pop-last-note")).toHaveTextContent("Wants a quote for 12 seats.");
    expect(screen.getByTestId("screen-pop-last-call")).not.toHaveTextContent("never");

    await user.click(screen.getByTestId("incoming-answer"));
    await waitFor(() => expect(backend.phoneCall(callId)?.phase).toBe("active"));
    expect(screen.queryByTestId("incoming-call")).not.toBeInTheDocument();
    expect(await screen.findByTestId("call-timer")).toBeInTheDocument();
    expect(screen.getByTestId("call-lead-name")).toHaveTextContent("Bob Brown");
  });

  it("an unknown caller shows “Unknown caller” with the number and Create lead prefilled with it", async () => {
    const backend = phoneBackend();
    const { user } = await renderApp(backend);
    act(() => void backend.ringIn("+13125550147"));

    const unknown = await screen.findByTestId("screen-pop-unknown");
    expect(unknown).toHaveTextContent("Unknown caller");
    expect(unknown).toHaveTextContent("(312) 555-0147");
    await user.click(within(unknown).getByTestId("incoming-create-lead"));
    expect(await screen.findByTestId("create-lead-phone")).toHaveValue("+13125550147");
    await user.type(screen.getByTestId("create-lead-name"), "Walk In");
    await user.click(screen.getByTestId("create-lead-submit"));
    expect(await screen.findByTestId("screen-pop")).toHaveTextContent("Walk In");
  });

  it("a second call answered while one is active puts the first on hold, and Switch swaps them", async () => {
    const { user, backend } = await renderApp(phoneBackend());
    await user.click(within(await leadRow("Alice Anders")).getByTestId("lead-call"));
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"));
    const [first] = backend.phoneCallIds();
    let second = "";
    act(() => {
      second = backend.ringIn("415-555-0100").callId;
    });
    await user.click(await screen.findByTestId("incoming-answer"));
    await waitFor(() => expect(backend.phoneCall(second)?.phase).toBe("active"));
    expect(backend.phoneCall(first)?.phase).toBe("held");
    expect(screen.getAllByTestId("call-card")).toHaveLength(2);

    await user.click(screen.getByTestId("call-switch"));
    await waitFor(() => expect(backend.phoneCall(first)?.phase).toBe("active"));
    expect(backend.phoneCall(second)?.phase).toBe("held");
  });

  it("the dialer's Dial button calls the typed number when a SIP line exists", async () => {
    const { user, backend } = await renderApp(phoneBackend());
    await user.click(screen.getByTestId("nav-dialer"));
    expect(screen.queryByTestId("dial-disabled-reason")).not.toBeInTheDocument();
    await user.type(screen.getByTestId("dialer-input"), "2125550188");
    await screen.findByTestId("dialer-normalized");
    await user.click(screen.getByTestId("dial-button"));
    await waitFor(() => expect(backend.dialRequests).toEqual([{ to: "+12125550188", leadId: null, overrideDnc: false }]));
    expect(await screen.findByTestId("call-number")).toHaveTextContent("(212) 555-0188");
  });
});
