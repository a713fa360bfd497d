import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { OwnedNumberInfo } from "../../generated/bindings";
import { renderApp, type Seed } from "../../test/app";
import type { Core } from "../../test/core";
import { PROJECT, TOKEN } from "../../test/signalwire";

/** Settings with SignalWire set up against the emulator. */
async function openNumbers(seed: Seed = {}) {
  const app = await renderApp({ signalWire: true, ...seed });
  await app.user.click(screen.getByTestId("nav-settings"));
  const section = await screen.findByTestId("settings-numbers");
  return { ...app, section };
}

/** The project's numbers, as the core lists them from SignalWire. */
const listNumbers = (core: Core) => core.invoke<OwnedNumberInfo[]>("list_numbers");

async function searchArea(user: Awaited<ReturnType<typeof renderApp>>["user"], area: string) {
  await user.type(screen.getByTestId("numbers-area"), area);
  await user.click(screen.getByTestId("numbers-search"));
  return screen.findAllByTestId("number-offer");
}

describe("Settings → Phone numbers", () => {
  it("buying a number asks first; Cancel buys nothing, confirming buys it and lists it", async () => {
    const { user, core } = await openNumbers();
    expect(await screen.findByTestId("owned-empty")).toBeInTheDocument();
    const offers = await searchArea(user, "415");
    expect(offers).toHaveLength(10);
    expect(offers[3]).toHaveTextContent("(415) 555-0103");
    expect(offers[3], "the place SignalWire gives").toHaveTextContent("Springfield, IL");

    await user.click(screen.getByRole("button", { name: "Buy (415) 555-0103" }));
    const dialog = screen.getByTestId("buy-confirm");
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(within(dialog).getByRole("heading")).toHaveTextContent("Buy +1 (415) 555-0103?");
    expect(dialog).toHaveTextContent("SignalWire bills it monthly");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("buy-confirm")).not.toBeInTheDocument();
    expect(await listNumbers(core), "Cancel bought nothing").toEqual([]);

    await user.click(screen.getByRole("button", { name: "Buy (415) 555-0103" }));
    await user.click(within(screen.getByTestId("buy-confirm")).getByRole("button", { name: "Buy number" }));
    const owned = await screen.findByTestId("owned-number");
    expect(owned).toHaveTextContent("(415) 555-0103");
    expect(screen.queryByRole("button", { name: "Buy (415) 555-0103" })).not.toBeInTheDocument();
    expect(screen.getByTestId("numbers-announcement")).toHaveTextContent("Bought +1 (415) 555-0103.");
    expect((await listNumbers(core)).map((n) => n.phoneNumber), "SignalWire has it").toEqual(["+14155550103"]);
  });

  it("Escape closes the buy confirmation without buying", async () => {
    const { user, core } = await openNumbers();
    await searchArea(user, "212");
    await user.click(screen.getByRole("button", { name: "Buy (212) 555-0100" }));
    expect(screen.getByTestId("buy-confirm")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("buy-confirm")).not.toBeInTheDocument();
    expect(await listNumbers(core)).toEqual([]);
  });

  it("a number that is no longer for sale shows SignalWire's refusal next to its Buy button", async () => {
    const { user, signalWire } = await openNumbers();
    await searchArea(user, "512");
    // Taken in the meantime: SignalWire refuses the purchase.
    await signalWire.call("fail_next", { n: 1, status: 400, code: 21422 });
    await user.click(screen.getByRole("button", { name: "Buy (512) 555-0104" }));
    await user.click(within(screen.getByTestId("buy-confirm")).getByRole("button", { name: "Buy number" }));
    const row = screen.getAllByTestId("number-offer").find((r) => r.textContent?.includes("(512) 555-0104"))!;
    expect(await within(row).findByRole("alert"), "SignalWire's refusal, with its code").toHaveTextContent("21422");
  });

  it("shows the reason for an invalid search", async () => {
    const { user } = await openNumbers();
    await user.type(screen.getByTestId("numbers-city"), "Austin");
    await user.click(screen.getByTestId("numbers-search"));
    expect(await screen.findByTestId("numbers-search-error")).toHaveTextContent("A city search needs the state or region too.");
  });

  it("renames an owned number and releases it only after confirming", async () => {
    const { user, core } = await openNumbers({ ownedNumbers: ["+14155550100"] });
    const row = await screen.findByTestId("owned-number");
    const name = within(row).getByTestId("owned-number-name");
    expect(name).toHaveValue("+14155550100");
    await user.clear(name);
    await user.type(name, "Sales line");
    await user.click(within(row).getByRole("button", { name: "Save name" }));
    expect(await within(row).findByText("Saved")).toBeInTheDocument();
    expect((await listNumbers(core))[0].friendlyName, "renamed at SignalWire").toBe("Sales line");

    await user.click(within(row).getByRole("button", { name: "Release (415) 555-0100" }));
    const dialog = screen.getByTestId("release-confirm");
    expect(dialog).toHaveTextContent("Release +1 (415) 555-0100?");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(await listNumbers(core), "Cancel released nothing").toHaveLength(1);

    await user.click(within(row).getByRole("button", { name: "Release (415) 555-0100" }));
    await user.click(within(screen.getByTestId("release-confirm")).getByRole("button", { name: "Release number" }));
    await waitFor(() => expect(screen.queryByTestId("owned-number")).not.toBeInTheDocument());
    expect(await listNumbers(core), "released").toEqual([]);
  });

  it("Route to Ringdesk sends texts here, and calls too once there is a SIP account", async () => {
    const { user } = await openNumbers({ ownedNumbers: ["+14155550100"] });
    const row = await screen.findByTestId("owned-number");
    await user.click(within(row).getByTestId("owned-number-route"));
    expect(await within(row).findByTestId("owned-number-routing")).toHaveTextContent(
      "Texts arrive live; calls unchanged (set up a SignalWire SIP account first).",
    );
  });

  it("with a SIP account, Route to Ringdesk also rings this desktop", async () => {
    // The SIP account is one of the project's SIP endpoints (made as Settings → "Create SIP line" does).
    const { user } = await openNumbers({
      ownedNumbers: ["+14155550100"],
      seed: (core) => core.invoke("provision_sip_line", { request: { username: "desk-1", sendAs: null } }),
    });
    const row = await screen.findByTestId("owned-number");
    await user.click(within(row).getByTestId("owned-number-route"));
    expect(await within(row).findByTestId("owned-number-routing")).toHaveTextContent("Texts arrive live; calls ring this desktop.");
  });

  it("without SignalWire set up, explains what to enter instead of offering numbers", async () => {
    await openNumbers({ signalWire: "unconfigured" });
    expect(await screen.findByTestId("numbers-not-configured")).toHaveTextContent("Set up SignalWire above");
    expect(screen.queryByTestId("numbers-search")).not.toBeInTheDocument();
  });

  it("lists the numbers as soon as SignalWire is saved above", async () => {
    const { user } = await openNumbers({ signalWire: "unconfigured", ownedNumbers: ["+14155550100"] });
    await screen.findByTestId("numbers-not-configured");
    await user.type(screen.getByTestId("settings-sw-space"), "acme");
    await user.type(screen.getByTestId("settings-sw-project"), PROJECT);
    await user.type(screen.getByTestId("settings-sw-token"), TOKEN);
    await user.click(screen.getByTestId("settings-sw-save"));
    expect(await screen.findByTestId("owned-number")).toHaveTextContent("(415) 555-0100");
    expect(screen.queryByTestId("numbers-not-configured")).not.toBeInTheDocument();
  });
});
