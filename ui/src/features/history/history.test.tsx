/// <reference types="node" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { HistoryFilter } from "../../generated/bindings";
import { SAMPLE_LEADS, renderApp, type CallSeed, type Seed } from "../../test/app";
import type { Core } from "../../test/core";
import { expectCallAnywayThenCall, expectCalledAtOnce } from "../../test/calls";
import { HISTORY_PAGE_SIZE } from "./HistoryPage";

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

async function openHistory(calls: CallSeed[], seed: Seed = {}) {
  const app = await renderApp({ leads: SAMPLE_LEADS, calls, ...seed });
  await app.user.click(screen.getByTestId("nav-history"));
  await screen.findByTestId("history-count");
  return app;
}

/** The filters of every call_history request the window made, in order. */
const historyRequests = (core: Core) => core.calls.filter((c) => c.cmd === "call_history").map((c) => (c.args as { filter: HistoryFilter }).filter);


const rows = () => screen.queryAllByTestId("history-row");

describe("History", () => {
  it("lists calls newest first with lead, number, direction, date, duration, outcome and notes; a row with a lead opens it", async () => {
    const { user } = await openHistory([
      { contact: "415-555-0100", startedAt: ago(30), durationSeconds: 65, disposition: "voicemail", notes: "Left a message" },
      { contact: "(212) 555-0123", direction: "inbound", startedAt: ago(2), durationSeconds: 605, disposition: "interested", notes: "Send the quote" },
      { contact: "+13035550144", startedAt: ago(50), durationSeconds: 0, disposition: "no_answer" },
    ]);
    await waitFor(() => expect(rows()).toHaveLength(3));
    const [alice, bob, stranger] = rows();
    expect(alice).toHaveTextContent("Alice Anders");
    expect(alice).toHaveTextContent("Acme Corp");
    expect(alice).toHaveTextContent("(212) 555-0123");
    expect(alice).toHaveTextContent("10:05");
    expect(alice).toHaveTextContent("Interested");
    expect(alice).toHaveTextContent("Send the quote");
    expect(within(alice).getByLabelText("Inbound")).toBeInTheDocument();
    expect(bob).toHaveTextContent("Bob Brown");
    expect(bob).toHaveTextContent("1:05");
    expect(bob).toHaveTextContent("Voicemail");
    expect(within(bob).getByLabelText("Outbound")).toBeInTheDocument();
    expect(stranger).toHaveTextContent("Unknown");
    expect(stranger).toHaveTextContent("(303) 555-0144");
    expect(stranger).toHaveTextContent("No Answer");
    expect(screen.getByTestId("history-count")).toHaveTextContent("3 calls");

    await user.click(bob);
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");
    const detail = await screen.findByTestId("lead-detail");
    await waitFor(() => expect(within(detail).getByTestId("lead-field-name")).toHaveValue("Bob Brown"));
  });

  it("filters by disposition and loads more with the last row's keyset", async () => {
    const calls: CallSeed[] = Array.from({ length: HISTORY_PAGE_SIZE + 5 }, (_, i) => ({
      contact: "415-555-0100",
      startedAt: ago(i + 1),
      durationSeconds: 30 + i,
      disposition: i % 5 === 0 ? "interested" : "no_answer",
    }));
    const { user, core } = await openHistory(calls);
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(`${HISTORY_PAGE_SIZE} calls so far`));
    const firstPage = await core.invoke<{ id: string }[]>("call_history", { filter: historyRequests(core)[0] });
    const lastShown = firstPage[HISTORY_PAGE_SIZE - 1].id;

    await user.click(screen.getByTestId("history-load-more"));
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(`${HISTORY_PAGE_SIZE + 5} calls`));
    expect(screen.getByTestId("history-count")).not.toHaveTextContent("so far");
    expect(screen.queryByTestId("history-load-more")).not.toBeInTheDocument();
    const more = historyRequests(core).at(-1)!;
    expect(more.beforeId, "the next page starts after the last row shown").toBe(lastShown);
    expect(more.beforeStartedAt, "with its start time").not.toBeNull();
    expect(more.limit).toBe(HISTORY_PAGE_SIZE);

    await user.selectOptions(screen.getByTestId("history-disposition"), "interested");
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent("11 calls"));
    expect(historyRequests(core).at(-1), "a new filter starts from the top").toMatchObject({ disposition: "interested", beforeStartedAt: null, beforeId: null });
    expect(rows().every((r) => within(r).getByTestId("history-disposition-cell").textContent === "Interested")).toBe(true);

    await user.selectOptions(screen.getByTestId("history-disposition"), "do_not_call");
    expect(await screen.findByTestId("history-no-matches")).toHaveTextContent("No calls match these filters.");
    await user.click(screen.getByTestId("history-clear-filters"));
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(`${HISTORY_PAGE_SIZE} calls so far`));
  });

  it("filters by date range (whole local days)", async () => {
    const day = (offset: number, hour: number) => {
      const d = new Date();
      d.setDate(d.getDate() + offset);
      d.setHours(hour, 0, 0, 0);
      return d;
    };
    const ymd = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    await openHistory([
      { contact: "415-555-0100", startedAt: day(-10, 12).toISOString(), disposition: "busy" },
      { contact: "415-555-0100", startedAt: day(-5, 0).toISOString(), disposition: "busy" },
      { contact: "415-555-0100", startedAt: day(-4, 23).toISOString(), disposition: "busy" },
      { contact: "415-555-0100", startedAt: day(-2, 12).toISOString(), disposition: "busy" },
    ]);
    await waitFor(() => expect(rows()).toHaveLength(4));
    fireEvent.change(screen.getByTestId("history-from"), { target: { value: ymd(day(-5, 0)) } });
    fireEvent.change(screen.getByTestId("history-to"), { target: { value: ymd(day(-4, 0)) } });
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(/^2 calls$/));
  });

  it("says when there are no calls yet", async () => {
    await openHistory([]);
    expect(await screen.findByTestId("history-empty")).toHaveTextContent("No calls yet");
  });
});

