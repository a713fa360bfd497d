/// <reference types="node" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AnalyticsQuery } from "../../generated/bindings";
import { SAMPLE_LEADS, renderApp, seedList, type CallSeed } from "../../test/app";
import { daysAgoAt, earlierToday } from "../../test/time";
import { rangeDays } from "./AnalyticsPage";

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

/** Four dials to leads over two days (one answered 65 s, interested), one inbound call, one dial to a stranger. */
const CALLS: CallSeed[] = [
  { contact: "415-555-0100", startedAt: ago(30), durationSeconds: 65, disposition: "interested", notes: "Send the quote" },
  { contact: "415-555-0100", startedAt: ago(50), durationSeconds: 0, disposition: "no_answer" },
  { contact: "(212) 555-0123", startedAt: ago(3), durationSeconds: 0, disposition: "busy" },
  { contact: "(212) 555-0123", startedAt: ago(2), durationSeconds: 20, disposition: "voicemail" },
  { contact: "(212) 555-0123", direction: "inbound", startedAt: ago(1), durationSeconds: 120, disposition: "callback_requested" },
  { contact: "+13035550144", startedAt: ago(4), durationSeconds: 0, disposition: "wrong_number" },
];

async function openAnalytics(calls: CallSeed[] = CALLS) {
  const app = await renderApp({ leads: SAMPLE_LEADS, calls });
  await app.user.click(screen.getByTestId("nav-analytics"));
  return app;
}

const stat = (label: string) => screen.getByTestId(`analytics-stat-${label}`);
const queries = (calls: { cmd: string; args: unknown }[]) => calls.filter((c) => c.cmd === "analytics").map((c) => (c.args as { query: AnalyticsQuery }).query);

