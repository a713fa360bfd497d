import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { MemoryBackend, SIGNALWIRE_CONFIGURED, SIP_CONFIGURED } from "../../backend/memory";
import { renderApp } from "../../test/render";

async function openCalls(backend: MemoryBackend) {
  const utils = await renderApp(backend);
  await utils.user.click(screen.getByTestId("nav-settings"));
  await screen.findByTestId("settings-calls-save");
  return utils;
}

describe("Settings → Calls", () => {
  it("saves the bridge route with the agent's phone, caller ID, devices and auto-dial", async () => {
    const backend = new MemoryBackend({ settings: SIGNALWIRE_CONFIGURED, ownedNumbers: ["+14155550100", "+13125550142"] });
    const { user } = await openCalls(backend);

    expect(screen.getByTestId("settings-route-softphone")).toBeChecked();
    await user.click(screen.getByTestId("settings-route-bridge"));
    await user.type(screen.getByTestId("settings-agent-phone"), "(312) 555-0100");
    const callerId = screen.getByTestId("settings-caller-id");
    await waitFor(() => expect(within(callerId).getAllByRole("option").map((o) => o.textContent)).toEqual(["Automatic", "(415) 555-0100", "(312) 555-0142"]));
    await user.selectOptions(callerId, "+13125550142");
    await user.selectOptions(screen.getByTestId("settings-audio-input"), "USB Headset");
    await user.selectOptions(screen.getByTestId("settings-audio-output"), "Built-in Speakers");

    expect(screen.queryByTestId("settings-links-autodial-warning")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("settings-links-autodial"));
    expect(screen.getByTestId("settings-links-autodial-warning")).toHaveTextContent(/any web page/i);

    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-saved")).toBeInTheDocument();
    expect(await backend.getSettings()).toMatchObject({
      defaultRoute: "bridge",
      agentPhone: "+13125550100",
      callerId: "+13125550142",
      audioInput: "USB Headset",
      audioOutput: "Built-in Speakers",
      linksAutoDial: true,
    });
    // The saved phone comes back normalized.
    expect(screen.getByTestId("settings-agent-phone")).toHaveValue("+13125550100");
  });

  it("shows the backend's validation error at the field and saves nothing", async () => {
    const backend = new MemoryBackend();
    const { user } = await openCalls(backend);
    await user.type(screen.getByTestId("settings-agent-phone"), "12");
    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-error-agentPhone")).toHaveTextContent(/Your phone "12"/);
    expect(screen.queryByTestId("settings-calls-saved")).not.toBeInTheDocument();
    expect((await backend.getSettings()).agentPhone).toBe("");
  });

  it("asks for the agent's phone before making the bridge the default", async () => {
    const backend = new MemoryBackend();
    const { user } = await openCalls(backend);
    await user.click(screen.getByTestId("settings-route-bridge"));
    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-error-agentPhone")).toHaveTextContent(/enter the phone bridge calls should ring/);
    expect((await backend.getSettings()).defaultRoute).toBe("softphone");
  });

  it("offers only “Automatic” as caller ID while SignalWire is not set up, and says why", async () => {
    const backend = new MemoryBackend();
    await openCalls(backend);
    const select = screen.getByTestId("settings-caller-id");
    await waitFor(() => expect(select).toBeEnabled());
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["Automatic"]);
    expect(within(screen.getByRole("region", { name: "Calls" })).getByText(/Set up SignalWire above/)).toBeInTheDocument();
  });

  describe("caller ID of softphone calls", () => {
    const NUMBERS = ["+14155550100", "+13125550142"];

    async function chooseCallerId(user: Awaited<ReturnType<typeof openCalls>>["user"], number: string) {
      const select = screen.getByTestId("settings-caller-id");
      await waitFor(() => expect(select).toBeEnabled());
      await user.selectOptions(select, number);
      await user.click(screen.getByTestId("settings-calls-save"));
      expect(await screen.findByTestId("settings-calls-saved")).toBeInTheDocument();
    }

    it("sets the SignalWire SIP endpoint's send_as to the new caller ID and says softphone calls show it too", async () => {
      const backend = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, ownedNumbers: NUMBERS, sipEndpoints: ["agent"] });
      const { user } = await openCalls(backend);
      await chooseCallerId(user, "+13125550142");

      await waitFor(() => expect(screen.getByTestId("settings-softphone-caller-id")).toHaveTextContent("Softphone calls show +13125550142 too."));
      expect(backend.listSipEndpoints(), "the endpoint of the SIP username now sends as the caller ID").toEqual([{ username: "agent", sendAs: "+13125550142" }]);
      expect(screen.getByTestId("settings-softphone-caller-id")).not.toHaveAttribute("role", "alert");
    });

    it("says softphone calls use SignalWire's automatic caller ID when the caller ID goes back to Automatic", async () => {
      const backend = new MemoryBackend({
        settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED, callerId: "+14155550100" },
        ownedNumbers: NUMBERS,
        sipEndpoints: ["agent"],
      });
      const { user } = await openCalls(backend);
      await chooseCallerId(user, "");

      await waitFor(() => expect(screen.getByTestId("settings-softphone-caller-id")).toHaveTextContent("Softphone calls use SignalWire's automatic caller ID."));
      expect(backend.listSipEndpoints()).toEqual([{ username: "agent", sendAs: null }]);
    });

    it("explains as a neutral hint that the SIP provider sets the caller ID when the SIP line is no SignalWire endpoint; the save still counts", async () => {
      const backend = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, ownedNumbers: NUMBERS, sipEndpoints: ["someone-else"] });
      const { user } = await openCalls(backend);
      await chooseCallerId(user, "+13125550142");

      const hint = await screen.findByTestId("settings-softphone-caller-id");
      await waitFor(() => expect(hint).toHaveTextContent(/SIP provider sets the caller ID/));
      expect(hint, "not shown as an error").not.toHaveAttribute("role", "alert");
      expect(hint).not.toHaveClass("field-error");
      expect(screen.getByTestId("settings-calls-saved"), "the save itself succeeded").toBeInTheDocument();
      expect((await backend.getSettings()).callerId).toBe("+13125550142");
      expect(backend.listSipEndpoints()).toEqual([{ username: "someone-else", sendAs: null }]);
    });

    it("shows SignalWire being unreachable as an error at the caller ID, keeping the save", async () => {
      const backend = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, ownedNumbers: NUMBERS, sipEndpoints: ["agent"] });
      const { user } = await openCalls(backend);
      const select = screen.getByTestId("settings-caller-id");
      await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(3));
      backend.setSmsOffline(true);
      await chooseCallerId(user, "+13125550142");

      const error = await screen.findByRole("alert");
      expect(error).toHaveAttribute("data-testid", "settings-softphone-caller-id");
      expect(error).toHaveTextContent(/^Could not set the softphone's caller ID: could not reach SignalWire/);
      expect(screen.getByTestId("settings-calls-saved")).toBeInTheDocument();
      expect((await backend.getSettings()).callerId).toBe("+13125550142");
    });

    it("does not touch the softphone without SignalWire set up", async () => {
      const backend = new MemoryBackend({ settings: { ...SIP_CONFIGURED, callerId: "+14155550100" }, sipEndpoints: ["agent"] });
      const apply = vi.spyOn(backend, "applySoftphoneCallerId");
      const { user } = await openCalls(backend);
      await chooseCallerId(user, "");

      expect(apply, "no SignalWire: nothing to apply").not.toHaveBeenCalled();
      expect(screen.queryByTestId("settings-softphone-caller-id")).not.toBeInTheDocument();
    });

    it("does not touch the softphone when the save leaves the caller ID as it was", async () => {
      const backend = new MemoryBackend({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, ownedNumbers: NUMBERS, sipEndpoints: ["agent"] });
      const apply = vi.spyOn(backend, "applySoftphoneCallerId");
      const { user } = await openCalls(backend);
      await user.click(screen.getByTestId("settings-links-autodial"));
      await user.click(screen.getByTestId("settings-calls-save"));
      expect(await screen.findByTestId("settings-calls-saved")).toBeInTheDocument();

      expect(apply, "the caller ID did not change").not.toHaveBeenCalled();
      expect(screen.queryByTestId("settings-softphone-caller-id")).not.toBeInTheDocument();
    });
  });
});
