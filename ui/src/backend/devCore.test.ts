// @vitest-environment node
/// <reference types="node" />
// `npm run dev` in a plain browser: the dev server's bridge answers the window's commands from a
// real core (vite.config.ts, ringdeskCore).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: ViteDevServer;
let origin: string;

beforeAll(async () => {
  process.env.RINGDESK_DEV_DB = join(mkdtempSync(join(tmpdir(), "ringdesk-dev-")), "ringdesk.db");
  server = await createServer({ configFile: new URL("../../vite.config.ts", import.meta.url).pathname, server: { port: 0, strictPort: false }, logLevel: "silent" });
  await server.listen();
  const address = server.httpServer!.address() as { port: number };
  origin = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await server.close();
});

const invoke = async (cmd: string, args: Record<string, unknown> = {}) =>
  (await fetch(`${origin}/__ringdesk/invoke`, { method: "POST", body: JSON.stringify({ cmd, args }) })).json();

describe("the dev server's core bridge", () => {
  it("answers commands from a real core on the development database, errors included", async () => {
    const info = await invoke("app_info");
    expect(info.ok?.dbPath, "the core opened RINGDESK_DEV_DB").toBe(process.env.RINGDESK_DEV_DB);
    const created = await invoke("create_lead", { fields: { name: "Dev Lead", phone: "(212) 555-0123" } });
    expect(created.ok?.phoneE164, "the core's phone rules").toBe("+12125550123");
    const refused = await invoke("lookup_number", { input: "555-12" });
    expect(refused.ok?.error, "its refusal, as the desktop shows it").toMatch(/not a valid number/);
    const missing = await invoke("get_lead", {});
    expect(missing.error?.code, "a bad request is the core's own error").toBe("invalidInput");
  });

  it("serves only files of the core's recordings folder", async () => {
    const outside = await fetch(`${origin}/__ringdesk/recording?path=${encodeURIComponent("/etc/hostname")}`);
    expect(outside.status, "a file elsewhere is refused").toBe(403);
  });
});
