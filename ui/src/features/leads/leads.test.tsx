/// <reference types="node" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LeadPage } from "../../generated/bindings";
import { SAMPLE_LEADS, allLeads, importCsv, renderApp, rowNames, seedList } from "../../test/app";
import { Core } from "../../test/core";

describe("Leads table", () => {
  it("shows every lead and the total in the sidebar badge", async () => {
    await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toEqual(["Alice Anders", "Bob Brown", "Carla Cruz", "Dan Dorsey", "Erin Evans"]));
    expect(screen.getByTestId("lead-count")).toHaveTextContent(/^5$/);
    const alice = screen.getAllByTestId("lead-row")[0];
    expect(alice).toHaveAttribute("data-lead-id");
    expect(alice).toHaveTextContent("(212) 555-0123");
    expect(alice).toHaveTextContent("alice@acme.example");
  });

  it("search narrows the table as you type (name, company, phone digits)", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const search = screen.getByTestId("lead-search");

    await user.type(search, "acme");
    await waitFor(() => expect(rowNames()).toEqual(["Alice Anders", "Dan Dorsey"]));

    await user.clear(search);
    await user.type(search, "0199");
    await waitFor(() => expect(rowNames()).toEqual(["Erin Evans"]));

    await user.clear(search);
    await user.type(search, "zzzz");
    await waitFor(() => expect(screen.getByTestId("lead-no-matches")).toHaveTextContent("No leads match “zzzz”"));
    expect(rowNames()).toEqual([]);
  });

  it("list filter shows only the members of the chosen list", async () => {
    const core = Core.start();
    const { user } = await renderApp({ core, leads: SAMPLE_LEADS, seed: (c) => seedList(c, "Callbacks", ["Bob Brown,bob@globex.example", "Alice Anders,alice@acme.example"]) });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const list = (await core.invoke<{ id: string; name: string }[]>("list_lists")).find((l) => l.name === "Callbacks")!;

    const filter = screen.getByTestId("lead-list-filter");
    await waitFor(() => expect(within(filter).getByRole("option", { name: "Callbacks (2)" })).toBeInTheDocument());
    await user.selectOptions(filter, list.id);
    await waitFor(() => expect(rowNames()).toEqual(["Alice Anders", "Bob Brown"]));

    await user.selectOptions(filter, "");
    await waitFor(() => expect(rowNames()).toHaveLength(5));
  });

  it("clicking a column header sorts by it, clicking again reverses", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));

    const valueHeader = screen.getByRole("button", { name: /^Value/ });
    await user.click(valueHeader);
    // The core sorts a missing value first when ascending (SQLite's NULLS FIRST), last descending.
    await waitFor(() => expect(rowNames()).toEqual(["Dan Dorsey", "Erin Evans", "Carla Cruz", "Alice Anders", "Bob Brown"]));
    expect(screen.getByRole("columnheader", { name: /Value/ })).toHaveAttribute("aria-sort", "ascending");

    await user.click(valueHeader);
    await waitFor(() => expect(rowNames()).toEqual(["Bob Brown", "Alice Anders", "Carla Cruz", "Erin Evans", "Dan Dorsey"]));
    expect(screen.getByRole("columnheader", { name: /Value/ })).toHaveAttribute("aria-sort", "descending");
    expect(screen.getByRole("columnheader", { name: /Name/ })).not.toHaveAttribute("aria-sort");
  });

  it("renders only the visible rows of 20k leads and fetches pages of 100 as you scroll", async () => {
    const core = Core.start();
    const rows = Array.from({ length: 20_000 }, (_, i) => `Lead ${String(i).padStart(5, "0")},lead${i}@example.com`);
    await importCsv(core, ["Name,Email", ...rows].join("\n"));
    await renderApp({ core });
    const queries = () => core.calls.filter((c) => c.cmd === "list_leads").map((c) => (c.args as { query: { offset: number; limit: number } }).query);
    await waitFor(() => expect(screen.getAllByTestId("lead-row").length).toBeGreaterThan(10));
    expect(screen.getByTestId("lead-count")).toHaveTextContent("20000");
    expect(screen.getAllByTestId("lead-row").length, "only the visible rows are rendered").toBeLessThan(60);
    expect(queries().every((q) => q.limit === 100), "pages of 100").toBe(true);

    const body = screen.getByTestId("lead-table").querySelector("[data-virtual-scroll]")!;
    body.scrollTop = 10_000 * 32;
    fireEvent.scroll(body);
    await waitFor(() => expect(queries().some((q) => q.offset === 10_000), "the page under the scroll position is fetched").toBe(true));
    const query = { search: null, listId: null, sort: { field: "name", descending: false }, offset: 10_000, limit: 1 };
    const expected = (await core.invoke<LeadPage>("list_leads", { query })).rows[0];
    await waitFor(() => expect(screen.getAllByTestId("lead-row").some((r) => r.getAttribute("data-lead-id") === expected.id)).toBe(true));
    expect(screen.getAllByTestId("lead-row").length).toBeLessThan(60);
  }, 30_000);

  it("shows an Import CSV call to action when there are no leads", async () => {
    const { user } = await renderApp({});
    const empty = await screen.findByTestId("lead-empty");
    await user.click(within(empty).getByRole("button", { name: "Import CSV" }));
    expect(screen.getByTestId("import-dialog")).toBeInTheDocument();
  });

  it("Enter opens the focused row and Up/Down move the selection", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const body = screen.getByTestId("lead-table").querySelector<HTMLElement>("[data-virtual-scroll]")!;
    body.focus();
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");
    // The lead's details come from the core: the panel shows "Loading…" until they do.
    expect(await within(screen.getByTestId("lead-detail")).findByRole("heading", { name: "Bob Brown" })).toBeInTheDocument();
    await user.keyboard("{ArrowDown}");
    await waitFor(() => expect(within(screen.getByTestId("lead-detail")).getByRole("heading", { name: "Carla Cruz" })).toBeInTheDocument());
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("lead-detail")).not.toBeInTheDocument();
  });

  it("Export writes the current list to the chosen file and reports the row count", async () => {
    const { user, core } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const saveTo = join(core.dir, "leads.csv");
    await core.answerFileDialog(saveTo);
    await user.click(screen.getByTestId("export-button"));
    expect(await screen.findByText(`Exported 5 leads to ${saveTo}`)).toBeInTheDocument();
    expect(readFileSync(saveTo, "utf8"), "the file holds the leads").toContain("Bob Brown");
  });
});

