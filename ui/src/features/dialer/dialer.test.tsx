import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SAMPLE_LEADS, renderApp, type Seed } from "../../test/app";

async function openDialer(seed: Seed = {}) {
  const app = await renderApp({ leads: SAMPLE_LEADS, ...seed });
  await app.user.click(screen.getByTestId("nav-dialer"));
  await screen.findByTestId("dialer-input"); // the page loads on first visit
  return app;
}

describe("Dialer", () => {
  it("normalises a pasted number, shows the matching lead, and keeps Dial disabled with its reason", async () => {
    const { user } = await openDialer();
    const input = screen.getByTestId("dialer-input");
    await user.click(input);
    await user.paste("(212) 555-0123");

    const normalized = await screen.findByTestId("dialer-normalized");
    expect(normalized).toHaveTextContent("(212) 555-0123");
    expect(normalized).toHaveTextContent("+12125550123");
    const lead = await screen.findByTestId("dialer-lead");
    expect(lead).toHaveTextContent("Alice Anders");
    expect(lead).toHaveTextContent("Acme Corp");
    expect(lead).toHaveTextContent("new");

    expect(screen.getByTestId("dial-button")).toBeDisabled();
    const reason = screen.getByTestId("dial-disabled-reason");
    expect(reason).toBeVisible();
    expect(reason, "the core's reason, shown as it says it").toHaveTextContent("Set up your SIP line in Settings to call from Ringdesk.");
  });

  it("says when no lead has the typed number, and the lead's place is kept either way", async () => {
    const { user } = await openDialer();
    const input = screen.getByTestId("dialer-input");
    await user.click(input);
    await user.paste("(212) 555-0987");
    expect(await screen.findByTestId("dialer-no-lead"), "an unknown number is named as such").toHaveTextContent(
      "No lead has this number",
    );
    expect(screen.queryByTestId("dialer-lead"), "no card for an unknown number").not.toBeInTheDocument();

    await user.clear(input);
    await user.paste("(212) 555-0123");
    const lead = await screen.findByTestId("dialer-lead");
    expect(lead, "the known number's lead").toHaveTextContent("Alice Anders");
    expect(screen.queryByTestId("dialer-no-lead"), "no 'unknown' line beside a lead").not.toBeInTheDocument();
    // The card and the line share one slot above the keypad (its height is kept by CSS), so the
    // keypad and the options below do not move when a lookup answers.
    expect(lead.parentElement, "the card is in the kept slot").toHaveClass("dialer-lead-slot");
  });

  it("shows the specific error for a number that cannot be dialled", async () => {
    const { user } = await openDialer();
    await user.type(screen.getByTestId("dialer-input"), "555-12");
    expect(await screen.findByTestId("dialer-error")).toHaveTextContent("+155512 is not a valid number in any numbering plan");
    expect(screen.queryByTestId("dialer-normalized")).not.toBeInTheDocument();
    expect(screen.queryByTestId("dialer-lead")).not.toBeInTheDocument();
  });

  it("the keypad and keys typed anywhere on the page build the number; Backspace deletes", async () => {
    const { user } = await openDialer();
    const input = screen.getByTestId("dialer-input");
    await user.click(screen.getByTestId("keypad-4"));
    await user.click(screen.getByTestId("keypad-1"));
    await user.click(screen.getByTestId("keypad-5"));
    expect(input).toHaveValue("415");

    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("5550100");
    expect(input).toHaveValue("4155550100");
    const normalized = await screen.findByTestId("dialer-normalized");
    expect(normalized).toHaveTextContent("(415) 555-0100");
    expect(await screen.findByTestId("dialer-lead")).toHaveTextContent("Bob Brown");

    await user.keyboard("{Backspace}{Backspace}");
    expect(input).toHaveValue("41555501");
    await user.click(screen.getByTestId("keypad-star"));
    await user.click(screen.getByTestId("keypad-hash"));
    expect(input).toHaveValue("41555501*#");
    await user.click(screen.getByTestId("keypad-backspace"));
    expect(input).toHaveValue("41555501*");
  });

  it("a paste anywhere on the page replaces the number", async () => {
    await openDialer();
    const paste = new Event("paste", { bubbles: true, cancelable: true }) as Event & { clipboardData: unknown };
    paste.clipboardData = { getData: () => " +44 20 7946 0958 " };
    fireEvent(document.body, paste);
    await waitFor(() => expect(screen.getByTestId("dialer-input")).toHaveValue("+44 20 7946 0958"));
    expect(await screen.findByTestId("dialer-lead")).toHaveTextContent("Carla Cruz");
  });

  it("Dial is enabled once a phone line exists (no disabled reason)", async () => {
    const { user } = await openDialer({ sipLine: true });
    await user.type(screen.getByTestId("dialer-input"), "2125550199");
    await screen.findByTestId("dialer-normalized");
    expect(screen.getByTestId("dial-button")).toBeEnabled();
    expect(screen.queryByTestId("dial-disabled-reason")).not.toBeInTheDocument();
  });
});
