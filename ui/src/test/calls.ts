import { expect } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import type { HistoryFilter, PlaceCall } from "../generated/bindings";
import { allLeads } from "./app";
import type { Core } from "./core";

/** The lead a phone button calls: its name as shown, and its number in E.164. */
export interface CalledLead {
  name: string;
  e164: string;
}

/** The `place_call` requests the window sent to a real core, in order. */
export function placeRequests(core: Core): PlaceCall[] {
  return core.calls.filter((c) => c.cmd === "place_call").map((c) => (c.args as { request: PlaceCall }).request);
}

/** How many calls the core has logged (the history, unfiltered). */
export async function loggedCalls(core: Core): Promise<number> {
  const filter = { limit: 1000 } as HistoryFilter;
  return (await core.invoke<unknown[]>("call_history", { filter })).length;
}

/**
 * After a click on a phone button for a lead that is not Do Not Call, against a real core with a
 * SIP line: exactly one `place_call` at once with the lead over the default route, which the core
 * placed (the INVITE went out; nobody answers it); the in-call panel shows the lead's name, and no
 * Do Not Call confirmation opened.
 */
export async function expectCalledAtOnce(core: Core, { name, e164 }: CalledLead) {
  await waitFor(() => expect(placeRequests(core)).toHaveLength(1));
  const leadId = (await allLeads(core)).find((l) => l.name === name)!.id;
  expect(placeRequests(core)[0], "one call, at once, with the lead, over the default route").toEqual({
    to: e164,
    leadId,
    overrideDnc: false,
    route: null,
    callerId: null,
    record: false,
  });
  expect(within(await screen.findByTestId("call-panel")).getByTestId("call-lead-name")).toHaveTextContent(name);
  expect(screen.queryByTestId("dnc-confirm")).not.toBeInTheDocument();
  expect(await loggedCalls(core), "the core logged the call it placed").toBeGreaterThan(0);
}

/**
 * After a click on a phone button for a Do Not Call lead: the core refused the first attempt and
 * the “Do Not Call” confirmation names the lead; “Call anyway” then places the call with
 * overrideDnc over the default route, and only that attempt is logged.
 */
export async function expectCallAnywayThenCall(user: UserEvent, core: Core, { name, e164 }: CalledLead) {
  const confirm = await screen.findByTestId("dnc-confirm");
  expect(confirm).toHaveTextContent(`${name} is Do Not Call`);
  expect(placeRequests(core)).toEqual([expect.objectContaining({ to: e164, overrideDnc: false })]);
  const before = await loggedCalls(core);

  await user.click(within(confirm).getByRole("button", { name: "Call anyway" }));
  await waitFor(() => expect(placeRequests(core)).toHaveLength(2));
  expect(placeRequests(core)[1]).toMatchObject({ to: e164, overrideDnc: true, route: null });
  expect(await screen.findByTestId("call-lead-name")).toHaveTextContent(name);
  expect(await loggedCalls(core), "only the overridden attempt was placed").toBe(before + 1);
}
