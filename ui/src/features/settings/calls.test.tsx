import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MemoryBackend, SIGNALWIRE_CONFIGURED } from "../../backend/memory";
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
});
