import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AudioDevice, Settings } from "../../generated/bindings";
import { renderApp, type Seed } from "../../test/app";
import type { Core } from "../../test/core";
import type { SignalWire } from "../../test/signalwire";

/** This computer's sound devices (hardware: faked per test). */
const DEVICES: AudioDevice[] = [
  { name: "Built-in Microphone", input: true, output: false },
  { name: "USB Headset", input: true, output: true },
  { name: "Built-in Speakers", input: false, output: true },
];

async function openCalls(seed: Seed = {}) {
  const utils = await renderApp({
    ...seed,
    seed: async (core, signalWire) => {
      core.fake("audio_devices", () => DEVICES);
      await seed.seed?.(core, signalWire);
    },
  });
  await utils.user.click(screen.getByTestId("nav-settings"));
  await screen.findByTestId("settings-calls-save");
  return utils;
}

const getSettings = (core: Core) => core.invoke<Settings>("get_settings");
const endpoints = (signalWire: SignalWire) => signalWire.call<[string, string | null][]>("sip_endpoints");
const applied = (core: Core) => core.calls.filter((c) => c.cmd === "apply_softphone_caller_id").length;

/** SIP endpoints made in SignalWire as Settings → "Create SIP line" makes them; the last is this desktop's line. */
const sipLines =
  (...usernames: string[]) =>
  async (core: Core) => {
    for (const username of usernames) await core.invoke("provision_sip_line", { request: { username, sendAs: null } });
  };

