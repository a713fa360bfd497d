/// <reference types="node" />
// The real Ringdesk core for the UI tests: `ringdesk-cli serve --stdio` on a fresh database,
// reached through Tauri's own IPC mock. The app under test uses the same `tauriBackend()` as the
// desktop window; each `invoke` goes to the core process as one JSON line, and the core's event
// lines come back as Tauri events. Only what needs hardware or a remote party (a SIP call's
// progress, an inbound text) is faked, per test, with `fake()` and `emit()`.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
import { emit as emitTauriEvent } from "@tauri-apps/api/event";
import type { IpcError } from "../generated/bindings";
import { cliPath } from "./process";

export { cliPath };

/** Where the cores' folders go: memory-backed /dev/shm when there is one (a commit's fsync costs
 * nothing there), else the temporary folder. */
function scratch(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

type Args = Record<string, unknown> | undefined;
/** How the Linux desktop host's `convertFileSrc` names a file (`asset://localhost/<encoded path>`). */
const ASSET_ORIGIN = "asset://localhost/";

/**
 * The desktop host's asset protocol, which jsdom has not: while a core runs, `fetch` of a URL
 * `convertFileSrc` made (the player reading a recording the core downloaded) answers with the
 * file's bytes from disk, 404 when it is missing; every other URL goes to the original `fetch`.
 * Returns what puts the original back.
 */
function serveAssetProtocol(): () => void {
  const original = globalThis.fetch;
  const assetFetch: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(ASSET_ORIGIN)) return original(input, init);
    try {
      const bytes = await readFile(decodeURIComponent(url.slice(ASSET_ORIGIN.length)));
      return new Response(bytes, { status: 200 });
    } catch {
      return new Response(null, { status: 404 });
    }
  };
  globalThis.fetch = assetFetch;
  return () => {
    if (globalThis.fetch === assetFetch) globalThis.fetch = original;
  };
}

/** A test's stand-in for one command: its answer, or a thrown `IpcError`-shaped object. */
export type Fake = (args: Args, core: Core) => unknown;

/** What the test's fake for a command receives and answers; the core never sees those calls. */
export class Core {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly fakes = new Map<string, Fake>();
  /** Every command the window invoked, in order, with its arguments (faked ones included). */
  readonly calls: { cmd: string; args: Args }[] = [];
  private exited: string | null = null;
  private stopped = false;
  private unserveAssets: () => void = () => {};

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly dir: string,
  ) {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => this.receive(line));
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (code, signal) => {
      this.exited = `the core exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ""}`;
      for (const { reject } of this.pending.values()) reject({ code: "internal", message: this.exited });
      this.pending.clear();
    });
  }

  /**
   * Starts a core on an empty database in a new temporary folder (or on `options.db`) and routes
   * Tauri's IPC to it. Its sync service cycles at start, after each local change and when asked,
   * but on its own only every `syncEvery` seconds (default an hour: a test's own actions sync).
   * With `wavAudio` its phone speaks that WAV instead of using sound devices.
   */
  static start(options: { db?: string; env?: Record<string, string>; syncEvery?: number; wavAudio?: string } = {}): Core {
    const cli = cliPath();
    if (!existsSync(cli)) {
      throw new Error(`The UI tests run the real core, and ${cli} does not exist: run \`cargo build -p ringdesk-cli\` (or set RINGDESK_CLI).`);
    }
    const dir = mkdtempSync(join(scratch(), "ringdesk-ui-"));
    const child = spawn(cli, ["--db", options.db ?? join(dir, "ringdesk.db"), "serve", "--stdio", "--memory-secrets", "--sync-every", String(options.syncEvery ?? 3600), ...(options.wavAudio ? ["--wav-audio", options.wavAudio] : [])], {
      env: { ...process.env, RUST_LOG: "off", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const core = new Core(child, dir);
    mockIPC((cmd, args) => core.handle(cmd, args as Args), { shouldMockEvents: true });
    // convertFileSrc as on the Linux desktop, and the asset protocol behind it.
    mockConvertFileSrc("linux");
    core.unserveAssets = serveAssetProtocol();
    return core;
  }

  /** Answers `cmd` with `fake` instead of the core (hardware or a remote party) until `stop()`. */
  fake(cmd: string, fake: Fake): void {
    this.fakes.set(cmd, fake);
  }

  /** Writes a file in the core's folder; resolves with its path. */
  file(name: string, content: string | Uint8Array): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  /** What the next file dialog answers: a path, or null for Cancel. */
  async answerFileDialog(path: string | null): Promise<void> {
    await this.invoke("serve.answer_file_dialog", { path });
  }

  /** Sends an event to the window as the shell would (`call-event`, `realtime-event`, …). */
  async emit(event: string, payload: unknown): Promise<void> {
    await emitTauriEvent(event, payload);
  }

  /** Invokes a command on the core directly (seeding a test's data through the real rules). */
  invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject({ code: "internal", message: this.exited });
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify({ id, cmd, args: args ?? {} })}\n`);
    });
  }

  /** Stops the core and removes its folder. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearMocks();
    this.unserveAssets();
    // No Tauri window any more until the next test starts its core.
    delete (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__;
    delete (window as { __TAURI_EVENT_PLUGIN_INTERNALS__?: unknown }).__TAURI_EVENT_PLUGIN_INTERNALS__;
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(cmd: string, args: Args): Promise<unknown> {
    this.calls.push({ cmd, args });
    const fake = this.fakes.get(cmd);
    if (fake) return fake(args, this);
    return this.invoke(cmd, args);
  }

  private receive(line: string): void {
    let message: { id?: number; ok?: unknown; error?: IpcError; event?: string; payload?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      throw new Error(`The core wrote a line that is not JSON: ${line}`);
    }
    if (message.event) {
      if (this.stopped) return;
      void emitTauriEvent(message.event, message.payload);
      return;
    }
    const waiting = message.id == null ? undefined : this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id!);
    if (message.error) waiting.reject(message.error);
    else waiting.resolve(message.ok ?? null);
  }
}
