import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LinkNotice } from "../../generated/bindings";
import { SAMPLE_LEADS, allLeads, renderApp, type Seed } from "../../test/app";
import { placeRequests } from "../../test/calls";
import { Core } from "../../test/core";

/** SAMPLE_LEADS and a running phone line (the INVITEs go out; nobody answers). */
function seedWith(seed: Seed = {}): Seed {
  return { leads: SAMPLE_LEADS, sipLine: true, ...seed };
}

/** The operating system hands the core a link (clicked anywhere on the desktop). */
const clickLink = (core: Core, link: string) => core.invoke("serve.open_link", { link });

describe("Links (tel:, ringdesk://dial)", () => {
  it("an opened link shows the dialer with the number and its lead, and does not dial until Enter", async () => {
    const { user, core } = await renderApp(seedWith());
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");

    await act(() => clickLink(core, "tel:+1-415-555-0100"));
    expect(screen.getByTestId("nav-dialer")).toHaveAttribute("aria-current", "page");
    expect(await screen.findByTestId("dialer-link-banner")).toHaveTextContent("Opened from a link — press Dial (Enter) to call");
    expect(screen.getByTestId("dialer-input")).toHaveValue("+14155550100");
    expect(await screen.findByTestId("dialer-lead")).toHaveTextContent("Bob Brown");
    // Nothing was dialled.
    await new Promise((r) => setTimeout(r, 50));
    expect(placeRequests(core), "nothing dialled").toEqual([]);
    expect(screen.queryByTestId("call-panel")).not.toBeInTheDocument();

    // Enter (the number field has the focus) dials it, for Bob.
    await waitFor(() => expect(screen.getByTestId("dial-button")).toBeEnabled());
    await user.keyboard("{Enter}");
    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    const bob = (await allLeads(core)).find((l) => l.name === "Bob Brown")!;
    expect(placeRequests(core)[0]).toMatchObject({ to: "+14155550100", leadId: bob.id });
    expect(await screen.findByTestId("call-lead-name")).toHaveTextContent("Bob Brown");
  });

  it("a link that started the app is taken at startup; its name shows when no lead has the number", async () => {
    const core = Core.start();
    await clickLink(core, "ringdesk://dial?to=%2B12125550188&name=Walk%20In%20Customer");
    await renderApp({ core, ...seedWith() });
    expect(await screen.findByTestId("dialer-link-banner")).toHaveTextContent("Walk In Customer");
    expect(screen.getByTestId("dialer-input")).toHaveValue("+12125550188");
    expect(screen.queryByTestId("dialer-lead")).not.toBeInTheDocument();
    expect(await core.invoke<LinkNotice[]>("take_pending_links"), "taken once").toEqual([]);
    expect(placeRequests(core)).toEqual([]);
  });

  it("the link's lead (named by id) is selected when it owns the number; editing the number drops the banner", async () => {
    const { user, core } = await renderApp(seedWith());
    const carla = (await allLeads(core)).find((l) => l.name === "Carla Cruz")!;
    await act(() => clickLink(core, `ringdesk://dial?to=${encodeURIComponent(carla.phoneE164!)}&leadId=${carla.id}`));
    expect(await screen.findByTestId("dialer-lead")).toHaveTextContent("Carla Cruz");
    await user.type(screen.getByTestId("dialer-input"), "1");
    await waitFor(() => expect(screen.queryByTestId("dialer-link-banner")).not.toBeInTheDocument());
  });

  it("with “Links dial immediately” on, an opened link counts down and places the call (Dial now skips the wait)", async () => {
    const { user, core } = await renderApp(seedWith({ settings: { linksAutoDial: true } }));
    // RFC 3966: a tel: link without + needs a phone-context, so the web page writes it global.
    await act(() => clickLink(core, "tel:+1-212-555-0199"));
    expect(await screen.findByTestId("dialer-link-countdown"), "the core's countdown").toHaveTextContent(/4/);
    expect(placeRequests(core), "not before the countdown ends").toEqual([]);
    await user.click(screen.getByTestId("dialer-link-dial-now"));
    await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
    const erin = (await allLeads(core)).find((l) => l.name === "Erin Evans")!;
    expect(placeRequests(core)[0]).toMatchObject({ to: "+12125550199", leadId: erin.id, overrideDnc: false });
    expect(await screen.findByTestId("call-lead-name")).toHaveTextContent("Erin Evans");
    expect(screen.getByTestId("dialer-link-banner")).toHaveTextContent("calling");
  });

  it("an invalid link shows why and changes nothing else", async () => {
    const { user, core } = await renderApp(seedWith());
    await user.click(screen.getByTestId("nav-dialer"));
    await user.type(screen.getByTestId("dialer-input"), "3125550147");
    await user.click(screen.getByTestId("nav-leads"));

    await act(() => clickLink(core, "ringdesk://settings?x=1"));
    const error = await screen.findByTestId("link-error");
    expect(error).toHaveTextContent("ringdesk://settings?x=1");
    expect(error).toHaveTextContent(/can only dial/);
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");
    await user.click(screen.getByTestId("nav-dialer"));
    expect(screen.getByTestId("dialer-input")).toHaveValue("3125550147");
    expect(screen.queryByTestId("dialer-link-banner")).not.toBeInTheDocument();
    expect(placeRequests(core)).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("link-error")).not.toBeInTheDocument();
  });
});

describe("Follow-up reminders", () => {
  it("a reminder event sets the Follow-ups badge to its overdue count", async () => {
    const { core } = await renderApp(seedWith());
    await waitFor(() => expect(screen.queryByTestId("followups-overdue-count")).not.toBeInTheDocument());
    await act(() => core.emit("reminder-event", { overdue: 4, newlyDue: ["fu-1"] }));
    expect(await screen.findByTestId("followups-overdue-count")).toHaveTextContent("4");
    await act(() => core.emit("reminder-event", { overdue: 0, newlyDue: [] }));
    await waitFor(() => expect(screen.queryByTestId("followups-overdue-count")).not.toBeInTheDocument());
  });
});
