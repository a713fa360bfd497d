import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MemoryBackend, SIGNALWIRE_CONFIGURED, SIP_CONFIGURED, type MemoryBackendOptions, type SmsInput } from "../../backend/memory";
import { SAMPLE_LEADS, renderApp } from "../../test/render";
import { expectCallAnywayThenCall, expectCalledAtOnce } from "../../test/calls";

// Bob Brown's number in SAMPLE_LEADS is 415-555-0100, so our own number is a different one.
const OURS = "+14155550199";
const BOB_E164 = "+14155550100";
const STRANGER = "+13035550144";

const conversations: SmsInput[] = [
  { contact: BOB_E164, direction: "outbound", ourNumber: OURS, body: "Sending the proposal today.", createdAt: "2025-03-01T10:00:00.000Z" },
  { contact: BOB_E164, direction: "inbound", ourNumber: OURS, body: "Got it, thanks!", createdAt: "2025-03-01T11:00:00.000Z" },
  { contact: BOB_E164, direction: "inbound", ourNumber: OURS, body: "Can we talk Friday?", createdAt: "2025-03-01T12:00:00.000Z" },
  { contact: STRANGER, direction: "inbound", ourNumber: OURS, body: "Who is this?", createdAt: "2025-03-02T09:00:00.000Z" },
];

function messagesBackend(options: MemoryBackendOptions = {}) {
  return new MemoryBackend({
    leads: SAMPLE_LEADS,
    settings: SIGNALWIRE_CONFIGURED,
    ownedNumbers: [OURS],
    sms: conversations,
    ...options,
  });
}

async function openMessages(options: MemoryBackendOptions | MemoryBackend = {}) {
  const app = await renderApp(options instanceof MemoryBackend ? options : messagesBackend(options));
  await app.user.click(screen.getByTestId("nav-messages"));
  return app;
}

/** The conversation row whose text matches `name`. */
async function threadRow(name: string | RegExp) {
  const rows = await screen.findAllByTestId("sms-thread");
  const row = rows.find((r) => (typeof name === "string" ? r.textContent?.includes(name) : name.test(r.textContent ?? "")));
  if (!row) throw new Error(`no conversation row matching ${name}`);
  return row;
}

async function openThread(user: Awaited<ReturnType<typeof renderApp>>["user"], name: string) {
  const row = await threadRow(name);
  await user.click(within(row).getAllByRole("button")[0]);
  await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent(name));
}

const bubbles = () => screen.queryAllByTestId("sms-message");

