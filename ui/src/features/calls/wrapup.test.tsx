import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CallHistoryItem } from "../../generated/bindings";
import { SAMPLE_LEADS, allLeads, followUps, renderApp, type Seed } from "../../test/app";
import type { Core } from "../../test/core";

const MINUTE = 60_000;
const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE).toISOString();

/** SAMPLE_LEADS; Bob Brown's call ended 10 minutes ago, Alice Anders' 30 minutes ago: both wait for their wrap-up. */
function wrapUpSeed(seed: Seed = {}): Seed {
  return {
    leads: SAMPLE_LEADS,
    calls: [
      { contact: "415-555-0100", startedAt: ago(10), durationSeconds: 245 },
      { contact: "(212) 555-0123", direction: "inbound", startedAt: ago(30), durationSeconds: 62 },
    ],
    ...seed,
  };
}

const awaiting = (core: Core) => core.invoke<CallHistoryItem[]>("calls_awaiting_disposition");

const dialog = () => screen.getByTestId("wrapup-dialog");
const choice = (key: string) => screen.getByTestId(`wrapup-choice-${key}`);

describe("Wrap up call", () => {
  it("opens at start for the newest call waiting, saves with the keyboard only (number key, a note, Ctrl+Enter), then shows the next waiting call", async () => {
    const { user, core } = await renderApp(wrapUpSeed());
    await screen.findByTestId("wrapup-call-name");
    expect(screen.getByTestId("wrapup-call-name")).toHaveTextContent("Bob Brown");
    expect(screen.getByTestId("wrapup-call")).toHaveTextContent("Globex");
    expect(screen.getByTestId("wrapup-call")).toHaveTextContent("(415) 555-0100");
    expect(screen.getByTestId("wrapup-call-duration")).toHaveTextContent("4:05");
    expect(screen.getByTestId("wrapup-waiting")).toHaveTextContent("2 waiting");
    // The choices show their number keys; the first has the focus.
    expect(choice("answered")).toHaveTextContent("1Answered");
    expect(choice("callback_requested")).toHaveTextContent("9Callback Requested");
    await waitFor(() => expect(choice("answered")).toHaveFocus());

    await user.keyboard("7");
    expect(choice("interested")).toHaveAttribute("aria-checked", "true");
    expect(choice("interested")).toHaveFocus();
    expect(choice("answered")).toHaveAttribute("aria-checked", "false");
    await user.tab();
    expect(screen.getByTestId("wrapup-notes")).toHaveFocus();
    await user.keyboard("Wants pricing for 20 seats");
    await user.keyboard("{Control>}{Enter}{/Control}");

    // The next waiting call opens, afresh, focused on the first choice.
    await waitFor(() => expect(screen.getByTestId("wrapup-call-name")).toHaveTextContent("Alice Anders"));
    expect(screen.getByTestId("wrapup-notes")).toHaveValue("");
    expect(screen.queryByTestId("wrapup-waiting")).not.toBeInTheDocument();
    await waitFor(() => expect(choice("answered")).toHaveFocus());
    expect(screen.getByTestId("toast")).toHaveTextContent("Saved: Interested — Bob Brown.");

    const history = await core.invoke<CallHistoryItem[]>("call_history", { filter: { limit: 10 } });
    const bob = history.find((c) => c.leadName === "Bob Brown")!;
    expect(bob, "the wrap-up is stored").toMatchObject({ disposition: "interested", notes: "Wants pricing for 20 seats" });
    expect((await allLeads(core)).find((l) => l.name === "Bob Brown")?.status, "Interested qualifies the lead").toBe("qualified");

    // The last one: "2" is Voicemail; after it the dialog closes and the notice goes away.
    await user.keyboard("2{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.queryByTestId("wrapup-dialog")).not.toBeInTheDocument());
    expect(screen.queryByTestId("wrapup-notice")).not.toBeInTheDocument();
    expect(await awaiting(core)).toEqual([]);
  });

  it("a follow-up time without a next action shows the Rust side's error at the next action and saves nothing", async () => {
    const { user, core } = await renderApp(wrapUpSeed());
    await screen.findByTestId("wrapup-call-name");
    const time = screen.getByTestId("wrapup-follow-up");
    expect(time).toBeDisabled();
    expect(screen.getByTestId("wrapup-pick-0")).toBeDisabled();

    await user.keyboard("1");
    await user.selectOptions(screen.getByTestId("wrapup-next-action"), "callBack");
    expect(time).toBeEnabled();
    await user.click(screen.getByTestId("wrapup-pick-0"));
    expect((time as HTMLInputElement).value).toMatch(/T09:00$/);
    // Changing one's mind about the next action leaves the time in place (greyed out).
    await user.selectOptions(screen.getByTestId("wrapup-next-action"), "");
    expect(time).toBeDisabled();
    await user.click(screen.getByTestId("wrapup-save"));

    expect(await screen.findByTestId("wrapup-next-action-error")).toHaveTextContent(
      "Choose what to do next (call back, email, ...) for the follow-up.",
    );
    expect(screen.getByTestId("wrapup-next-action")).toHaveFocus();
    expect(screen.getByTestId("wrapup-call-name")).toHaveTextContent("Bob Brown");
    expect(await awaiting(core)).toHaveLength(2);
  });

  it("a callback without a time shows the backend's error at the time; a quick pick fixes it and opens a follow-up", async () => {
    const { user, core } = await renderApp(wrapUpSeed());
    await screen.findByTestId("wrapup-call-name");
    await user.keyboard("9");
    await user.selectOptions(screen.getByTestId("wrapup-next-action"), "callBack");
    await user.keyboard("{Control>}{Enter}{/Control}");
    expect(await screen.findByTestId("wrapup-follow-up-error")).toHaveTextContent("Pick when to follow up.");

    await user.click(screen.getByTestId("wrapup-pick-2"));
    expect(screen.queryByTestId("wrapup-follow-up-error")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("wrapup-save"));
    await waitFor(() => expect(screen.getByTestId("wrapup-call-name")).toHaveTextContent("Alice Anders"));
    const f = await followUps(core);
    expect(f.upcoming.map((x) => [x.leadName, x.nextAction, x.disposition])).toEqual([["Bob Brown", "callBack", "callback_requested"]]);
    expect(new Date(f.upcoming[0].dueAt).getHours()).toBe(9);
  });

  it("saving without an outcome asks for one", async () => {
    const { user } = await renderApp(wrapUpSeed());
    await screen.findByTestId("wrapup-call-name");
    await user.keyboard("{Control>}{Enter}{/Control}");
    expect(await screen.findByTestId("wrapup-disposition-error")).toHaveTextContent("Choose how the call went (keys 1–9).");
  });

  it("Escape closes it and the call stays waiting (it says so); the notice reopens it with what was typed", async () => {
    const { user, core } = await renderApp(wrapUpSeed());
    await screen.findByTestId("wrapup-call-name");
    expect(screen.getByTestId("wrapup-hint")).toHaveTextContent("Esc closes; the call stays waiting to be wrapped up.");
    await user.keyboard("3");
    await user.tab();
    await user.keyboard("Line was busy twice");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("wrapup-dialog")).not.toBeInTheDocument();
    expect(await awaiting(core)).toHaveLength(2);

    const notice = screen.getByTestId("wrapup-notice");
    expect(notice).toHaveTextContent("2 calls to wrap up");
    await user.click(notice);
    await screen.findByTestId("wrapup-call-name");
    expect(within(dialog()).getByTestId("wrapup-call-name")).toHaveTextContent("Bob Brown");
    expect(choice("busy")).toHaveAttribute("aria-checked", "true");
    expect(screen.getByTestId("wrapup-notes")).toHaveValue("Line was busy twice");
  });

  it("does not open when no call waits", async () => {
    await renderApp({ leads: SAMPLE_LEADS });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId("wrapup-dialog")).not.toBeInTheDocument();
    expect(screen.queryByTestId("wrapup-notice")).not.toBeInTheDocument();
  });
});