describe("Settings → Calls", () => {
  it("sets the talk that makes a conversation, and the core refuses a threshold out of range at its field", async () => {
    const { user, core } = await openCalls();
    const field = screen.getByTestId("settings-conversation-seconds");
    expect(field).toHaveValue(60);
    await user.clear(field);
    await user.type(field, "0");
    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-error-conversationSeconds")).toHaveTextContent("between 1 s and 3600 s");
    expect((await getSettings(core)).conversationSeconds, "nothing stored").toBe(60);
    await user.clear(field);
    await user.type(field, "30");
    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-saved")).toBeInTheDocument();
    expect((await getSettings(core)).conversationSeconds).toBe(30);
  });

  it("saves the bridge route with the agent's phone, caller ID, devices and auto-dial", async () => {
    const { user, core } = await openCalls({ signalWire: true, ownedNumbers: ["+14155550100", "+13125550142"] });

    expect(screen.getByTestId("settings-route-softphone")).toBeChecked();
    await user.click(screen.getByTestId("settings-route-bridge"));
    await user.type(screen.getByTestId("settings-agent-phone"), "(312) 555-0100");
    const callerId = screen.getByTestId("settings-caller-id");
    await waitFor(() => expect(within(callerId).getAllByRole("option").map((o) => o.textContent)).toEqual(["Automatic", "(312) 555-0142", "(415) 555-0100"]));
    await user.selectOptions(callerId, "+13125550142");
    await user.selectOptions(screen.getByTestId("settings-audio-input"), "USB Headset");
    await user.selectOptions(screen.getByTestId("settings-audio-output"), "Built-in Speakers");

    expect(screen.queryByTestId("settings-links-autodial-warning")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("settings-links-autodial"));
    expect(screen.getByTestId("settings-links-autodial-warning")).toHaveTextContent(/any web page/i);

    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-saved")).toBeInTheDocument();
    expect(await getSettings(core)).toMatchObject({
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
    const { user, core } = await openCalls();
    await user.type(screen.getByTestId("settings-agent-phone"), "12");
    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-error-agentPhone")).toHaveTextContent(/Your phone "12"/);
    expect(screen.queryByTestId("settings-calls-saved")).not.toBeInTheDocument();
    expect((await getSettings(core)).agentPhone, "nothing saved").toBe("");
  });

  it("asks for the agent's phone before making the bridge the default", async () => {
    const { user, core } = await openCalls();
    await user.click(screen.getByTestId("settings-route-bridge"));
    await user.click(screen.getByTestId("settings-calls-save"));
    expect(await screen.findByTestId("settings-calls-error-agentPhone")).toHaveTextContent(/enter the phone bridge calls should ring/);
    expect((await getSettings(core)).defaultRoute).toBe("softphone");
  });

  it("offers only “Automatic” as caller ID while SignalWire is not set up, and says why", async () => {
    await openCalls();
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
      const { user, signalWire } = await openCalls({ signalWire: true, ownedNumbers: NUMBERS, seed: sipLines("agent") });
      await chooseCallerId(user, "+13125550142");

      await waitFor(() => expect(screen.getByTestId("settings-softphone-caller-id")).toHaveTextContent("Softphone calls show +13125550142 too."));
      expect(await endpoints(signalWire), "the endpoint of the SIP username now sends as the caller ID").toEqual([["agent", "+13125550142"]]);
      expect(screen.getByTestId("settings-softphone-caller-id")).not.toHaveAttribute("role", "alert");
    });

    it("says softphone calls use SignalWire's automatic caller ID when the caller ID goes back to Automatic", async () => {
      const { user, signalWire } = await openCalls({
        signalWire: true,
        ownedNumbers: NUMBERS,
        seed: async (core) => {
          await core.invoke("provision_sip_line", { request: { username: "agent", sendAs: "+14155550100" } });
          await core.invoke("update_settings", { update: { callerId: "+14155550100" } });
        },
      });
      await chooseCallerId(user, "");

      await waitFor(() => expect(screen.getByTestId("settings-softphone-caller-id")).toHaveTextContent("Softphone calls use SignalWire's automatic caller ID."));
      expect(await endpoints(signalWire), "send_as is SignalWire's automatic choice again").toEqual([["agent", "random"]]);
    });

    it("explains as a neutral hint that the SIP provider sets the caller ID when the SIP line is no SignalWire endpoint; the save still counts", async () => {
      // The project has another endpoint; this desktop's SIP line is at another provider.
      const { user, core, signalWire } = await openCalls({
        signalWire: true,
        ownedNumbers: NUMBERS,
        seed: async (core) => {
          await sipLines("someone-else")(core);
          await core.invoke("update_settings", { update: { sipRegistrar: "sip.other-provider.example", sipUsername: "agent" } });
        },
      });
      await chooseCallerId(user, "+13125550142");

      const hint = await screen.findByTestId("settings-softphone-caller-id");
      await waitFor(() => expect(hint).toHaveTextContent(/SIP provider sets the caller ID/));
      expect(hint, "not shown as an error").not.toHaveAttribute("role", "alert");
      expect(hint).not.toHaveClass("field-error");
      expect(screen.getByTestId("settings-calls-saved"), "the save itself succeeded").toBeInTheDocument();
      expect((await getSettings(core)).callerId).toBe("+13125550142");
      expect(await endpoints(signalWire), "the other endpoint is untouched").toEqual([["someone-else", null]]);
    });

    it("shows SignalWire being unreachable as an error at the caller ID, keeping the save", async () => {
      const { user, core, signalWire } = await openCalls({ signalWire: true, ownedNumbers: NUMBERS, seed: sipLines("agent") });
      const select = screen.getByTestId("settings-caller-id");
      await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(3));
      await signalWire.cut();
      await chooseCallerId(user, "+13125550142");

      // The core retries a connection that fails before it gives up.
      const error = await screen.findByRole("alert", {}, { timeout: 15_000 });
      expect(error).toHaveAttribute("data-testid", "settings-softphone-caller-id");
      expect(error).toHaveTextContent(/^Could not set the softphone's caller ID: could not reach SignalWire/);
      expect(screen.getByTestId("settings-calls-saved")).toBeInTheDocument();
      expect((await getSettings(core)).callerId).toBe("+13125550142");
    });

    it("does not touch the softphone without SignalWire set up", async () => {
      const { user, core } = await openCalls({ settings: { sipRegistrar: "sip.example.com", sipUsername: "agent", callerId: "+14155550100" } });
      await chooseCallerId(user, "");

      expect(applied(core), "no SignalWire: nothing to apply").toBe(0);
      expect(screen.queryByTestId("settings-softphone-caller-id")).not.toBeInTheDocument();
    });

    it("does not touch the softphone when the save leaves the caller ID as it was", async () => {
      const { user, core } = await openCalls({ signalWire: true, ownedNumbers: NUMBERS, seed: sipLines("agent") });
      await user.click(screen.getByTestId("settings-links-autodial"));
      await user.click(screen.getByTestId("settings-calls-save"));
      expect(await screen.findByTestId("settings-calls-saved")).toBeInTheDocument();

      expect(applied(core), "the caller ID did not change").toBe(0);
      expect(screen.queryByTestId("settings-softphone-caller-id")).not.toBeInTheDocument();
    });
  });
});