describe("History filters, missed calls, recordings and export", () => {
  const calls: CallSeed[] = [
    { contact: "(212) 555-0123", direction: "inbound", startedAt: ago(1), durationSeconds: 0, status: "missed" },
    { contact: "415-555-0100", startedAt: ago(3), durationSeconds: 95, disposition: "interested", notes: "Wants the premium plan" },
    { contact: "+44 20 7946 0958", direction: "inbound", startedAt: ago(5), durationSeconds: 200, route: "bridge", disposition: "callback_requested", notes: "Call after the holidays" },
    { contact: "+13035550144", startedAt: ago(7), durationSeconds: 20, disposition: "voicemail" },
  ];
  const names = () => rows().map((r) => r.querySelector("strong")?.textContent ?? within(r).getByText("Unknown").textContent);

  it("marks missed inbound calls in red and shows a recording icon on calls with a recording", async () => {
    // SignalWire recorded Bob's call (a recording at the emulator, pulled by the core's sync).
    const recordedCalls = calls.map((c, i) => (i === 1 ? { ...c, providerCallSid: "CA-bob" } : c));
    await openHistory(recordedCalls, {
      signalWire: true,
      seed: async (core, signalWire) => {
        await signalWire!.call("add_recording", { callSid: "CA-bob", seconds: 95, created: recordedCalls[1].startedAt });
        await core.invoke("sync_recordings", { days: 30 });
      },
    });
    await waitFor(() => expect(rows()).toHaveLength(4));
    const [missed, recorded, bridge] = rows();
    expect(within(missed).getByTestId("history-missed")).toHaveTextContent("Missed");
    expect(within(missed).getByLabelText("Missed")).toHaveClass("direction-missed");
    expect(missed).not.toHaveTextContent("To wrap up");
    expect(within(recorded).getByTestId("history-recording-icon")).toBeInTheDocument();
    expect(within(bridge).queryByTestId("history-missed")).not.toBeInTheDocument();
    expect(within(bridge).getByLabelText("Inbound")).toBeInTheDocument();
    expect(within(bridge).queryByTestId("history-recording-icon")).not.toBeInTheDocument();
    expect(screen.getAllByTestId("history-recording-icon")).toHaveLength(1);
  });

  it("the Missed toggle, lead status, direction and route filters ask the backend and narrow the list", async () => {
    const { user, core } = await openHistory(calls);
    await waitFor(() => expect(rows()).toHaveLength(4));

    const missed = screen.getByTestId("history-filter-missed");
    await user.click(missed);
    expect(missed).toHaveAttribute("aria-pressed", "true");
    await waitFor(() => expect(names()).toEqual(["Alice Anders"]));
    expect(historyRequests(core).at(-1)).toMatchObject({ missed: true, beforeId: null });
    await user.click(missed);
    await waitFor(() => expect(rows()).toHaveLength(4));

    // The wrap-ups set the leads' statuses by the core's disposition map: Bob's "interested"
    // made him qualified, Carla's callback request made her contacted.
    await user.selectOptions(screen.getByTestId("history-filter-status"), "qualified");
    await waitFor(() => expect(names()).toEqual(["Bob Brown"]));
    expect(historyRequests(core).at(-1)).toMatchObject({ leadStatus: "qualified" });
    await user.selectOptions(screen.getByTestId("history-filter-status"), "");

    await user.selectOptions(screen.getByTestId("history-filter-direction"), "outbound");
    await waitFor(() => expect(names()).toEqual(["Bob Brown", "Unknown"]));
    await user.selectOptions(screen.getByTestId("history-filter-direction"), "");

    await user.selectOptions(screen.getByTestId("history-filter-route"), "bridge");
    await waitFor(() => expect(names()).toEqual(["Carla Cruz"]));
    expect(historyRequests(core).at(-1)).toMatchObject({ route: "bridge", direction: null, leadStatus: null, missed: false });

    await user.click(screen.getByTestId("history-clear-filters"));
    await waitFor(() => expect(rows()).toHaveLength(4));
  });

  it("free-text search is debounced: one request for the whole word, matching notes and numbers", async () => {
    const { user, core } = await openHistory(calls);
    await waitFor(() => expect(rows()).toHaveLength(4));
    const before = historyRequests(core).length;

    await user.type(screen.getByTestId("history-filter-text"), "premium");
    await waitFor(() => expect(names()).toEqual(["Bob Brown"]));
    const texts = historyRequests(core).slice(before).map((f) => f.text);
    expect(texts, "one request for the whole word").toEqual(["premium"]);

    await user.clear(screen.getByTestId("history-filter-text"));
    await user.type(screen.getByTestId("history-filter-text"), "+1 303");
    await waitFor(() => expect(names()).toEqual(["Unknown"]));

    await user.clear(screen.getByTestId("history-filter-text"));
    await user.type(screen.getByTestId("history-filter-text"), "nobody-here");
    expect(await screen.findByTestId("history-no-matches")).toBeInTheDocument();
  });

  it("Export CSV writes exactly the filtered calls (all pages) and reports the count in a toast", async () => {
    const many: CallSeed[] = Array.from({ length: HISTORY_PAGE_SIZE + 10 }, (_, i) => ({
      contact: i % 2 ? "415-555-0100" : "+13035550144",
      startedAt: ago(i + 1),
      durationSeconds: 30,
      disposition: "no_answer",
    }));
    const { user, core } = await openHistory(many);
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(`${HISTORY_PAGE_SIZE} calls so far`));
    const saveTo = join(core.dir, "call-history.csv");

    await core.answerFileDialog(saveTo);
    await user.click(screen.getByTestId("history-export"));
    expect(await screen.findByText(`Exported ${HISTORY_PAGE_SIZE + 10} calls to ${saveTo}.`)).toBeInTheDocument();

    await user.type(screen.getByTestId("history-filter-text"), "bob");
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(/^30 calls$/));
    await core.answerFileDialog(saveTo);
    await user.click(screen.getByTestId("history-export"));
    expect(await screen.findByText(`Exported 30 calls to ${saveTo}.`)).toBeInTheDocument();
    const exported = core.calls.filter((c) => c.cmd === "export_call_history").at(-1)!.args as { fileName: string; filter: HistoryFilter };
    expect(exported.fileName, "the suggested name").toBe("call-history.csv");
    expect(exported.filter, "the filter in force, from the top").toMatchObject({ text: "bob", beforeStartedAt: null, beforeId: null });
    const csv = readFileSync(saveTo, "utf8");
    expect(csv.trim().split(/\r?\n/)).toHaveLength(31);
    expect(csv).not.toContain("+13035550144");
  });

  it("a failed export says why", async () => {
    const { user, core } = await openHistory(calls);
    await waitFor(() => expect(rows()).toHaveLength(4));
    // A folder that does not exist (deleted since the dialog): the core's own error reaches the toast.
    await core.answerFileDialog(join(core.dir, "gone", "x.csv"));
    await user.click(screen.getByTestId("history-export"));
    expect(await screen.findByText(/^Could not export the history: .*gone/)).toBeInTheDocument();
  });

  it("the phone button on a row places the call at once over the default route with the row's lead, without opening it", async () => {
    const { user, core } = await openHistory(calls, { sipLine: true });
    await waitFor(() => expect(rows()).toHaveLength(4));
    const bob = rows()[1];
    expect(bob).toHaveTextContent("Bob Brown");
    await user.click(within(bob).getByTestId("history-call"));

    await expectCalledAtOnce(core, { name: "Bob Brown", e164: "+14155550100" });
    // Neither the dialer nor the row's lead opened.
    expect(screen.getByTestId("nav-history")).toHaveAttribute("aria-current", "page");
    expect(screen.queryByTestId("lead-detail")).not.toBeInTheDocument();
  });

  it("the phone button on a Do Not Call lead's row asks for “Call anyway” and only then calls with overrideDnc", async () => {
    const nora = { name: "Nora Never", company: "Quiet Co", phone: "(312) 555-0111", status: "do_not_call" };
    const { user, core } = await openHistory([{ contact: "(312) 555-0111", startedAt: ago(3), durationSeconds: 20, disposition: "no_answer" }], {
      leads: [nora],
      sipLine: true,
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(within(rows()[0]).getByTestId("history-call"));

    await expectCallAnywayThenCall(user, core, { name: "Nora Never", e164: "+13125550111" });
  });
});
