import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { MemoryBackend, type CallInput } from "../../backend/memory";
import { SAMPLE_LEADS, renderApp } from "../../test/render";
import { HISTORY_PAGE_SIZE } from "./HistoryPage";

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

async function openHistory(calls: CallInput[]) {
  const app = await renderApp(new MemoryBackend({ leads: SAMPLE_LEADS, calls }));
  await app.user.click(screen.getByTestId("nav-history"));
  await screen.findByTestId("history-count");
  return app;
}

const rows = () => screen.queryAllByTestId("history-row");

describe("History", () => {
  it("lists calls newest first with lead, number, direction, date, duration, outcome and notes; a row with a lead opens it", async () => {
    const { user } = await openHistory([
      { contact: "415-555-0100", startedAt: ago(30), durationSeconds: 65, disposition: "voicemail", notes: "Left a message" },
      { contact: "(555) 123-4567", direction: "inbound", startedAt: ago(2), durationSeconds: 605, disposition: "interested", notes: "Send the quote" },
      { contact: "+13035550144", startedAt: ago(50), durationSeconds: 0, disposition: "no_answer" },
    ]);
    await waitFor(() => expect(rows()).toHaveLength(3));
    const [alice, bob, stranger] = rows();
    expect(alice).toHaveTextContent("Alice Anders");
    expect(alice).toHaveTextContent("Acme Corp");
    expect(alice).toHaveTextContent("(555) 123-4567");
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
    const calls: CallInput[] = Array.from({ length: HISTORY_PAGE_SIZE + 5 }, (_, i) => ({
      contact: "415-555-0100",
      startedAt: ago(i + 1),
      durationSeconds: 30 + i,
      disposition: i % 5 === 0 ? "interested" : "no_answer",
    }));
    const backend = new MemoryBackend({ leads: SAMPLE_LEADS, calls });
    const history = vi.spyOn(backend, "callHistory");
    const { user } = await renderApp(backend);
    await user.click(screen.getByTestId("nav-history"));
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(`${HISTORY_PAGE_SIZE} calls so far`));

    await user.click(screen.getByTestId("history-load-more"));
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent(`${HISTORY_PAGE_SIZE + 5} calls`));
    expect(screen.getByTestId("history-count")).not.toHaveTextContent("so far");
    expect(screen.queryByTestId("history-load-more")).not.toBeInTheDocument();
    const first = await history.mock.results[0].value;
    const last = first[HISTORY_PAGE_SIZE - 1];
    expect(history).toHaveBeenLastCalledWith(expect.objectContaining({ beforeStartedAt: last.startedAt, beforeId: last.id, limit: HISTORY_PAGE_SIZE }));

    await user.selectOptions(screen.getByTestId("history-disposition"), "interested");
    await waitFor(() => expect(screen.getByTestId("history-count")).toHaveTextContent("11 calls"));
    expect(history).toHaveBeenLastCalledWith(expect.objectContaining({ disposition: "interested", beforeStartedAt: null, beforeId: null }));
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
