import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CallNotice } from "../../generated/bindings";
import { SAMPLE_LEADS, renderApp } from "../../test/app";
import { Core } from "../../test/core";

/** A SIP line in Settings; the registrar (the remote party) is faked per test. */
const SIP_LINE = { sipRegistrar: "sip.example.com", sipUsername: "agent7" };
const registered: CallNotice = { kind: "registration", registered: true, detail: "Registered as agent7@sip.example.com" };

const status = () => screen.getByTestId("phone-status");

describe("Phone status in the sidebar", () => {
  it("without a SIP line shows “No phone line” with the reason, and a click opens Settings at the SIP account", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    expect(status()).toHaveAttribute("data-state", "none");
    expect(status()).toHaveTextContent("No phone line");
    expect(status(), "the core's reason").toHaveAttribute("title", "Set up your SIP line in Settings to call from Ringdesk.");

    await user.click(status());
    expect(screen.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(screen.getByTestId("settings-sip-registrar")).toHaveFocus());
    expect(screen.getByRole("region", { name: "SIP account" })).toContainElement(screen.getByTestId("settings-sip-registrar"));
  });

  it("shows “Phone ready” when the line registered before the window listened (after a restart)", async () => {
    // The line registered while nobody listened: the core remembers the notice.
    const core = Core.start();
    core.fake("phone_registration", () => registered);
    await renderApp({ core, leads: SAMPLE_LEADS, settings: SIP_LINE });
    await waitFor(() => expect(status()).toHaveAttribute("data-state", "ready"));
    expect(status()).toHaveTextContent("Phone ready");
  });

  it("shows nothing until the line reports, “Phone ready” once registered and “Phone offline” with the detail when not", async () => {
    // The phone runs (as the desktop starts it when a line is set up); its registrar is faked.
    const { user, core } = await renderApp({ leads: SAMPLE_LEADS, sipLine: true });
    expect(screen.queryByTestId("phone-status")).not.toBeInTheDocument();

    await act(() => core.emit("call-event", registered));
    await waitFor(() => expect(status()).toHaveAttribute("data-state", "ready"));
    expect(status()).toHaveTextContent("Phone ready");
    expect(status()).toHaveAttribute("title", "Registered as agent7@sip.example.com");
    // Ready: nothing to fix, so it is not a button and a click stays on the page.
    expect(status().tagName).not.toBe("BUTTON");
    await user.click(status());
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");

    await act(() => core.emit("call-event", { kind: "registration", registered: false, detail: "Registration failed: 403 Forbidden" }));
    await waitFor(() => expect(status()).toHaveAttribute("data-state", "offline"));
    expect(status()).toHaveTextContent("Phone offline");
    expect(status()).toHaveAttribute("title", "Registration failed: 403 Forbidden");
    await user.click(status());
    expect(screen.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(screen.getByTestId("settings-sip-registrar")).toHaveFocus());
  });

  it("turns from “No phone line” to “Phone ready” once a SIP line is saved in Settings", async () => {
    const { user, core } = await renderApp({ leads: SAMPLE_LEADS });
    // The registrar answers the REGISTER that starting the phone sends.
    core.fake("start_phone", async (_args, c) => {
      await c.emit("call-event", registered);
      return null;
    });
    await user.click(status());
    const registrar = await screen.findByTestId("settings-sip-registrar");
    await waitFor(() => expect(registrar).toHaveFocus());
    await user.type(registrar, "sip.example.com");
    await user.type(screen.getByTestId("settings-sip-username"), "agent7");
    await user.click(screen.getByTestId("settings-sip-save"));

    await waitFor(() => expect(status()).toHaveAttribute("data-state", "ready"));
    expect(status()).toHaveTextContent("Phone ready");
    expect(status()).toHaveAttribute("title", "Registered as agent7@sip.example.com");
  });
});
