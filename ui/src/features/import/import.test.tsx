/// <reference types="node" />
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LeadList } from "../../generated/bindings";
import { SAMPLE_LEADS, allLeads, renderApp, rowNames } from "../../test/app";

const CSV_NAME = "Expo leads.csv";
const CSV = [
  "Full Name,Company,Mobile,E-mail,Notes",
  'Zed Zimmer,"Zimmer & Co, Ltd",303-555-0177,zed@zimmer.example,"met at expo"', // line 2: created
  "Alice From Expo,,2125550123,,", // line 3: merges into Alice Anders by phone (the name is replaced)
  "Broken Phone,Nowhere,abc,,", // line 4: invalid phone
  "Yara Young,Young LLC,,yara@young.example,", // line 5: created (email only)
  "No Contact,Ghost Inc,,,", // line 6: invalid, no phone or email
  "Bob Again,,,BOB@globex.example,", // line 7: merges into Bob Brown by email
].join("\r\n");

/** Opens the import dialog and chooses `file` in the file dialog (the core's dialog answers with it). */
async function openImportAndPreview(app: Awaited<ReturnType<typeof renderApp>>, file: string | null) {
  const { user, core } = app;
  await core.answerFileDialog(file);
  await user.click(screen.getByTestId("import-button"));
  const dialog = screen.getByTestId("import-dialog");
  await user.click(within(dialog).getByTestId("import-choose"));
  return dialog;
}

