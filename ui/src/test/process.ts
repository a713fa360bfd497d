/// <reference types="node" />
// A test process that answers JSON lines: the first line it prints says it is ready, then each
// `{"id", "cmd", "args"}` line on its input gets `{"id", "ok"}` or `{"id", "error"}`. The SignalWire
// emulator and the team backend (crates/testkit's bins) speak it.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

/** The CLI binary (vite.config.ts: `RINGDESK_CLI`, else the workspace's debug build). */
export function cliPath(): string {
  const cli = process.env.RINGDESK_CLI;
  if (!cli) throw new Error("RINGDESK_CLI is not set: run the UI tests through vitest (vite.config.ts sets it).");
  return cli;
}

export class LineProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  private constructor(
    private readonly name: string,
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
  ) {}

  /**
   * Starts `bin` (named by the environment variable `binVariable`, built by `build`) with `args`;
   * resolves with the process and its first line, parsed, once it printed it.
   */
  static async start<T>(binVariable: string, build: string, args: string[]): Promise<{ process: LineProcess; ready: T }> {
    const bin = process.env[binVariable];
    if (!bin || !existsSync(bin)) throw new Error(`${binVariable}=${bin} does not exist: run \`${build}\`.`);
    const name = bin.split("/").pop()!;
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "inherit"] });
    const running = new LineProcess(name, child);
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      child.once("exit", (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
    });
    lines.on("line", (line) => running.receive(line));
    child.on("exit", (code) => {
      for (const { reject } of running.pending.values()) reject(new Error(`${name} exited (${code})`));
      running.pending.clear();
    });
    return { process: running, ready: JSON.parse(first) as T };
  }

  private receive(line: string) {
    const message = JSON.parse(line) as { id: number; ok?: unknown; error?: string };
    const waiting = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (message.error) waiting?.reject(new Error(`${this.name}: ${message.error}`));
    else waiting?.resolve(message.ok ?? null);
  }

  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  /** Closes its input: it ends on its own. */
  stop(): void {
    this.child.stdin.end();
  }

  /** Kills it at once; resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}