describe("Messages", () => {
  it("lists conversations newest first with the lead's name, unread count and last text", async () => {
    await openMessages();
    const rows = await screen.findAllByTestId("sms-thread");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("(303) 555-0144");
    expect(rows[0]).toHaveTextContent("Who is this?");
    expect(rows[1]).toHaveTextContent("Bob Brown");
    expect(rows[1]).toHaveTextContent("Can we talk Friday?");
    expect(within(rows[1]).getByTestId("sms-thread-unread")).toHaveTextContent("2");
  });

  it("sending from a conversation shows the text with its status, and the counter follows the draft", async () => {
    const { user, backend } = await openMessages();
    await openThread(user, "Bob Brown");
    expect(bubbles().map((b) => b.textContent)).toEqual([
      expect.stringContaining("Sending the proposal today."),
      expect.stringContaining("Got it, thanks!"),
      expect.stringContaining("Can we talk Friday?"),
    ]);

    const draft = screen.getByTestId("sms-draft");
    await user.click(draft);
    await user.paste("a".repeat(150));
    await waitFor(() => expect(screen.getByTestId("sms-counter")).toHaveTextContent("1 segment · 10 left"));
    await user.paste("b".repeat(20));
    await waitFor(() => expect(screen.getByTestId("sms-counter")).toHaveTextContent("2 segments · 136 left"));
    await user.clear(draft);
    await user.type(draft, "See you Friday 👋");
    await waitFor(() => expect(screen.getByTestId("sms-counter")).toHaveTextContent("1 segment · 53 left · Unicode"));

    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(bubbles()).toHaveLength(4));
    const sent = bubbles()[3];
    expect(sent).toHaveClass("outbound");
    expect(sent).toHaveTextContent("See you Friday 👋");
    expect(within(sent).getByTestId("sms-status")).toHaveTextContent("Queued");
    expect(draft).toHaveValue("");
    expect(screen.getByTestId("sms-counter")).toHaveTextContent("");

    const all = backend.allSms();
    const stored = all[all.length - 1];
    expect(stored).toMatchObject({ contactNumber: BOB_E164, ourNumber: OURS, body: "See you Friday 👋", status: "queued" });
    expect((await threadRow("Bob Brown")).textContent).toContain("You: See you Friday 👋");
  });

  it("Create lead on an unknown number opens a dialog with the number; once created, the conversation shows the lead's name", async () => {
    const { user, backend } = await openMessages();
    const row = await threadRow("(303) 555-0144");
    expect(within(row).getByText("Unknown number")).toBeInTheDocument();
    const bobRow = await threadRow("Bob Brown");
    expect(within(bobRow).queryByText("Unknown number")).not.toBeInTheDocument();
    expect(within(bobRow).queryByRole("button", { name: /Create lead/ })).not.toBeInTheDocument();

    await user.click(within(row).getByRole("button", { name: /Create lead/ }));
    const dialog = screen.getByRole("dialog", { name: "New lead for (303) 555-0144" });
    const name = within(dialog).getByTestId("create-lead-name");
    const phone = within(dialog).getByTestId("create-lead-phone");
    const email = within(dialog).getByTestId("create-lead-email");
    expect(name).toHaveFocus();
    expect(phone).toHaveValue("+13035550144");
    expect(phone).toHaveAttribute("readonly");

    // A name is required; the backend's other checks show next to their field.
    await user.click(within(dialog).getByTestId("create-lead-submit"));
    expect(within(dialog).getByTestId("create-lead-name-error")).toHaveTextContent("A lead needs a name.");
    expect(name).toHaveAttribute("aria-invalid", "true");
    await user.type(name, "Dana Whitfield");
    expect(within(dialog).queryByTestId("create-lead-name-error")).not.toBeInTheDocument();
    await user.type(email, "dana.example");
    await user.click(within(dialog).getByTestId("create-lead-submit"));
    expect(await within(dialog).findByTestId("create-lead-email-error")).toHaveTextContent('"dana.example" is not an email address');
    expect(email).toHaveFocus();
    expect(backend.allLeads()).toHaveLength(SAMPLE_LEADS.length);

    await user.clear(email);
    await user.type(email, "dana@whitfield.example");
    await user.type(within(dialog).getByTestId("create-lead-company"), "Whitfield & Sons");
    await user.click(within(dialog).getByTestId("create-lead-submit"));

    await waitFor(() => expect(screen.queryByTestId("create-lead-dialog")).not.toBeInTheDocument());
    const named = await threadRow("Dana Whitfield");
    expect(named).toHaveTextContent("Who is this?");
    expect(within(named).queryByText("Unknown number")).not.toBeInTheDocument();
    expect(screen.getByTestId("toast")).toHaveTextContent("Lead “Dana Whitfield” created: texts with (303) 555-0144 now show under this name.");
    await waitFor(() => expect(screen.getByTestId("lead-count")).toHaveTextContent(/^6$/));
    expect(screen.getByTestId("nav-messages")).toHaveAttribute("aria-current", "page");
    expect(backend.allLeads().find((l) => l.name === "Dana Whitfield")).toMatchObject({
      phoneE164: "+13035550144",
      company: "Whitfield & Sons",
      email: "dana@whitfield.example",
    });
  });

  it("Create lead in an unknown conversation's header names the open conversation and offers Open lead", async () => {
    const { user } = await openMessages();
    await openThread(user, "(303) 555-0144");
    const header = screen.getByTestId("sms-conversation-name").closest("header")!;
    await user.click(within(header).getByRole("button", { name: /Create lead/ }));
    await user.type(screen.getByTestId("create-lead-name"), "Dana Whitfield{Enter}");

    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("Dana Whitfield"));
    expect(header).toHaveTextContent("(303) 555-0144");
    expect(within(header).queryByRole("button", { name: /Create lead/ })).not.toBeInTheDocument();
    await user.click(within(header).getByRole("button", { name: "Open lead" }));
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(screen.getByTestId("lead-field-name")).toHaveValue("Dana Whitfield"));
  });

  it("the header's phone button calls the conversation's number with its lead over the default route", async () => {
    const { user, backend } = await openMessages({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, callStepMs: 5 });
    await openThread(user, "Bob Brown");
    await user.click(screen.getByTestId("sms-call"));

    await expectCalledAtOnce(backend, { name: "Bob Brown", e164: BOB_E164 });
    expect(screen.getByTestId("nav-messages")).toHaveAttribute("aria-current", "page");
  });

  it("the header's phone button calls an unknown number without a lead", async () => {
    const { user, backend } = await openMessages({ settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED }, callStepMs: 5 });
    await openThread(user, "(303) 555-0144");
    await user.click(screen.getByTestId("sms-call"));

    await waitFor(() => expect(backend.placeRequests).toHaveLength(1));
    expect(backend.placeRequests[0]).toEqual({ to: STRANGER, leadId: null, overrideDnc: false, route: null, callerId: null, record: false });
  });

  it("the header's phone button on a Do Not Call lead's conversation asks for “Call anyway” first", async () => {
    const nora = { name: "Nora Never", company: "Quiet Co", phone: "(312) 555-0111", status: "do_not_call" };
    const { user, backend } = await openMessages({
      leads: [nora],
      sms: [{ contact: "+13125550111", direction: "inbound", ourNumber: OURS, body: "Stop calling.", createdAt: "2025-03-01T10:00:00.000Z" }],
      settings: { ...SIGNALWIRE_CONFIGURED, ...SIP_CONFIGURED },
      callStepMs: 5,
    });
    await openThread(user, "Nora Never");
    await user.click(screen.getByTestId("sms-call"));

    await expectCallAnywayThenCall(user, backend, { name: "Nora Never", e164: "+13125550111" });
    expect(screen.queryByTestId("dnc-confirm")).not.toBeInTheDocument();
  });

  it("Escape or Cancel closes the new-lead dialog without creating anything", async () => {
    const { user, backend } = await openMessages();
    const row = await threadRow("(303) 555-0144");
    const createButton = within(row).getByRole("button", { name: /Create lead/ });
    await user.click(createButton);
    await user.type(screen.getByTestId("create-lead-name"), "Never mind");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("create-lead-dialog")).not.toBeInTheDocument();
    expect(createButton).toHaveFocus();
    await user.click(createButton);
    await user.click(within(screen.getByTestId("create-lead-dialog")).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("create-lead-dialog")).not.toBeInTheDocument();
    expect(backend.allLeads()).toHaveLength(SAMPLE_LEADS.length);
  });

  it("opening a conversation marks it read and the unread badge goes down", async () => {
    const { user, backend } = await openMessages();
    const badge = await screen.findByTestId("sms-unread");
    expect(badge).toHaveTextContent("3");
    await openThread(user, "Bob Brown");
    await waitFor(() => expect(screen.getByTestId("sms-unread")).toHaveTextContent("1"));
    expect(within(await threadRow("Bob Brown")).queryByTestId("sms-thread-unread")).not.toBeInTheDocument();
    expect(await backend.smsUnreadCount()).toBe(1);

    await openThread(user, "(303) 555-0144");
    await waitFor(() => expect(screen.queryByTestId("sms-unread")).not.toBeInTheDocument());
  });

  it("a refused send keeps the draft, shows the error, and lists the text as failed", async () => {
    const { user } = await openMessages({
      sms: [{ contact: "+13125550001", direction: "inbound", ourNumber: OURS, body: "Text me back", createdAt: "2025-03-03T09:00:00.000Z" }],
    });
    await openThread(user, "(312) 555-0001");
    const draft = screen.getByTestId("sms-draft");
    await user.type(draft, "Hi there, calling you later");
    await user.click(screen.getByTestId("sms-send"));

    const error = await screen.findByTestId("sms-send-error");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent("Not sent.");
    expect(error).toHaveTextContent("error 21211");
    expect(draft).toHaveValue("Hi there, calling you later");
    await waitFor(() => expect(bubbles()).toHaveLength(2));
    const failed = bubbles()[1];
    expect(within(failed).getByTestId("sms-status")).toHaveTextContent("Failed");
    expect(within(failed).getByTestId("sms-message-error")).toHaveTextContent("Invalid 'To' Phone Number: +13125550001 (error 21211)");
  });

  it("a text sent while SignalWire is unreachable waits, with an explanation, and Sync now sends it", async () => {
    const { user, backend } = await openMessages({ smsOffline: true });
    await openThread(user, "Bob Brown");
    await user.type(screen.getByTestId("sms-draft"), "Are we still on?");
    await user.click(screen.getByTestId("sms-send"));
    await waitFor(() => expect(bubbles()).toHaveLength(4));
    const status = within(bubbles()[3]).getByTestId("sms-status");
    expect(status).toHaveTextContent("Waiting to send");
    expect(status).toHaveAttribute("title", expect.stringContaining("sends it exactly once"));

    backend.setSmsOffline(false);
    await user.click(screen.getByTestId("sms-sync"));
    expect(await screen.findByTestId("sms-sync-status")).toHaveTextContent("1 waiting text sent");
    await waitFor(() => expect(within(bubbles()[3]).getByTestId("sms-status")).toHaveTextContent("Queued"));
  });

  it("Sync now says when SignalWire refused a waiting text, which then shows as failed", async () => {
    const { user, backend } = await openMessages({
      smsOffline: true,
      sms: [{ contact: "+13125550001", direction: "inbound", ourNumber: OURS, body: "Text me back", createdAt: "2025-03-03T09:00:00.000Z" }],
    });
    await openThread(user, "(312) 555-0001");
    await user.type(screen.getByTestId("sms-draft"), "Calling you later");
    await user.click(screen.getByTestId("sms-send"));
    await waitFor(() => expect(bubbles()).toHaveLength(2));
    expect(within(bubbles()[1]).getByTestId("sms-status")).toHaveTextContent("Waiting to send");

    backend.setSmsOffline(false);
    await user.click(screen.getByTestId("sms-sync"));
    await waitFor(() => expect(screen.getByTestId("sms-sync-status")).toHaveTextContent("1 waiting text refused by SignalWire (marked failed)"));
    await waitFor(() => expect(within(bubbles()[1]).getByTestId("sms-status")).toHaveTextContent("Failed"));
    expect(within(bubbles()[1]).getByTestId("sms-message-error")).toHaveTextContent("(error 21211)");
  });

  it("Sync now stores texts that arrived and says from whom; the badge counts them", async () => {
    const { user, backend } = await openMessages();
    await screen.findByTestId("sms-unread");
    backend.receiveSms(BOB_E164, OURS, "Running late, 10 min");
    backend.receiveSms("+16465550123", OURS, "Is this still available?");
    await user.click(screen.getByTestId("sms-sync"));
    await waitFor(() =>
      expect(screen.getByTestId("sms-sync-status")).toHaveTextContent("Synced: 2 new texts from Bob Brown, (646) 555-0123."),
    );
    await waitFor(() => expect(screen.getByTestId("sms-unread")).toHaveTextContent("5"));
    const rows = await screen.findAllByTestId("sms-thread");
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining("Is this still available?"),
      expect.stringContaining("Running late, 10 min"),
      expect.stringContaining("Who is this?"),
    ]);

    await user.click(screen.getByTestId("sms-sync"));
    await waitFor(() => expect(screen.getByTestId("sms-sync-status")).toHaveTextContent("Up to date: no new texts."));
  });

  it("New message texts any number and opens its conversation", async () => {
    const { user } = await openMessages();
    await user.click(screen.getByTestId("sms-new"));
    const to = screen.getByTestId("sms-to");
    expect(to).toHaveFocus();
    await user.type(to, "212 555 0199");
    await waitFor(() => expect(screen.getByTestId("sms-to-lookup")).toHaveTextContent("(212) 555-0199 · Erin Evans"));
    await user.type(screen.getByTestId("sms-draft"), "Hi Erin, following up on our call.");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("Erin Evans"));
    expect(bubbles()).toHaveLength(1);
    expect(within(bubbles()[0]).getByTestId("sms-status")).toHaveTextContent("Queued");
    expect((await screen.findAllByTestId("sms-thread"))[0]).toHaveTextContent("Erin Evans");
    await waitFor(() => expect(screen.getByTestId("sms-draft")).toHaveFocus());
  });

  it("an invalid number in New message shows why and keeps the text", async () => {
    const { user } = await openMessages();
    await user.click(screen.getByTestId("sms-new"));
    await user.type(screen.getByTestId("sms-to"), "555-12");
    await user.type(screen.getByTestId("sms-draft"), "Hello");
    await user.click(screen.getByTestId("sms-send"));
    expect(await screen.findByTestId("sms-send-error")).toHaveTextContent('To "555-12": too short');
    expect(screen.getByTestId("sms-draft")).toHaveValue("Hello");
  });

  it("without SignalWire set up, says so with a button to Settings", async () => {
    const { user } = await openMessages({ settings: {} });
    const notice = await screen.findByTestId("sms-setup");
    expect(notice).toHaveTextContent("Set up SignalWire to send and receive texts.");
    expect(notice).toHaveTextContent("API token is missing");

    await openThread(user, "Bob Brown");
    await user.type(screen.getByTestId("sms-draft"), "Hello");
    await user.click(screen.getByTestId("sms-send"));
    const error = await screen.findByTestId("sms-send-error");
    expect(error).toHaveTextContent("SignalWire is not set up");
    expect(screen.getByTestId("sms-draft")).toHaveValue("Hello");

    await user.click(within(notice).getByRole("button", { name: "Open Settings" }));
    expect(screen.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");
  });

  it("with no texts yet shows an empty state that offers a new message", async () => {
    await openMessages({ sms: [] });
    const empty = await screen.findByTestId("sms-empty");
    await waitFor(() => expect(empty).toHaveTextContent("No texts yet"));
    expect(within(empty).getByRole("button", { name: /New message/ })).toBeInTheDocument();
  });

  it("search filters conversations by name, number or text, and says when nothing matches", async () => {
    const { user } = await openMessages();
    await screen.findAllByTestId("sms-thread");
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("/");
    const search = screen.getByTestId("sms-search");
    await waitFor(() => expect(search).toHaveFocus());
    await user.keyboard("friday");
    await waitFor(() => expect(screen.getAllByTestId("sms-thread")).toHaveLength(1));
    expect(screen.getByTestId("sms-thread")).toHaveTextContent("Bob Brown");
    await user.clear(search);
    await user.type(search, "zebra");
    expect(await screen.findByTestId("sms-no-matches")).toHaveTextContent("No conversations match “zebra”.");
  });

  it("Ctrl+4 opens Messages from anywhere", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS, settings: SIGNALWIRE_CONFIGURED, ownedNumbers: [OURS], sms: conversations });
    await user.keyboard("{Control>}4{/Control}");
    expect(screen.getByTestId("nav-messages")).toHaveAttribute("aria-current", "page");
    expect(await screen.findAllByTestId("sms-thread")).toHaveLength(2);
  });

  it("Up and Down move between conversations when the list has the focus", async () => {
    const { user } = await openMessages();
    await openThread(user, "(303) 555-0144");
    const first = within(await threadRow("(303) 555-0144")).getAllByRole("button")[0];
    expect(first).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("Bob Brown"));
    expect(within(await threadRow("Bob Brown")).getAllByRole("button")[0]).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("(303) 555-0144"));
  });

  it("a long conversation shows the newest page and Load older fetches the rest", async () => {
    const many: SmsInput[] = Array.from({ length: 60 }, (_, i) => ({
      contact: BOB_E164,
      direction: i % 2 === 0 ? "outbound" : "inbound",
      ourNumber: OURS,
      body: `Message number ${i + 1}`,
      createdAt: new Date(Date.UTC(2025, 2, 1, 8, i)).toISOString(),
      read: true,
    }));
    const { user } = await openMessages({ sms: many });
    await openThread(user, "Bob Brown");
    await waitFor(() => expect(bubbles()).toHaveLength(50));
    expect(bubbles()[0]).toHaveTextContent("Message number 11");
    await user.click(screen.getByRole("button", { name: "Load older" }));
    await waitFor(() => expect(bubbles()).toHaveLength(60));
    expect(bubbles()[0]).toHaveTextContent("Message number 1");
    expect(bubbles()[59]).toHaveTextContent("Message number 60");
    expect(screen.queryByRole("button", { name: "Load older" })).not.toBeInTheDocument();
  });
});