describe("Analytics", () => {
  it("shows the core's figures for the last 30 days, with a chart and its numbers for each report", async () => {
    const { core } = await openAnalytics();
    await waitFor(() => expect(stat("Calls")).toHaveTextContent("6"));
    expect(stat("Calls")).toHaveTextContent("5 out · 1 in");
    // 5 dials: the interested one answered (65 s), voicemail, busy, no answer, wrong number.
    expect(stat("Connect rate")).toHaveTextContent("20.0 %");
    expect(stat("Talk time"), "65 s + 20 s + the inbound 120 s; the 65 s dial and the inbound call are conversations").toHaveTextContent("3 minTalk time2 conversations");
    const rates = screen.getByTestId("analytics-card-contact-rate");
    expect(within(rates).getByRole("row", { name: /Wrong number/ })).toHaveTextContent("20.0 %");
    expect(within(rates).getByRole("img", { name: "contact-rate" }), "the chart beside the table").toBeInTheDocument();
    const funnel = screen.getByTestId("analytics-card-funnel");
    expect(within(funnel).getByRole("row", { name: /Leads called/ })).toHaveTextContent("2");
    expect(within(funnel).getByRole("row", { name: /Conversations/ })).toHaveTextContent("50.0 %");
    const team = screen.getByTestId("analytics-team");
    expect(within(team).getAllByRole("row"), "a header and one agent").toHaveLength(2);
    const asked = queries(core.calls).at(-1)!;
    expect(asked, "the page asks for the agent's days in their zone").toMatchObject({
      ...rangeDays({ range: "30days", from: "", to: "" }),
      zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      period: "day",
    });
  });

  it("a filter change re-reads the figures; a filter that leaves nothing shows why", async () => {
    const { user } = await openAnalytics();
    await waitFor(() => expect(stat("Calls")).toHaveTextContent("6"));
    await user.selectOptions(screen.getByTestId("analytics-direction"), "inbound");
    await waitFor(() => expect(stat("Calls")).toHaveTextContent("0 out · 1 in"));
    expect(screen.getByTestId("analytics-empty-contact-rate")).toHaveTextContent("No outbound dials");
    expect(screen.getByTestId("analytics-png-contact-rate"), "no chart, nothing to save").toBeDisabled();
    await user.selectOptions(screen.getByTestId("analytics-disposition"), "busy");
    expect(await screen.findByTestId("analytics-empty")).toHaveTextContent("No call matches these filters");
    await user.click(screen.getByTestId("analytics-clear"));
    await waitFor(() => expect(stat("Calls")).toHaveTextContent("6"));
    await user.selectOptions(screen.getByTestId("analytics-range"), "custom");
    await user.type(screen.getByTestId("analytics-from"), "2001-01-01");
    await user.type(screen.getByTestId("analytics-to"), "2001-01-31");
    expect(await screen.findByTestId("analytics-empty")).toHaveTextContent("Pick a longer range");
  });

  it("names the best hour of each list beside the zones' (the list filter's own best hour)", async () => {
    const { user, core } = await renderApp({ leads: SAMPLE_LEADS, calls: CALLS });
    await seedList(core, "West coast", ["Bob Brown,bob@globex.example"]);
    await user.click(screen.getByTestId("nav-analytics"));
    const best = await screen.findByTestId("analytics-best-times");
    const row = await within(best).findByRole("row", { name: /List: West coast/ });
    // Bob's two dials: the answered one (30 h ago) is the list's best hour, out of 2 dials.
    expect(row, "one of one answered there, 2 dials to the list").toHaveTextContent("100.0 %1 of 2");
    const report = await core.invoke<{ bestTimeByList: { listId: string; dials: number }[] }>("analytics", { query: queries(core.calls).at(-1)! });
    expect(report.bestTimeByList, "the core's figure the row shows").toHaveLength(1);
  });

  it("exports a table as CSV from the core; with no canvas to draw on, there is no PNG to save", async () => {
    const { user, core } = await openAnalytics();
    await waitFor(() => expect(stat("Calls")).toHaveTextContent("6"));
    const saveTo = join(core.dir, "contact-rate.csv");
    await core.answerFileDialog(saveTo);
    await user.click(screen.getByTestId("analytics-csv-contact-rate"));
    expect(await screen.findByText(`Exported 6 rows to ${saveTo}.`)).toBeInTheDocument();
    const csv = readFileSync(saveTo, "utf8").trim().split(/\r?\n/);
    expect(csv[0]).toBe("outcome,dials,percent");
    expect(csv).toContain("answered,1,20.0");

    // jsdom has no canvas, so no chart is drawn and the PNG button stays off (the real window's
    // charts are saved as PNG in the end-to-end test; the core's refusal of anything but a PNG
    // is tested in crates/app/tests/power_dialer.rs).
    expect(screen.getByTestId("analytics-png-contact-rate"), "nothing drawn, nothing to save").toBeDisabled();
    expect(screen.getByTestId("analytics-png-contact-rate")).toHaveAttribute("title", "No chart drawn to save");
  });

  it("the start page's strip shows today's calls against the agent's own average", async () => {
    await renderApp({
      leads: SAMPLE_LEADS,
      calls: [
        { contact: "415-555-0100", startedAt: earlierToday(1 / 3), durationSeconds: 90, disposition: "interested" },
        { contact: "415-555-0100", startedAt: earlierToday(2 / 3), durationSeconds: 0, disposition: "no_answer" },
        { contact: "(212) 555-0123", startedAt: daysAgoAt(5, 10), durationSeconds: 0, disposition: "busy" },
        { contact: "(212) 555-0123", startedAt: daysAgoAt(5, 11), durationSeconds: 0, disposition: "busy" },
        { contact: "(212) 555-0123", startedAt: daysAgoAt(5, 12), durationSeconds: 0, disposition: "busy" },
        { contact: "(212) 555-0123", startedAt: daysAgoAt(5, 13), durationSeconds: 0, disposition: "busy" },
      ],
    });
    const calls = await screen.findByTestId("dashboard-calls");
    expect(calls).toHaveTextContent("2calls today");
    expect(calls, "2 today against 4 on the one earlier day").toHaveTextContent("▼ 50 % vs. your average");
    expect(screen.getByTestId("dashboard-connect")).toHaveTextContent("50 %");
  });
});
