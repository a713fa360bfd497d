import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SAMPLE_LEADS, followUps, markDoNotCall, renderApp, type CallSeed, type Seed } from "../../test/app";
import { expectCallAnywayThenCall, expectCalledAtOnce } from "../../test/calls";
import { laterToday } from "../../test/time";

const HOUR = 3_600_000;
const at = (hoursFromNow: number) => new Date(Date.now() + hoursFromNow * HOUR).toISOString();

/** Wrap-ups of earlier calls that asked for follow-ups: Bob's is 2 h overdue, Alice's due later today, Carla's in 3 days. */
function followUpCalls(): CallSeed[] {
  return [
    {
      contact: "415-555-0100",
      startedAt: at(-30),
      durationSeconds: 200,
      disposition: "callback_requested",
      notes: "Call after the board meeting",
      nextAction: "callBack",
      followUpAt: at(-2),
    },
    { contact: "(212) 555-0123", startedAt: at(-20), durationSeconds: 90, disposition: "interested", nextAction: "sendEmail", followUpAt: laterToday() },
    { contact: "+44 20 7946 0958", startedAt: at(-10), durationSeconds: 300, disposition: "answered", nextAction: "scheduleMeeting", followUpAt: at(72) },
  ];
}

async function openFollowUps(calls: CallSeed[] = followUpCalls(), seed: Seed = {}) {
  const app = await renderApp({ leads: SAMPLE_LEADS, calls, ...seed });
  await app.user.click(screen.getByTestId("nav-followups"));
  await screen.findByTestId("followups-overdue");
  return app;
}

const section = (bucket: "overdue" | "today" | "upcoming") => screen.getByTestId(`followups-${bucket}`);
const names = (bucket: "overdue" | "today" | "upcoming") =>
  within(section(bucket))
    .queryAllByTestId("followup")
    .map((row) => row.querySelector(".followup-name")?.textContent ?? "");