describe("Import dialog", () => {
  it("previews, auto-maps the columns, imports good rows, merges duplicates and lists invalid lines; the new list appears", async () => {
    const app = await renderApp({ leads: SAMPLE_LEADS });
    const { user, core } = app;
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const dialog = await openImportAndPreview(app, core.file(CSV_NAME, CSV));

    expect(await within(dialog).findByTestId("import-mapping-0")).toHaveValue("name");
    expect(within(dialog).getByTestId("import-mapping-1")).toHaveValue("company");
    expect(within(dialog).getByTestId("import-mapping-2")).toHaveValue("phone");
    expect(within(dialog).getByTestId("import-mapping-3")).toHaveValue("email");
    expect(within(dialog).getByTestId("import-mapping-4")).toHaveValue("notes");
    expect(dialog).toHaveTextContent("Zimmer & Co, Ltd"); // sample rows are shown

    await user.click(within(dialog).getByTestId("import-target-new"));
    expect(within(dialog).getByTestId("import-new-list-name")).toHaveValue("Expo leads");
    await user.click(within(dialog).getByTestId("import-start"));

    const report = await within(dialog).findByTestId("import-report");
    expect(within(report).getByTestId("import-created")).toHaveTextContent(/^2$/);
    expect(within(report).getByTestId("import-merged")).toHaveTextContent(/^2$/);
    expect(within(report).getByTestId("import-invalid-count")).toHaveTextContent(/^2$/);
    const invalid = within(report).getAllByTestId("import-invalid-row");
    expect(invalid.map((r) => r.querySelector("td")?.textContent)).toEqual(["4", "6"]);
    expect(invalid[0]).toHaveTextContent('phone "abc": the number has no digits');
    expect(invalid[1]).toHaveTextContent("no phone number or email");

    await user.click(within(dialog).getByTestId("import-close"));
    expect(screen.queryByTestId("import-dialog")).not.toBeInTheDocument();

    await waitFor(() => expect(screen.getByTestId("lead-count")).toHaveTextContent(/^7$/));
    await waitFor(() => expect(rowNames()).toContain("Zed Zimmer"));
    const filter = screen.getByTestId("lead-list-filter");
    const option = within(filter).getByRole("option", { name: "Expo leads (4)" });
    await user.selectOptions(filter, option);
    await waitFor(() => expect(rowNames()).toEqual(["Alice From Expo", "Bob Again", "Yara Young", "Zed Zimmer"]));
    const merged = (await allLeads(core)).find((l) => l.name === "Alice From Expo");
    expect(merged?.phoneE164, "Alice Anders took the imported name, her number kept").toBe("+12125550123");
  });

  it("cancelling a running import leaves nothing imported", async () => {
    // Large enough that the import still runs when Cancel is pressed.
    const rows = Array.from({ length: 60_000 }, (_, i) => `Person ${i},+1303${String(2_000_000 + i)},p${i}@example.com`);
    const app = await renderApp({ leads: SAMPLE_LEADS });
    const { user, core } = app;
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const dialog = await openImportAndPreview(app, core.file("big.csv", ["Name,Phone,Email", ...rows].join("\n")));
    await within(dialog).findByTestId("import-mapping-0");
    await user.click(within(dialog).getByTestId("import-target-new"));
    await user.click(within(dialog).getByTestId("import-start"));

    const progress = await within(dialog).findByTestId("import-progress");
    await waitFor(() => expect(Number(progress.getAttribute("aria-valuenow"))).toBeGreaterThan(0));
    await user.click(within(dialog).getByTestId("import-cancel"));

    expect(await within(dialog).findByText("Import cancelled: nothing was imported.")).toBeInTheDocument();
    expect(within(dialog).queryByTestId("import-report")).not.toBeInTheDocument();
    expect(await allLeads(core), "no lead was added").toHaveLength(5);
    expect(await core.invoke<LeadList[]>("list_lists"), "and no list").toEqual([]);
    expect(screen.getByTestId("lead-count")).toHaveTextContent(/^5$/);
    // the mapping is still there, so the user can try again
    expect(within(dialog).getByTestId("import-start")).toBeEnabled();
  });

  it("shows a file that is not UTF-8 as a clear error and changes nothing", async () => {
    const latin1 = new Uint8Array([...new TextEncoder().encode("Name,Phone\nJos"), 0xe9, ...new TextEncoder().encode(",2125550123\n")]);
    const app = await renderApp({ leads: SAMPLE_LEADS });
    await waitFor(() => expect(rowNames()).toHaveLength(5));
    const dialog = await openImportAndPreview(app, app.core.file("latin1.csv", latin1));

    const error = await within(dialog).findByTestId("import-error");
    expect(error, "the core's reason, with the line").toHaveTextContent("Line 2 is not valid UTF-8 text");
    expect(within(dialog).queryByTestId("import-mapping-0")).not.toBeInTheDocument();
    expect(within(dialog).getByTestId("import-start")).toBeDisabled();
    expect(await allLeads(app.core), "nothing was imported").toHaveLength(5);

  });

  it("will not start without a Phone or Email column and says why", async () => {
    const app = await renderApp();
    const { user } = app;
    const dialog = await openImportAndPreview(app, app.core.file("names.csv", "Name,City\nAl,Boston\n"));
    await within(dialog).findByTestId("import-mapping-0");
    expect(within(dialog).getByTestId("import-start")).toBeDisabled();
    expect(dialog).toHaveTextContent("Map a column to Phone or Email");

    await user.selectOptions(within(dialog).getByTestId("import-mapping-1"), "phone");
    expect(within(dialog).getByTestId("import-start")).toBeEnabled();
  });

  it("Choose file… previews the file chosen in the dialog; the dialog has no path to type", async () => {
    const { user, core } = await renderApp();
    const path = core.file(CSV_NAME, CSV);
    await core.answerFileDialog(path);
    await user.click(screen.getByTestId("import-button"));
    expect(screen.getByTestId("import-file"), "nothing chosen yet").toHaveTextContent("No file chosen");
    expect(within(screen.getByTestId("import-dialog")).queryByRole("textbox"), "no path field").not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Choose file/ }));
    expect(await screen.findByTestId("import-mapping-0")).toHaveValue("name");
    expect(screen.getByTestId("import-file")).toHaveTextContent(path);
  });

  it("a cancelled file dialog leaves the import dialog as it was", async () => {
    const { user, core } = await renderApp();
    await core.answerFileDialog(null);
    await user.click(screen.getByTestId("import-button"));
    await user.click(screen.getByTestId("import-choose"));
    await waitFor(() => expect(screen.getByTestId("import-choose")).toBeEnabled());
    expect(screen.getByTestId("import-file")).toHaveTextContent("No file chosen");
    expect(screen.queryByTestId("import-error"), "a cancel is not an error").not.toBeInTheDocument();
  });
});
