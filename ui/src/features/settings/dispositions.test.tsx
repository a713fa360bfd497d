import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { DispositionOption } from "../../generated/bindings";
import { SAMPLE_LEADS, allLeads, renderApp } from "../../test/app";
import type { Core } from "../../test/core";

/** The disposition set in force in the core. */
const dispositionOptions = (core: Core) => core.invoke<DispositionOption[]>("disposition_options");

async function openDispositions() {
  const app = await renderApp({ leads: SAMPLE_LEADS });
  await app.user.click(screen.getByTestId("nav-settings"));
  const section = await screen.findByTestId("settings-dispositions");
  await waitFor(() => expect(within(section).getAllByTestId("disposition-row")).toHaveLength(10));
  return { ...app, section };
}

const labels = () => screen.getAllByTestId("disposition-label").map((i) => (i as HTMLInputElement).value);

describe("Settings → Dispositions", () => {
  it("edits the set (rename, add with a key from its label, move, remove) and saves it", async () => {
    const { user, core, section } = await openDispositions();
    const defaults = await dispositionOptions(core);
    expect(labels(), "a fresh database has the core's defaults").toEqual(defaults.map((o) => o.label));
    expect(screen.getAllByTestId("disposition-status")[0]).toHaveValue("contacted");

    const answered = screen.getAllByTestId("disposition-label")[0];
    await user.clear(answered);
    await user.type(answered, "Reached");

    await user.click(within(section).getByTestId("disposition-add"));
    const added = screen.getAllByTestId("disposition-label")[10];
    expect(added).toHaveFocus();
    await user.type(added, "Demo booked");
    expect(screen.getAllByTestId("disposition-key")[10]).toHaveValue("demo_booked");
    await user.type(screen.getAllByTestId("disposition-status")[10], "demo");
    await user.click(within(section).getByRole("button", { name: "Move Demo booked up" }));
    await user.click(within(section).getByRole("button", { name: "Remove Busy" }));

    await user.click(screen.getByTestId("settings-dispositions-save"));
    expect(await screen.findByTestId("settings-dispositions-saved")).toBeInTheDocument();
    const saved = await dispositionOptions(core);
    expect(saved.map((o) => o.key)).toEqual([
      "answered",
      "voicemail",
      "no_answer",
      "wrong_number",
      "do_not_call",
      "interested",
      "not_interested",
      "callback_requested",
      "demo_booked",
      "left_voicemail",
    ]);
    expect(saved[0]).toEqual({ key: "answered", label: "Reached", leadStatus: "contacted" });
    expect(saved[8]).toEqual({ key: "demo_booked", label: "Demo booked", leadStatus: "demo" });
    expect(saved.find((o) => o.key === "no_answer")?.leadStatus).toBeNull();
  });

  it("shows the backend's validation error and keeps what was typed", async () => {
    const { user, core } = await openDispositions();
    const defaults = await dispositionOptions(core);
    const key = screen.getAllByTestId("disposition-key")[1];
    await user.clear(key);
    await user.type(key, "answered");
    await user.click(screen.getByTestId("settings-dispositions-save"));
    expect(await screen.findByTestId("settings-dispositions-error")).toHaveTextContent('Disposition key "answered" appears twice.');
    expect(key).toHaveValue("answered");

    await user.clear(key);
    await user.type(key, "Voice Mail");
    await user.click(screen.getByTestId("settings-dispositions-save"));
    await waitFor(() =>
      expect(screen.getByTestId("settings-dispositions-error")).toHaveTextContent(
        'Disposition key "Voice Mail" must be lowercase letters, digits or _ (at most 40).',
      ),
    );
    expect(await dispositionOptions(core), "nothing was saved").toEqual(defaults);
  });

  it("Reset to defaults asks first, then restores the ten defaults", async () => {
    const { user, core } = await renderApp({
      leads: SAMPLE_LEADS,
      dispositionOptions: [
        { key: "demo_booked", label: "Demo booked", leadStatus: "demo" },
        { key: "gatekeeper", label: "Gatekeeper", leadStatus: null },
      ],
    });
    await user.click(screen.getByTestId("nav-settings"));
    await waitFor(() => expect(screen.getAllByTestId("disposition-row")).toHaveLength(2));
    expect(labels()).toEqual(["Demo booked", "Gatekeeper"]);

    await user.click(screen.getByTestId("settings-dispositions-reset"));
    const confirm = screen.getByTestId("dispositions-reset-confirm");
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(confirm).getByRole("button", { name: "Reset" }));
    await waitFor(() => expect(screen.getAllByTestId("disposition-row")).toHaveLength(10));
    const defaults = await dispositionOptions(core);
    expect(defaults, "the ten defaults are back in the core").toHaveLength(10);
    expect(labels()).toEqual(defaults.map((o) => o.label));
    expect(screen.queryByTestId("dispositions-reset-confirm")).not.toBeInTheDocument();
  });

  it("the wrap-up dialog offers the set as saved, in its order, with its number keys", async () => {
    const { user, core } = await renderApp({
      leads: SAMPLE_LEADS,
      dispositionOptions: [
        { key: "demo_booked", label: "Demo booked", leadStatus: "demo" },
        { key: "gatekeeper", label: "Gatekeeper", leadStatus: null },
      ],
      calls: [{ contact: "415-555-0100", startedAt: new Date(Date.now() - 60_000).toISOString(), durationSeconds: 30 }],
    });
    await screen.findByTestId("wrapup-call-name");
    expect(screen.getAllByRole("radio").map((r) => r.textContent)).toEqual(["1Demo booked", "2Gatekeeper"]);
    await user.keyboard("1{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.queryByTestId("wrapup-dialog")).not.toBeInTheDocument());
    expect((await allLeads(core)).find((l) => l.name === "Bob Brown")?.status, "the set's status mapping applied").toBe("demo");
  });
});
