import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MemoryBackend, SIP_CONFIGURED, type MemoryBackendOptions } from "../../backend/memory";
import { SAMPLE_LEADS, renderApp } from "../../test/render";

function backendWith(options: MemoryBackendOptions = {}) {
  return new MemoryBackend({ leads: SAMPLE_LEADS, callStepMs: null, ...options, settings: { ...SIP_CONFIGURED, ...options.settings } });
}

describe("Links (tel:, ringdesk://dial)", () => {
  it("an opened link shows the dialer with the number and its lead, and does not dial until Enter", async () => {
    const backend = backendWith();
    const { user } = await renderApp(backend);
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");

    await act(async () => void (await backend.clickLink("tel:+1-415-555-0100")));
    expect(screen.getByTestId("nav-dialer")).toHaveAttribute("aria-current", "page");
    expect(await screen.findByTestId("dialer-link-banner")).toHaveTextContent("Opened from a link — press Dial (Enter) to call");
    expect(screen.getByTestId("dialer-input")).toHaveValue("+14155550100");
    expect(await screen.findByTestId("dialer-lead")).toHaveTextContent("Bob Brown");
    // Nothing was dialled.
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.placeRequests).toEqual([]);
    expect(backend.dialRequests).toEqual([]);
    expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument();

    // Enter (the number field has the focus) dials it, for Bob.
    await waitFor(() => expect(screen.getByTestId("dial-button")).toBeEnabled());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(backend.placeRequests).toHaveLength(1));
    expect(backend.placeRequests[0]).toMatchObject({ to: "+14155550100", leadId: backend.allLeads().find((l) => l.name === "Bob Brown")!.id });
    expect(await screen.findByTestId("call-lead-name")).toHaveTextContent("Bob Brown");
  });

  it("a link that started the app is taken at startup; its name shows when no lead has the number", async () => {
    const backend = backendWith();
    await backend.clickLink("ringdesk://dial?to=%2B12125550188&name=Walk%20In%20Customer");
    await renderApp(backend);
    expect(await screen.findByTestId("dialer-link-banner")).toHaveTextContent("Walk In Customer");
    expect(screen.getByTestId("dialer-input")).toHaveValue("+12125550188");
    expect(screen.queryByTestId("dialer-lead")).not.toBeInTheDocument();
    expect(await backend.takePendingLinks()).toEqual([]);
    expect(backend.placeRequests).toEqual([]);
  });

  it("the link's lead (named by id) is selected when it owns the number; editing the number drops the banner", async () => {
    const backend = backendWith();
    const carla = backend.allLeads().find((l) => l.name === "Carla Cruz")!;
    const { user } = await renderApp(backend);
    await act(async () => void (await backend.clickLink(`ringdesk://dial?to=${encodeURIComponent(carla.phoneE164!)}&leadId=${carla.id}`)));
    expect(await screen.findByTestId("dialer-lead")).toHaveTextContent("Carla Cruz");
    await user.type(screen.getByTestId("dialer-input"), "1");
    await waitFor(() => expect(screen.queryByTestId("dialer-link-banner")).not.toBeInTheDocument());
  });

  it("with “Links dial immediately” on, an opened link places the call at once", async () => {
    const backend = backendWith({ settings: { linksAutoDial: true } });
    await renderApp(backend);
    await act(async () => void (await backend.clickLink("tel:212-555-0199")));
    await waitFor(() => expect(backend.placeRequests).toHaveLength(1));
    expect(backend.placeRequests[0]).toMatchObject({ to: "+12125550199", leadId: backend.allLeads().find((l) => l.name === "Erin Evans")!.id, overrideDnc: false });
    expect(await screen.findByTestId("call-lead-name")).toHaveTextContent("Erin Evans");
    expect(screen.getByTestId("dialer-link-banner")).toHaveTextContent("calling");
  });

  it("an invalid link shows why and changes nothing else", async () => {
    const backend = backendWith();
    const { user } = await renderApp(backend);
    await user.click(screen.getByTestId("nav-dialer"));
    await user.type(screen.getByTestId("dialer-input"), "3125550147");
    await user.click(screen.getByTestId("nav-leads"));

    await act(async () => void (await backend.clickLink("ringdesk://settings?x=1")));
    const error = await screen.findByTestId("link-error");
    expect(error).toHaveTextContent("ringdesk://settings?x=1");
    expect(error).toHaveTextContent(/can only dial/);
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");
    await user.click(screen.getByTestId("nav-dialer"));
    expect(screen.getByTestId("dialer-input")).toHaveValue("3125550147");
    expect(screen.queryByTestId("dialer-link-banner")).not.toBeInTheDocument();
    expect(backend.placeRequests).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("link-error")).not.toBeInTheDocument();
  });
});

describe("Follow-up reminders", () => {
  it("a reminder event sets the Follow-ups badge to its overdue count", async () => {
    const backend = backendWith();
    await renderApp(backend);
    await waitFor(() => expect(screen.queryByTestId("followups-overdue-count")).not.toBeInTheDocument());
    act(() => backend.emitReminder({ overdue: 4, newlyDue: ["fu-1"] }));
    expect(await screen.findByTestId("followups-overdue-count")).toHaveTextContent("4");
    act(() => backend.emitReminder({ overdue: 0, newlyDue: [] }));
    await waitFor(() => expect(screen.queryByTestId("followups-overdue-count")).not.toBeInTheDocument());
  });
});