describe("Lead detail panel", () => {
  it("opens on row click and shows the formatted and E.164 phone", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByText("Alice Anders"));
    const panel = await screen.findByTestId("lead-detail");
    await waitFor(() => expect(within(panel).getByRole("heading", { name: "Alice Anders" })).toBeInTheDocument());
    expect(panel).toHaveTextContent("(212) 555-0123");
    expect(panel).toHaveTextContent("+12125550123");
  });

  it("saves an edited field on Enter and refreshes the row; a bad email shows its error and changes nothing else", async () => {
    const { user, core } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByText("Alice Anders"));
    const company = await screen.findByTestId("lead-field-company");
    await waitFor(() => expect(company).toHaveValue("Acme Corp"));

    await user.clear(company);
    await user.type(company, "Acme Holdings{Enter}");
    expect(await screen.findByTestId("lead-field-company-saved")).toBeInTheDocument();
    const aliceRow = () => screen.getAllByTestId("lead-row").find((r) => r.textContent?.includes("Alice Anders"))!;
    await waitFor(() => expect(aliceRow()).toHaveTextContent("Acme Holdings"));

    const email = screen.getByTestId("lead-field-email");
    await user.clear(email);
    await user.type(email, "alice-at-acme");
    await user.tab(); // blur saves
    const error = await screen.findByTestId("lead-field-email-error");
    expect(error).toHaveTextContent('Email "alice-at-acme" is not an address like name@example.com');
    expect(email).toHaveValue("alice-at-acme"); // kept as typed so it can be fixed
    expect(screen.queryByTestId("lead-field-name-error")).not.toBeInTheDocument();

    const stored = (await allLeads(core)).find((l) => l.name === "Alice Anders")!;
    expect(stored.email, "the bad email was not stored").toBe("alice@acme.example");
    expect(stored.company, "the company was").toBe("Acme Holdings");
    expect(screen.getByTestId("lead-field-company")).toHaveValue("Acme Holdings");
    expect(screen.getByTestId("lead-field-phone")).toHaveValue("(212) 555-0123");

    // Escape reverts the field (the panel stays open); a second Escape closes the panel.
    await user.click(email);
    await user.keyboard("{Escape}");
    expect(email).toHaveValue("alice@acme.example");
    expect(screen.queryByTestId("lead-field-email-error")).not.toBeInTheDocument();
    expect(screen.getByTestId("lead-detail")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("lead-detail")).not.toBeInTheDocument();
  });

  it("a phone edit is normalised: the header shows the new formatted number", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByText("Dan Dorsey"));
    const phone = await screen.findByTestId("lead-field-phone");
    await user.type(phone, "1-303-555-0142{Enter}");
    const panel = screen.getByTestId("lead-detail");
    await waitFor(() => expect(panel).toHaveTextContent("(303) 555-0142"));
    expect(panel).toHaveTextContent("+13035550142");

    await user.clear(phone);
    await user.type(phone, "12345{Enter}");
    expect(await screen.findByTestId("lead-field-phone-error")).toHaveTextContent('Phone "12345": +12345 is not a valid number in any numbering plan.');
  });

  it("the close button closes the panel", async () => {
    const { user } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByText("Bob Brown"));
    await user.click(await screen.findByTestId("lead-detail-close"));
    expect(screen.queryByTestId("lead-detail")).not.toBeInTheDocument();
  });
});