describe("Follow-ups", () => {
  it("lists follow-ups under Overdue, Today and Upcoming with the lead, number, next action, notes and how far off they are", async () => {
    await openFollowUps();
    expect(names("overdue")).toEqual(["Bob Brown"]);
    expect(names("today")).toEqual(["Alice Anders"]);
    expect(names("upcoming")).toEqual(["Carla Cruz"]);

    const bob = within(section("overdue")).getByTestId("followup");
    expect(bob).toHaveTextContent("Globex");
    expect(bob).toHaveTextContent("(415) 555-0100");
    expect(bob).toHaveTextContent("Call back");
    expect(bob).toHaveTextContent("Call after the board meeting");
    expect(within(bob).getByTestId("followup-due")).toHaveTextContent(/^2 h overdue/);
    expect(within(section("today")).getByTestId("followup")).toHaveTextContent("Send email");
    expect(within(section("upcoming")).getByTestId("followup-due")).toHaveTextContent(/^in 3 days/);
    expect(screen.getByTestId("followups-overdue-count")).toHaveTextContent(/^1$/);
  });

  it("says so when a section is empty", async () => {
    await openFollowUps([]);
    expect(screen.getByTestId("followups-overdue-empty")).toHaveTextContent("Nothing overdue.");
    expect(screen.getByTestId("followups-today-empty")).toHaveTextContent("Nothing else due today.");
    expect(screen.getByTestId("followups-upcoming-empty")).toHaveTextContent("Nothing due in the next 30 days.");
    expect(screen.queryByTestId("followups-overdue-count")).not.toBeInTheDocument();
  });

  it("Done removes a follow-up and the overdue badge follows; Snooze → 1 hour moves an overdue one out of Overdue", async () => {
    const { user, core } = await openFollowUps([...followUpCalls(), { contact: "212 555 0199", startedAt: at(-40), disposition: "busy", nextAction: "callBack", followUpAt: at(-5) }]);
    expect(names("overdue")).toEqual(["Erin Evans", "Bob Brown"]);
    expect(screen.getByTestId("followups-overdue-count")).toHaveTextContent(/^2$/);

    const erin = within(section("overdue")).getAllByTestId("followup")[0];
    await user.click(within(erin).getByTestId("followup-done"));
    await waitFor(() => expect(names("overdue")).toEqual(["Bob Brown"]));
    await waitFor(() => expect(screen.getByTestId("followups-overdue-count")).toHaveTextContent(/^1$/));

    const bob = within(section("overdue")).getByTestId("followup");
    await user.click(within(bob).getByTestId("followup-snooze"));
    const menu = screen.getByTestId("followup-snooze-menu");
    expect(within(menu).getByRole("menuitem", { name: "1 hour" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("followups-overdue-empty")).toBeInTheDocument();
    const moved = [...names("today"), ...names("upcoming")];
    expect(moved).toContain("Bob Brown");
    const snoozed = screen.getAllByTestId("followup").find((row) => row.textContent?.includes("Bob Brown"))!;
    expect(within(snoozed).getByTestId("followup-snoozed")).toHaveTextContent("Snoozed");
    expect(within(snoozed).getByTestId("followup-due")).toHaveTextContent(/^in 1 h/);
    await waitFor(() => expect(screen.queryByTestId("followups-overdue-count")).not.toBeInTheDocument());
    const f = await followUps(core);
    expect(f.overdue, "nothing overdue in the core either").toEqual([]);
  });

  it("Reschedule moves a follow-up to the time entered", async () => {
    const { user, core } = await openFollowUps();
    const carla = within(section("upcoming")).getByTestId("followup");
    await user.click(within(carla).getByTestId("followup-reschedule"));
    const input = screen.getByTestId("followup-reschedule-input");
    expect(input).toHaveFocus();
    const due = new Date(Date.now() + 10 * 24 * HOUR + 5 * 60_000);
    due.setSeconds(0, 0);
    const pad = (n: number) => String(n).padStart(2, "0");
    const value = `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())}T${pad(due.getHours())}:${pad(due.getMinutes())}`;
    // jsdom's datetime-local takes a whole value only (typed characters would be sanitised away).
    fireEvent.change(input, { target: { value } });
    await user.click(screen.getByTestId("followup-reschedule-save"));
    await waitFor(() => expect(screen.queryByTestId("followup-reschedule-input")).not.toBeInTheDocument());
    const f = await followUps(core);
    expect(Date.parse(f.upcoming.find((x) => x.leadName === "Carla Cruz")!.dueAt), "due when entered").toBe(due.getTime());
    expect(within(section("upcoming")).getByTestId("followup-due")).toHaveTextContent(/^in 10 days/);
  });

  it("Call places the call at once over the default route with the follow-up's lead, staying on Follow-ups", async () => {
    const { user, core } = await openFollowUps(followUpCalls(), { sipLine: true });
    const bob = within(section("overdue")).getByTestId("followup");
    await user.click(within(bob).getByTestId("followup-call"));

    await expectCalledAtOnce(core, { name: "Bob Brown", e164: "+14155550100" });
    expect(screen.getByTestId("nav-followups")).toHaveAttribute("aria-current", "page");
    expect(screen.queryByTestId("dialer-input")).not.toBeInTheDocument();
  });

  it("Call on a Do Not Call lead's follow-up asks for “Call anyway” and only then calls with overrideDnc", async () => {
    const nora = { name: "Nora Never", company: "Quiet Co", phone: "(312) 555-0111", status: "do_not_call" };
    const { user, core } = await openFollowUps(
      [{ contact: "(312) 555-0111", startedAt: at(-30), durationSeconds: 40, disposition: "callback_requested", nextAction: "callBack", followUpAt: at(-1) }],
      // Marked Do Not Call after that wrap-up (which set her status by the disposition map).
      { leads: [nora], sipLine: true, seed: (core) => markDoNotCall(core, "Nora Never") },
    );
    const row = within(section("overdue")).getByTestId("followup");
    expect(row).toHaveTextContent("Nora Never");
    await user.click(within(row).getByTestId("followup-call"));

    await expectCallAnywayThenCall(user, core, { name: "Nora Never", e164: "+13125550111" });
    expect(screen.queryByTestId("dnc-confirm")).not.toBeInTheDocument();
  });
});