describe("Messages on the live connection", () => {
  it("a text arriving live updates the unread badge and the open conversation, keeping the draft", async () => {
    const backend = messagesBackend();
    await backend.startRealtime();
    const { user } = await openMessages(backend);
    await openThread(user, "Bob Brown");
    await waitFor(() => expect(screen.getByTestId("sms-unread")).toHaveTextContent("1"));
    const draft = screen.getByTestId("sms-draft");
    await user.type(draft, "Half-typed reply");

    act(() => backend.receiveSms(BOB_E164, OURS, "Running late, 10 min"));
    await waitFor(() => expect(bubbles()).toHaveLength(4));
    expect(bubbles()[3]).toHaveTextContent("Running late, 10 min");
    expect(draft).toHaveValue("Half-typed reply");
    // Arriving in the open conversation, it is read at once.
    await waitFor(() => expect(backend.allSms().filter((m) => !m.read)).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId("sms-unread")).toHaveTextContent("1"));

    act(() => backend.receiveSms("+16465550123", OURS, "Is this still available?"));
    await waitFor(() => expect(screen.getByTestId("sms-unread")).toHaveTextContent("2"));
    await waitFor(() => expect(screen.getAllByTestId("sms-thread")[0]).toHaveTextContent("Is this still available?"));
    expect(screen.getAllByTestId("sms-thread")).toHaveLength(3);
    expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("Bob Brown");
    expect(draft).toHaveValue("Half-typed reply");
  });

  it("a pushed smsReceived notice refreshes the badge even while another page is open", async () => {
    const backend = messagesBackend();
    await renderApp(backend);
    await waitFor(() => expect(screen.getByTestId("sms-unread")).toHaveTextContent("3"));
    const message = backend.addSms({ contact: STRANGER, direction: "inbound", ourNumber: OURS, body: "Hello again" });
    act(() => backend.emitRealtime({ kind: "smsReceived", message, leadName: null }));
    await waitFor(() => expect(screen.getByTestId("sms-unread")).toHaveTextContent("4"));
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");
  });

  it("a status change reported live (smsChanged) shows in the open conversation", async () => {
    const { user, backend } = await openMessages();
    await openThread(user, "Bob Brown");
    await user.type(screen.getByTestId("sms-draft"), "See you Friday");
    await user.click(screen.getByTestId("sms-send"));
    await waitFor(() => expect(bubbles()).toHaveLength(4));
    expect(within(bubbles()[3]).getByTestId("sms-status")).toHaveTextContent("Queued");

    await backend.syncSms(); // SignalWire delivered it; the live connection says so
    act(() => backend.emitRealtime({ kind: "smsChanged" }));
    await waitFor(() => expect(within(bubbles()[3]).getByTestId("sms-status")).toHaveTextContent("Delivered"));
  });

  it("a clicked notification (openConversation) opens Messages with that conversation, clearing the search", async () => {
    const { user, backend } = await renderApp(messagesBackend());
    expect(screen.getByTestId("nav-leads")).toHaveAttribute("aria-current", "page");
    act(() => backend.emitRealtime({ kind: "openConversation", contactNumber: STRANGER }));
    await waitFor(() => expect(screen.getByTestId("nav-messages")).toHaveAttribute("aria-current", "page"));
    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("(303) 555-0144"));
    await waitFor(() => expect(bubbles()).toHaveLength(1));
    expect(bubbles()[0]).toHaveTextContent("Who is this?");
    expect(within(await threadRow("(303) 555-0144")).getAllByRole("button")[0]).toHaveAttribute("aria-current", "true");

    await user.type(screen.getByTestId("sms-search"), "friday");
    await waitFor(() => expect(screen.getAllByTestId("sms-thread")).toHaveLength(1));
    await user.click(screen.getByTestId("nav-leads"));
    act(() => backend.emitRealtime({ kind: "openConversation", contactNumber: BOB_E164 }));
    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("Bob Brown"));
    expect(screen.getByTestId("nav-messages")).toHaveAttribute("aria-current", "page");
    expect(screen.getByTestId("sms-search")).toHaveValue("");
    await waitFor(() => expect(screen.getAllByTestId("sms-thread")).toHaveLength(2));
  });

  it("the header shows Live while connected and Offline with the reason (also as tooltip) when not", async () => {
    const { backend } = await openMessages();
    await screen.findAllByTestId("sms-thread");
    expect(screen.queryByTestId("sms-live")).not.toBeInTheDocument();

    await act(() => backend.startRealtime());
    const live = await screen.findByTestId("sms-live");
    expect(live).toHaveTextContent(/^Live$/);

    act(() => backend.setSmsOffline(true));
    await waitFor(() => expect(screen.getByTestId("sms-live")).toHaveTextContent("Offline — could not reach SignalWire"));
    expect(screen.getByTestId("sms-live")).toHaveAttribute("title", "could not reach SignalWire: network unreachable; retrying in 1 s");

    const refused = "SignalWire refused the realtime connection: 401 Unauthorized. Check the project ID and API token.";
    act(() => backend.emitRealtime({ kind: "connection", online: false, detail: refused }));
    await waitFor(() => expect(screen.getByTestId("sms-live")).toHaveTextContent(`Offline — ${refused}`));
    expect(screen.getByTestId("sms-live")).toHaveAttribute("title", refused);

    act(() => backend.emitRealtime({ kind: "connection", online: true, detail: "connected (session resumed)" }));
    await waitFor(() => expect(screen.getByTestId("sms-live")).toHaveTextContent(/^Live$/));
  });

  it("a connection made before the page subscribed still shows as Live (the status is asked for)", async () => {
    const backend = messagesBackend();
    // The shell connects at start-up, before the UI has subscribed to notices.
    await backend.startRealtime();
    await openMessages(backend);
    await screen.findAllByTestId("sms-thread");
    const live = await screen.findByTestId("sms-live");
    expect(live).toHaveTextContent(/^Live$/);
  });

  it("Text on a lead opens its conversation, or a new message to its number when there is none", async () => {
    const app = await renderApp(messagesBackend());
    const rowOf = async (name: string) => (await screen.findAllByTestId("lead-row")).find((r) => r.textContent?.includes(name));
    // Bob has a conversation: it opens.
    await app.user.click((await rowOf("Bob Brown"))!);
    await app.user.click(await screen.findByTestId("lead-text"));
    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("Bob Brown"));
    // Erin has none: a new message to her number, the draft ready to type in.
    await app.user.click(screen.getByTestId("nav-leads"));
    await app.user.click((await rowOf("Erin Evans"))!);
    await app.user.click(await screen.findByTestId("lead-text"));
    const to = await screen.findByTestId("sms-to");
    expect(to).toHaveValue("+12125550199");
    await app.user.keyboard("Checking in about your order");
    await app.user.click(screen.getByTestId("sms-send"));
    await waitFor(() => expect(screen.getByTestId("sms-conversation-name")).toHaveTextContent("Erin Evans"));
    expect(bubbles()[bubbles().length - 1]).toHaveTextContent("Checking in about your order");
  });
});
