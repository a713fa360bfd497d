import { expect } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import type { MemoryBackend } from "../backend/memory";

/** The lead a phone button calls: its name as shown, and its number in E.164. */
export interface CalledLead {
  name: string;
  e164: string;
}

/**
 * After a click on a phone button for a lead that is not Do Not Call: exactly one call was placed
 * at once over the default route with that lead, the in-call panel shows the lead's name, and no
 * Do Not Call confirmation opened.
 */
export async function expectCalledAtOnce(backend: MemoryBackend, { name, e164 }: CalledLead) {
  await waitFor(() => expect(backend.placeRequests).toHaveLength(1));
  const leadId = backend.allLeads().find((l) => l.name === name)!.id;
  expect(backend.placeRequests[0]).toEqual({ to: e164, leadId, overrideDnc: false, route: null, callerId: null, record: false });
  expect(within(await screen.findByTestId("call-panel")).getByTestId("call-lead-name")).toHaveTextContent(name);
  expect(screen.queryByTestId("dnc-confirm")).not.toBeInTheDocument();
}

/**
 * After a click on a phone button for a Do Not Call lead: the “Do Not Call” confirmation names the
 * lead and the one call attempt (without overrideDnc) started no call; “Call anyway” then places a
 * second request with overrideDnc over the default route, and the in-call panel shows the lead.
 */
export async function expectCallAnywayThenCall(user: UserEvent, backend: MemoryBackend, { name, e164 }: CalledLead) {
  const confirm = await screen.findByTestId("dnc-confirm");
  expect(confirm).toHaveTextContent(`${name} is Do Not Call`);
  expect(backend.placeRequests).toEqual([expect.objectContaining({ to: e164, overrideDnc: false })]);
  expect(backend.phoneCallIds()).toEqual([]);

  await user.click(within(confirm).getByRole("button", { name: "Call anyway" }));
  await waitFor(() => expect(backend.placeRequests).toHaveLength(2));
  expect(backend.placeRequests[1]).toMatchObject({ to: e164, overrideDnc: true, route: null });
  expect(await screen.findByTestId("call-lead-name")).toHaveTextContent(name);
}
