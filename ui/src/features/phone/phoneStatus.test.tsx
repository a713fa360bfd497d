import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { DEFAULT_DIAL_DISABLED_REASON, MemoryBackend, SIP_CONFIGURED } from "../../backend/memory";
import { SAMPLE_LEADS, renderApp } from "../../test/render";

const status = () => screen.getByTestId("phone-status");

describe("Phone status in the sidebar", () => {
  it("without a SIP line shows “No phone line” with the reason, and a click opens Settings at the SIP account", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    expect(status()).toHaveAttribute("data-state", "none");
    expect(status()).toHaveTextContent("No phone line");
    expect(status()).toHaveAttribute("title", DEFAULT_DIAL_DISABLED_REASON);

    await user.click(status());
    expect(screen.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(screen.getByTestId("settings-sip-registrar")).toHaveFocus());
    expect(screen.getByRole("region", { name: "SIP account" })).toContainElement(screen.getByTestId("settings-sip-registrar"));
  });

  it("shows “Phone ready” when the line registered before the window listened (after a restart)", async () => {
    const backend = new MemoryBackend({ leads: SAMPLE_LEADS, settings: SIP_CONFIGURED });
    await backend.startPhone(); // registers while nobody listens
    await renderApp(backend);
    await waitFor(() => expect(status()).toHaveAttribute("data-state", "ready"));
    expect(status()).toHaveTextContent("Phone ready");
  });

  it("shows nothing until the line reports, “Phone ready” once registered and “Phone offline” with the detail when not", async () => {
    const backend = new MemoryBackend({ leads: SAMPLE_LEADS, settings: SIP_CONFIGURED });
    const { user } = await renderApp(backend);
    expect(screen.queryByTestId("phone-status")).not.toBeInTheDocument();

    act(() => backend.emitCall({ kind: "registration", registered: true, detail: "Registered as agent7@sip.example.com" }));
    await waitFor(() => expect(status()).toHaveAttribute("data-state", "ready"));
    expect(status()).toHaveTextContent("Phone ready");
    expect(status()).toHaveAttribute("title", "Registered as agent7@sip.example.com");
    // Ready: nothing to fix, so it is not a button and a click stays on the page.
    expect(status().tagName).not.toBe("BUTTON");
    await user.click(status());
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");

    act(() => backend.emitCall({ kind: "registration", registered: false, detail: "Registration failed: 403 Forbidden" }));
    await waitFor(() => expect(status()).toHaveAttribute("data-state", "offline"));
    expect(status()).toHaveTextContent("Phone offline");
    expect(status()).toHaveAttribute("title", "Registration failed: 403 Forbidden");
    await user.click(status());
    expect(screen.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(screen.getByTestId("settings-sip-registrar")).toHaveFocus());
  });

  it("turns from “No phone line” to “Phone ready” once a SIP line is saved in Settings", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
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