describe("New lead", () => {
  it("New lead adds a lead by hand: an empty dialog, errors next to their field, then the lead in the table with its details open", async () => {
    const { user, core } = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByTestId("new-lead-button"));
    const dialog = screen.getByRole("dialog", { name: "New lead" });
    const name = within(dialog).getByTestId("create-lead-name");
    const phone = within(dialog).getByTestId("create-lead-phone");
    expect(name).toHaveFocus();
    expect(name).toHaveValue("");
    expect(phone).toHaveValue("");
    expect(phone).not.toHaveAttribute("readonly");

    await user.type(name, "Frank Foster");
    await user.type(phone, "555-12");
    await user.click(within(dialog).getByTestId("create-lead-submit"));
    expect(await within(dialog).findByTestId("create-lead-phone-error")).toHaveTextContent('Phone "555-12": +155512 is not a valid number in any numbering plan.');
    expect(phone).toHaveFocus();

    await user.clear(phone);
    await user.type(phone, "(617) 555-0123{Enter}");
    await waitFor(() => expect(screen.queryByTestId("create-lead-dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(rowNames()).toContain("Frank Foster"));
    expect(screen.getByTestId("toast")).toHaveTextContent("Lead “Frank Foster” created.");
    await waitFor(() => expect(screen.getByTestId("lead-count")).toHaveTextContent(/^6$/));
    await waitFor(() => expect(screen.getByTestId("lead-field-name")).toHaveValue("Frank Foster"));
    expect(screen.getByTestId("lead-field-phone")).toHaveValue("(617) 555-0123");
    expect((await allLeads(core)).find((l) => l.name === "Frank Foster")?.phoneE164, "stored as E.164").toBe("+16175550123");
  });

  it("a lead created from Messages appears in the Leads table", async () => {
    // A text from an unknown number arrived at SignalWire (the emulator) and was synced.
    const { user } = await renderApp({
      leads: SAMPLE_LEADS,
      signalWire: true,
      ownedNumbers: ["+14155550199"],
      seed: async (core, signalWire) => {
        await signalWire!.call("receive_message", { from: "+13035550144", to: "+14155550199", body: "Who is this?" });
        await core.invoke("sync_sms");
      },
    });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    await user.click(screen.getByTestId("nav-messages"));
    const row = await screen.findByTestId("sms-thread");
    await user.click(within(row).getByRole("button", { name: /Create lead/ }));
    await user.type(screen.getByTestId("create-lead-name"), "Dana Whitfield{Enter}");
    await waitFor(() => expect(screen.getByTestId("sms-thread")).toHaveTextContent("Dana Whitfield"));
    await user.click(screen.getByTestId("nav-leads"));
    await waitFor(() => expect(rowNames()).toContain("Dana Whitfield"));
  });
});
