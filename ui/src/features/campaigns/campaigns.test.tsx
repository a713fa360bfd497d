import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CampaignStats, CampaignSummary } from "../../generated/bindings";
import { renderApp, seedList, type LeadSeed } from "../../test/app";
import { bridgePolling } from "../phone/usePhone";
import { toneWav } from "../../test/audio";

const CALLER_ID = "+12125550142";

/** An `Etc/GMT±N` zone where it is now `hour`:xx, so the test does not depend on when it runs. */
function zoneAt(hour: number): string {
  let offset = (((hour - new Date().getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  if (offset === 0) return "Etc/GMT";
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

function teamLeads(): LeadSeed[] {
  const open = zoneAt(12);
  return [
    { name: "Ann Archer", phone: "+12125550101", email: "ann@example.com", timezone: open },
    { name: "Bob Baker", phone: "+12125550102", email: "bob@example.com", timezone: open, status: "do_not_call" },
    { name: "Cid Cole", phone: "+12125550103", email: "cid@example.com", timezone: zoneAt(3) },
    { name: "Dee Dunn", phone: "+12125550104", email: "dee@example.com", timezone: open },
  ];
}

const original = bridgePolling.intervalMs;
beforeEach(() => {
  bridgePolling.intervalMs = 20;
});
afterEach(() => {
  bridgePolling.intervalMs = original;
});

async function renderCampaigns() {
  const app = await renderApp({
    leads: teamLeads(),
    signalWire: true,
    ownedNumbers: [CALLER_ID],
    settings: { defaultRoute: "bridge", callerId: CALLER_ID, agentPhone: "+13125550100" },
    seed: (core) =>
      seedList(core, "Q4 push list", ["Ann Archer,ann@example.com", "Bob Baker,bob@example.com", "Cid Cole,cid@example.com", "Dee Dunn,dee@example.com"]),
  });
  await app.user.click(screen.getByTestId("nav-campaigns"));
  return app;
}

describe("Campaigns", () => {
  it("a campaign is created from a list, the core's refusal shows at its field, and Start opens its session", async () => {
    const { user, core } = await renderCampaigns();
    expect(await screen.findByTestId("campaigns-empty")).toBeInTheDocument();
    await user.keyboard("n");
    const form = await screen.findByTestId("campaign-form");
    await waitFor(() => expect(within(form).getByTestId("campaign-list")).toHaveDisplayValue("Q4 push list (4)"));
    await waitFor(() => expect(within(form).getByTestId("campaign-retry-busy-minutes")).toHaveValue(60));
    await user.type(within(form).getByTestId("campaign-name"), "Q4 push");
    const start = within(form).getByTestId("campaign-window-start");
    await user.clear(start);
    await user.type(start, "17:00");
    const end = within(form).getByTestId("campaign-window-end");
    await user.clear(end);
    await user.type(end, "09:00");
    await user.click(within(form).getByTestId("campaign-save"));
    expect(await within(form).findByTestId("campaign-windowEnd-error")).toHaveTextContent("before it starts");
    expect(await core.invoke<CampaignSummary[]>("list_campaigns"), "nothing stored").toEqual([]);

    await user.clear(start);
    await user.type(start, "08:00");
    await user.clear(end);
    await user.type(end, "21:00");
    const busy = within(form).getByTestId("campaign-retry-busy-minutes");
    await user.clear(busy);
    await user.type(busy, "30");
    await user.click(within(form).getByTestId("campaign-save"));
    await waitFor(() => expect(screen.queryByTestId("campaign-form")).not.toBeInTheDocument());
    const row = await screen.findByTestId("campaign-Q4 push");
    expect(within(row).getByTestId("campaign-status")).toHaveTextContent("Draft");
    expect(within(row).getByTestId("campaign-progress")).toHaveTextContent("1/4 done · 3 left (1 waiting for their window)");
    const [stored] = await core.invoke<CampaignSummary[]>("list_campaigns");
    expect(stored.retry.find((r) => r.outcome === "busy")?.retry, "the edited retry rule").toEqual({ kind: "minutes", minutes: 30 });

    await user.click(within(row).getByTestId("campaign-start"));
    const card = await screen.findByTestId("session-lead");
    await waitFor(() => expect(within(card).getByTestId("session-lead-name")).toHaveTextContent("Ann Archer"));
    expect(within(card).getByTestId("session-lead-why")).toHaveTextContent("In its window 08:00–21:00");
    expect(screen.getByTestId("session-upcoming")).toHaveTextContent("Dee Dunn");
    expect(screen.getByTestId("session-upcoming")).not.toHaveTextContent("Bob Baker");
    expect(screen.getByTestId("session-waiting")).toHaveTextContent(/Cid Cole\s*08:00 in /);
  });

  it("Complete ends a started campaign: it shows as completed, can no longer be edited or dialed, and keeps its results", async () => {
    const { user, core } = await renderCampaigns();
    const list = (await core.invoke<{ id: string; name: string }[]>("list_lists")).find((l) => l.name === "Q4 push list")!;
    const c = await core.invoke<CampaignSummary>("create_campaign", { draft: { name: "Q4 push", listId: list.id } });
    await core.invoke("campaign_action", { id: c.id, action: "start" });
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    const row = await screen.findByTestId("campaign-Q4 push");
    await user.click(within(row).getByRole("button", { name: "Complete Q4 push" }));
    await waitFor(() => expect(within(screen.getByTestId("campaign-Q4 push")).getByTestId("campaign-status")).toHaveTextContent("Completed"));
    const done = screen.getByTestId("campaign-Q4 push");
    expect(within(done).queryByTestId("campaign-open"), "nothing to dial").not.toBeInTheDocument();
    expect(within(done).queryByRole("button", { name: "Edit Q4 push" }), "no more edits").not.toBeInTheDocument();
    const [stored] = await core.invoke<CampaignSummary[]>("list_campaigns");
    expect(stored.status, "the core's status").toBe("completed");
    await user.click(within(done).getByTestId("campaign-results"));
    expect(await within(await screen.findByTestId("campaign-results-panel")).findByTestId("stats-dials")).toHaveTextContent("0");
  });

  it("in a session D dials the lead, the saved wrap-up moves on to the next, S skips and P pauses", async () => {
    const { user, core, signalWire } = await renderCampaigns();
    const list = (await core.invoke<{ id: string; name: string }[]>("list_lists")).find((l) => l.name === "Q4 push list")!;
    const c = await core.invoke<CampaignSummary>("create_campaign", { draft: { name: "Q4 push", listId: list.id } });
    await core.invoke("campaign_action", { id: c.id, action: "start" });
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    await user.click(within(await screen.findByTestId("campaign-Q4 push")).getByTestId("campaign-open"));
    await waitFor(() => expect(screen.getByTestId("session-lead-name")).toHaveTextContent("Ann Archer"));
    expect(screen.getByTestId("session-caller-id")).toHaveTextContent("as in Settings");

    await user.keyboard("d");
    const call = await screen.findByTestId("call-card");
    expect(call).toHaveAttribute("data-route", "bridge");
    await waitFor(() => expect(screen.getByTestId("session-state")).toHaveTextContent("In a call"));
    const calls = await signalWire.call<[string, string, string][]>("calls");
    expect(calls.map((x) => x[1]), "placed at SignalWire with the caller ID in Settings").toEqual([CALLER_ID]);

    // The emulator completes the call; the wrap-up opens; "3" is Busy.
    expect(await screen.findByTestId("wrapup-call-name", {}, { timeout: 5000 })).toHaveTextContent("Ann Archer");
    await user.keyboard("3{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("session-lead-name")).toHaveTextContent("Dee Dunn"));
    expect(screen.getByTestId("session-waiting")).toHaveTextContent("Ann Archer");
    const stats = await core.invoke<CampaignStats>("campaign_stats", { id: c.id });
    expect(stats.outcomes).toEqual([{ key: "busy", count: 1 }]);
    await waitFor(() => expect(screen.getByTestId("stats-dials")).toHaveTextContent("1"));

    await user.keyboard("p");
    await waitFor(() => expect(screen.getByTestId("session-state")).toHaveTextContent("Paused"));
    expect(screen.getByTestId("session-dial")).toBeDisabled();
    await user.keyboard("p");
    await waitFor(() => expect(screen.getByTestId("session-lead-name")).toHaveTextContent("Dee Dunn"));
    await user.keyboard("s");
    // Dee is the only lead callable now: skipped, she comes again (after the others, of which there are none).
    await waitFor(() => expect(screen.getByTestId("session-state")).toHaveTextContent("Ready to dial"));
    expect(screen.getByTestId("session-lead-name")).toHaveTextContent("Dee Dunn");
    expect(await signalWire.call<unknown[]>("calls"), "skip and pause dial nobody").toHaveLength(1);

    // After the session: the campaign paused, its results open from the list.
    await user.click(screen.getByRole("button", { name: "Back to campaigns" }));
    await core.invoke("campaign_action", { id: c.id, action: "pause" });
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    await user.click(within(await screen.findByTestId("campaign-Q4 push")).getByTestId("campaign-results"));
    const panel = await screen.findByTestId("campaign-results-panel");
    await waitFor(() => expect(within(panel).getByTestId("stats-dials")).toHaveTextContent("1"));
    // Of the four, Bob (Do Not Call) is done without a dial and Cid (03:00 where he is) waits for his window.
    expect(within(panel).getByTestId("stats-leads")).toHaveTextContent("4 · 1 done · 3 left (1 waiting for their window)");
    expect(within(panel).getByTestId("stats-attempts"), "Ann dialed once, the other three not yet").toHaveTextContent("0 dials: 3 · 1 dial: 1");
    expect(within(panel).getByTestId("stats-outcomes")).toHaveTextContent("Busy: 1");
  });

  it("V drops the chosen voicemail into the session's bridge call: the lead's leg plays it and the session moves on at once", async () => {
    const { user, core, signalWire } = await renderCampaigns();
    await signalWire.call("calls_last", { ms: 30_000 });
    // Two messages; the agent picks the second for this session.
    for (const name of ["Intro", "Follow-up"]) {
      const file = `${name.toLowerCase()}.wav`;
      const hosted = await signalWire.call<string>("host_wav", { name: file, seconds: 3 });
      await core.answerFileDialog(core.file(file, toneWav(3)));
      const message = await core.invoke<{ id: string }>("import_voicemail", { name });
      await core.invoke("set_voicemail_url", { id: message.id, url: hosted });
    }
    const url = (await core.invoke<{ name: string; publicUrl: string | null }[]>("voicemail_messages")).find((m) => m.name === "Follow-up")!.publicUrl;
    const list = (await core.invoke<{ id: string; name: string }[]>("list_lists")).find((l) => l.name === "Q4 push list")!;
    const c = await core.invoke<CampaignSummary>("create_campaign", { draft: { name: "Q4 push", listId: list.id } });
    await core.invoke("campaign_action", { id: c.id, action: "start" });
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    await user.click(within(await screen.findByTestId("campaign-Q4 push")).getByTestId("campaign-open"));
    await waitFor(() => expect(screen.getByTestId("session-lead-name")).toHaveTextContent("Ann Archer"));
    await user.selectOptions(screen.getByTestId("session-voicemail-message"), "Follow-up");
    screen.getByTestId("session-voicemail-message").blur();
    await user.keyboard("d");
    await waitFor(() => expect(screen.getByTestId("call-phase")).toHaveTextContent("Connected"), { timeout: 5000 });
    await user.keyboard("v");
    // The call card, up while the message plays, says so instead of offering another drop.
    expect(await screen.findByTestId("call-voicemail-dropped")).toHaveTextContent("Leaving “Follow-up”");
    expect(screen.queryByTestId("call-voicemail-drop"), "no second drop is offered").not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("session-lead-name")).toHaveTextContent("Dee Dunn"));
    const played = await signalWire.call<{ url: string; bytes: number | null }[]>("played");
    expect(played, "the message played on the lead's leg, fetched from its public URL").toEqual([
      expect.objectContaining({ url, bytes: expect.any(Number) }),
    ]);
    const stats = await core.invoke<CampaignStats>("campaign_stats", { id: c.id });
    expect(stats.outcomes).toEqual([{ key: "left_voicemail", count: 1 }]);
    // The call ends by itself (the agent's leg with the lead's): no wrap-up is asked for.
    await waitFor(() => expect(screen.queryByTestId("call-card")).not.toBeInTheDocument(), { timeout: 5000 });
    expect(screen.queryByTestId("wrapup-dialog")).not.toBeInTheDocument();
  });

  it("progressive: the countdown shows, then the lead is dialed by itself; after the wrap-up the next one counts down", async () => {
    const { user, core, signalWire } = await renderCampaigns();
    const list = (await core.invoke<{ id: string; name: string }[]>("list_lists")).find((l) => l.name === "Q4 push list")!;
    const c = await core.invoke<CampaignSummary>("create_campaign", {
      draft: { name: "Q4 push", listId: list.id, mode: "progressive", countdownSeconds: 1 },
    });
    await core.invoke("campaign_action", { id: c.id, action: "start" });
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    await user.click(within(await screen.findByTestId("campaign-Q4 push")).getByTestId("campaign-open"));
    expect(await screen.findByTestId("session-countdown")).toHaveTextContent(/Dialing in [01] s/);
    expect(screen.getByTestId("session-state")).toHaveTextContent("Dialing soon");
    // Nobody pressed Dial: the countdown ran out.
    await waitFor(() => expect(screen.getByTestId("session-state")).toHaveTextContent("In a call"), { timeout: 5000 });
    expect(await signalWire.call<unknown[]>("calls")).toHaveLength(1);
    expect(await screen.findByTestId("wrapup-call-name", {}, { timeout: 5000 })).toHaveTextContent("Ann Archer");
    await user.keyboard("4{Control>}{Enter}{/Control}"); // No Answer
    await waitFor(() => expect(screen.getByTestId("session-lead-name")).toHaveTextContent("Dee Dunn"));
    expect(screen.getByTestId("session-state")).toHaveTextContent("Dialing soon");
    await user.keyboard("p");
    await waitFor(() => expect(screen.getByTestId("session-state")).toHaveTextContent("Paused"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await signalWire.call<unknown[]>("calls"), "a paused countdown dials nobody").toHaveLength(1);
  });
});
