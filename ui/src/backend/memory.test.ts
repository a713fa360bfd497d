import { NO_SETTINGS_CHANGE } from "./settings";
import { describe, expect, it } from "vitest";
import type { LeadQuery, SettingsUpdate } from "../generated/bindings";
import { BackendError } from "./errors";
import { BACKEND_ACCOUNT, MemoryBackend, SUPABASE_CONFIGURED } from "./memory";
import { parseCsv, autoMap } from "./csv";
import { normalizePhone } from "./phone";

const q = (over: Partial<LeadQuery> = {}): LeadQuery => ({
  search: null,
  listId: null,
  sort: { field: "name", descending: false },
  offset: 0,
  limit: 100,
  ...over,
});

function backendWithPeople() {
  return new MemoryBackend({
    leads: [
      { name: "Alice Anders", company: "Acme Corp", email: "alice@acme.example", phone: "(555) 123-4567" },
      { name: "Bob Brown", company: "Globex", email: "BOB@globex.example", phone: "415-555-0100" },
      { name: "carla cruz", company: "ACME Labs", email: null, phone: "+44 20 7946 0958" },
      { name: "Dan Dorsey", company: null, email: "dan@example.com", phone: null },
    ],
  });
}

describe("MemoryBackend search and paging", () => {
  it("matches name, company and email case-insensitively", async () => {
    const b = backendWithPeople();
    expect((await b.listLeads(q({ search: "acme" }))).rows.map((r) => r.name)).toEqual(["Alice Anders", "carla cruz"]);
    expect((await b.listLeads(q({ search: "bob@GLOBEX" }))).rows.map((r) => r.name)).toEqual(["Bob Brown"]);
    expect((await b.listLeads(q({ search: "CRUZ" }))).total).toBe(1);
  });

  it("matches a digits query anywhere inside the phone digits, ignoring punctuation", async () => {
    const b = backendWithPeople();
    expect((await b.listLeads(q({ search: "1234" }))).rows.map((r) => r.name)).toEqual(["Alice Anders"]);
    expect((await b.listLeads(q({ search: "555-0100" }))).rows.map((r) => r.name)).toEqual(["Bob Brown"]);
    expect((await b.listLeads(q({ search: "7946 0958" }))).rows.map((r) => r.name)).toEqual(["carla cruz"]);
    expect((await b.listLeads(q({ search: "99999" }))).total).toBe(0);
  });

  it("pages with offset/limit and always reports the full total", async () => {
    const b = new MemoryBackend({ seed: 250 });
    const first = await b.listLeads(q({ offset: 0, limit: 100 }));
    const last = await b.listLeads(q({ offset: 200, limit: 100 }));
    expect(first.total).toBe(250);
    expect(first.rows).toHaveLength(100);
    expect(last.rows).toHaveLength(50);
    expect(last.offset).toBe(200);
    const all = await b.listLeads(q({ offset: 0, limit: 1000 }));
    expect([...first.rows, ...(await b.listLeads(q({ offset: 100, limit: 100 }))).rows, ...last.rows].map((r) => r.id)).toEqual(
      all.rows.map((r) => r.id),
    );
  });

  it("generates the same demo leads for the same seed", async () => {
    const a = await new MemoryBackend({ seed: 50 }).listLeads(q());
    const b = await new MemoryBackend({ seed: 50 }).listLeads(q());
    expect(a.rows).toEqual(b.rows);
  });

  it("sorts by a field in both directions with empty values last", async () => {
    const b = backendWithPeople();
    const asc = await b.listLeads(q({ sort: { field: "company", descending: false } }));
    expect(asc.rows.map((r) => r.company)).toEqual(["Acme Corp", "ACME Labs", "Globex", null]);
    const desc = await b.listLeads(q({ sort: { field: "company", descending: true } }));
    expect(desc.rows.map((r) => r.company)).toEqual(["Globex", "ACME Labs", "Acme Corp", null]);
  });

  it("filters by list", async () => {
    const b = backendWithPeople();
    const list = await b.createList("Callbacks", null);
    const ids = (await b.listLeads(q())).rows.map((r) => r.id);
    b.addToList(list.id, [ids[1], ids[3]]);
    const page = await b.listLeads(q({ listId: list.id }));
    expect(page.rows.map((r) => r.name)).toEqual(["Bob Brown", "Dan Dorsey"]);
    expect((await b.listLists())[0].memberCount).toBe(2);
  });
});

describe("MemoryBackend updateLead validation", () => {
  it("normalises a 10-digit phone to +1 and formats it", async () => {
    const b = backendWithPeople();
    const [alice] = (await b.listLeads(q({ search: "alice" }))).rows;
    const lead = await b.updateLead(alice.id, { ...nullPatch(), phone: "212.555.0188" });
    expect(lead.phoneE164).toBe("+12125550188");
    expect(lead.phoneDisplay).toBe("(212) 555-0188");
  });

  it("rejects an empty name, an email without @, a bad phone and a non-numeric value with invalidInput", async () => {
    const b = backendWithPeople();
    const [alice] = (await b.listLeads(q({ search: "alice" }))).rows;
    for (const patch of [{ name: "  " }, { email: "alice.acme.example" }, { phone: "12345" }, { value: "lots" }]) {
      const err = await b.updateLead(alice.id, { ...nullPatch(), ...patch }).catch((e) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as BackendError).code).toBe("invalidInput");
    }
    const unchanged = await b.getLead(alice.id);
    expect(unchanged.email).toBe("alice@acme.example");
    expect(unchanged.name).toBe("Alice Anders");
  });
});

describe("MemoryBackend import", () => {
  it("parses quotes, CRLF and a BOM, and reports records with their first line", () => {
    const records = parseCsv('\uFEFFName,Notes\r\n"Smith, Jo","line one\r\nline two"\r\nAl,"say ""hi"""\r\n');
    expect(records.map((r) => r.fields)).toEqual([
      ["Name", "Notes"],
      ["Smith, Jo", "line one\r\nline two"],
      ["Al", 'say "hi"'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it("auto-maps common header names", () => {
    expect(autoMap(["Full Name", "E-mail", "Mobile", "Organization", "Title", "Deal Value", "Foo"])).toEqual([
      "name",
      "email",
      "phone",
      "company",
      "position",
      "value",
      null,
    ]);
  });

  it("creates, merges duplicates by phone or email, and reports invalid lines", async () => {
    const b = backendWithPeople();
    b.files.set(
      "/in.csv",
      [
        "Name,Phone,Email,Company",
        "New Person,212-555-0111,new@x.example,NewCo", // line 2: created
        "Alice Again,5551234567,,Acme Corp", // line 3: merges into Alice by phone
        "Bad Phone,abc,,", // line 4: invalid
        "Nobody,,,", // line 5: invalid (no phone or email)
        "Dan Dup,,DAN@example.com,Dorsey Inc", // line 6: merges into Dan by email; non-empty cells replace
      ].join("\n"),
    );
    const preview = await b.previewImport("/in.csv");
    const report = await b.importLeads({ path: "/in.csv", mapping: preview.mapping, target: { kind: "newList", name: "in" } });
    expect(report).toMatchObject({ created: 1, merged: 2, invalidTotal: 2 });
    expect(report.invalid[0]).toEqual({ line: 4, reason: expect.stringContaining('phone "abc" is not a phone number') });
    expect(report.invalid[1].line).toBe(5);
    const dan = (await b.listLeads(q({ search: "dan dup" }))).rows[0];
    expect(dan.company).toBe("Dorsey Inc");
    expect(dan.email).toBe("DAN@example.com"); // merged into the existing lead (the count below stays 5)
    const list = (await b.listLists()).find((l) => l.name === "in")!;
    expect(list.memberCount).toBe(3);
    expect((await b.appInfo()).leadCount).toBe(5);
  });

  it("rejects a file that is not UTF-8 with a csv error", async () => {
    const b = new MemoryBackend({ files: { "/latin1.csv": new Uint8Array([0x4e, 0x61, 0x6d, 0x65, 0x0a, 0xe9, 0x0a]) } });
    await expect(b.previewImport("/latin1.csv")).rejects.toMatchObject({ code: "csv", message: expect.stringContaining("UTF-8") });
  });

  it("emits progress and imports nothing when cancelled", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `Person ${i},+1202555${String(1000 + i)}`);
    const b = new MemoryBackend({ files: { "/big.csv": ["Name,Phone", ...rows].join("\n") }, importChunkRows: 5, importDelayMs: 2 });
    const seen: number[] = [];
    await b.onImportProgress((p) => {
      seen.push(p.rowsRead);
      if (p.rowsRead >= 10) void b.cancelImport();
    });
    const err = await b.importLeads({ path: "/big.csv", mapping: ["name", "phone"], target: { kind: "newList", name: "big" } }).catch((e) => e);
    expect(err).toMatchObject({ code: "cancelled" });
    expect(seen.length).toBeGreaterThan(1);
    expect((await b.appInfo()).leadCount).toBe(0);
    expect(await b.listLists()).toEqual([]);
  });
});

describe("MemoryBackend settings, lookup, export", () => {
  it("tracks secrets only as flags", async () => {
    const b = new MemoryBackend();
    const s = await b.setSecret("sipPassword", "hunter2");
    expect(s.sipPasswordSet).toBe(true);
    expect(JSON.stringify(await b.getSettings())).not.toContain("hunter2");
    expect((await b.clearSecret("sipPassword")).sipPasswordSet).toBe(false);
  });

  it("looks up a number, formats it and finds its lead", async () => {
    const b = backendWithPeople();
    const r = await b.lookupNumber("555.123.4567");
    expect(r).toMatchObject({ e164: "+15551234567", display: "(555) 123-4567", error: null });
    expect(r.lead?.name).toBe("Alice Anders");
    expect((await b.lookupNumber("12")).error).toMatch(/too short/);
  });

  it("exports CSV text into files and counts rows", async () => {
    const b = backendWithPeople();
    const report = await b.exportLeads("out.csv", null);
    expect(report?.rows).toBe(4);
    const text = b.files.get("/home/agent/Documents/out.csv") as string;
    expect(text.split("\r\n")[0]).toBe("Name,Email,Phone,Company,Position,Status,Value,Source,Notes,Timezone,Last contact");
    expect(text).toContain("Alice Anders,alice@acme.example,+15551234567,Acme Corp");
  });

  it("normalises phone numbers with the NANP rule", () => {
    expect(normalizePhone("(555) 123-4567")).toEqual({ ok: true, e164: "+15551234567" });
    expect(normalizePhone("1 555 123 4567")).toEqual({ ok: true, e164: "+15551234567" });
    expect(normalizePhone("+49 30 1234567")).toEqual({ ok: true, e164: "+49301234567" });
    expect(normalizePhone("555-CALL-NOW").ok).toBe(false);
  });
});

describe("MemoryBackend team sync", () => {
  it("is off without a backend; a Supabase backend needs the key and a sign-in, then a cycle runs", async () => {
    const b = new MemoryBackend();
    const notices: string[] = [];
    await b.onSync((n) => notices.push(`${n.status.state}${n.changed ? "+changed" : ""}`));
    expect((await b.syncStatus()).state).toBe("off");
    await expect(b.syncNow()).rejects.toMatchObject({ code: "notConfigured", message: "Sync is off: no backend URL. Set the backend in Settings." });

    await b.updateSettings({ ...nullSettings(), backendUrl: "https://acme-crm.supabase.co" });
    await expect(b.backendSignIn(BACKEND_ACCOUNT.email, BACKEND_ACCOUNT.password)).rejects.toMatchObject({
      code: "invalidInput",
      message: "Enter the project's publishable (anon) key first.",
    });
    await b.setSecret("backendKey", "sb_publishable_123");
    expect((await b.syncStatus()).error).toBe("Sync is off: sign in to the backend in Settings.");
    await expect(b.backendSignIn(BACKEND_ACCOUNT.email, "")).rejects.toMatchObject({ code: "invalidInput" });
    await expect(b.backendSignIn(BACKEND_ACCOUNT.email, "wrong")).rejects.toMatchObject({
      code: "provider",
      message: "Sign-in refused: Invalid login credentials.",
    });
    await expect(b.setSecret("backendSession", "token")).rejects.toBeInstanceOf(BackendError);

    notices.length = 0;
    const s = await b.backendSignIn(`  ${BACKEND_ACCOUNT.email} `, BACKEND_ACCOUNT.password);
    expect(s).toMatchObject({ backendSignedIn: true, backendEmail: BACKEND_ACCOUNT.email });
    expect(notices).toEqual(["syncing", "synced"]);
    expect((await b.backendSignOut()).backendSignedIn).toBe(false);
    expect((await b.syncStatus()).state).toBe("off");
  });

  it("checks the backend URL like the Rust side: https (http only for localhost) or postgres:// without a password", async () => {
    const b = new MemoryBackend();
    const url = (backendUrl: string) => b.updateSettings({ ...nullSettings(), backendUrl });
    await expect(url("https://abcd.supabase.co")).resolves.toMatchObject({ backendUrl: "https://abcd.supabase.co" });
    await expect(url("http://localhost:54321")).resolves.toBeTruthy();
    await expect(url("postgres://agent@db.example.com:5432/crm?sslmode=require")).resolves.toBeTruthy();
    await expect(url("http://example.com")).rejects.toMatchObject({ code: "invalidInput" });
    await expect(url("postgres://agent:pw@db.example.com/crm")).rejects.toThrow("Leave the password out of the backend URL");
    await expect(url("postgres://db.example.com/crm")).rejects.toThrow("must look like postgres://agent_role@");
  });

  it("counts local edits as pending until a cycle pushes them, and pulls the backend's leads", async () => {
    const b = new MemoryBackend({ leads: [{ name: "Alice Anders", phone: "(555) 123-4567" }], settings: { ...SUPABASE_CONFIGURED, backendSignedIn: true } });
    b.addRemoteLeads([{ name: "Fay Fischer", email: "fay@fjord.example" }]);
    const changed: boolean[] = [];
    await b.onSync((n) => changed.push(n.changed));
    await b.updateLead("lead-000001", { ...nullPatch(), company: "Acme" });
    await b.createLead({ ...nullPatch(), name: "Bob Brown" });
    expect((await b.syncStatus()).pending).toBe(2);

    b.setSyncOffline(true);
    await expect(b.syncNow()).rejects.toMatchObject({ code: "offline" });
    expect(await b.syncStatus()).toMatchObject({ state: "offline", pending: 2 });

    b.setSyncOffline(false);
    changed.length = 0;
    const report = await b.syncNow();
    expect(report).toMatchObject({ pushed: 2, pulled: 1, pending: 0 });
    expect(await b.syncStatus()).toMatchObject({ state: "synced", pending: 0, error: null });
    expect(changed[changed.length - 1]).toBe(true);
    expect(b.allLeads().map((l) => l.name)).toContain("Fay Fischer");
  });

  it("resolving a conflict with the agent's value applies it again; issues list newest first and clear", async () => {
    const b = new MemoryBackend({
      leads: [{ name: "Bob Brown", status: "contacted" }],
      syncConflicts: [{ leadId: "lead-000001", field: "status", yourValue: "won", serverValue: "contacted" }],
      syncIssues: [
        { kind: "rejected", rowId: "lead-000001", message: "first", createdAt: "2025-01-01T00:00:00.000Z" },
        { kind: "badRow", rowId: "web-1", message: "second", createdAt: "2025-01-02T00:00:00.000Z" },
      ],
    });
    const [conflict] = await b.syncConflicts();
    expect(conflict).toMatchObject({ leadName: "Bob Brown", field: "status" });
    expect(await b.resolveSyncConflict(conflict.id, true)).toEqual([]);
    expect((await b.getLead("lead-000001")).status).toBe("won");
    expect((await b.syncStatus()).pending).toBe(1);
    await expect(b.resolveSyncConflict(conflict.id, false)).rejects.toMatchObject({ code: "notFound" });

    expect((await b.syncIssues(10)).map((i) => i.message)).toEqual(["second", "first"]);
    expect((await b.syncIssues(1)).map((i) => i.message)).toEqual(["second"]);
    await b.clearSyncIssues();
    expect(await b.syncIssues(10)).toEqual([]);
    expect((await b.syncStatus()).issues).toBe(0);
  });
});

function nullSettings(): SettingsUpdate {
  return { ...NO_SETTINGS_CHANGE };
}

function nullPatch() {
  return { name: null, email: null, phone: null, company: null, position: null, status: null, value: null, source: null, notes: null, timezone: null };
}
