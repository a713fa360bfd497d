/// <reference types="node" />
// The remote party of the SignalWire features in the UI tests: the Rust SignalWire emulator
// (crates/testkit, `signalwire-emulator`) as a process, REST and RELAY on a loopback port. A core
// started with `env: signalWire.env()` talks to it as it would to SignalWire.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { existsSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import type { SettingsUpdate } from "../generated/bindings";

export const PROJECT = "6b1f9d4e-0c2a-4c4e-9a57-3f0d2a1b7c55";
export const TOKEN = "PTtest-token";
/** What Settings hold for this emulator (the token goes to the keychain: `TOKEN`). */
export const SIGNALWIRE_SETTINGS: Partial<SettingsUpdate> = { signalwireSpace: "acme", signalwireProjectId: PROJECT };

export class SignalWire {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    lines: Interface,
    readonly origin: string,
  ) {
    lines.on("line", (line) => {
      const message = JSON.parse(line) as { id: number; ok?: unknown; error?: string };
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(`signalwire-emulator: ${message.error}`));
      else waiting?.resolve(message.ok ?? null);
    });
  }

  /** Starts an emulator on a free loopback port, or on `port` (coming back after `cut()`). */
  static async start(port?: number): Promise<SignalWire> {
    const bin = process.env.RINGDESK_SIGNALWIRE_EMULATOR;
    if (!bin || !existsSync(bin)) {
      throw new Error(`The SignalWire emulator ${bin} does not exist: run \`cargo build -p ringdesk-testkit --bin signalwire-emulator\`.`);
    }
    const child = spawn(bin, [PROJECT, TOKEN, ...(port ? [String(port)] : [])], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      child.once("exit", (code) => reject(new Error(`signalwire-emulator exited (${code})`)));
    });
    return new SignalWire(child, lines, (JSON.parse(first) as { origin: string }).origin);
  }

  /** The environment of a core that talks to this emulator. */
  env(): Record<string, string> {
    return { RINGDESK_SIGNALWIRE_URL: this.origin };
  }

  /** Calls one of the emulator's own methods (`own_number`, `receive_message`, `fail_next`, …). */
  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  stop(): void {
    this.child.stdin.end();
  }

  /** The loopback port it listens on. */
  get port(): number {
    return Number(new URL(this.origin).port);
  }

  /** SignalWire goes away (its port closes); resolves once it has. */
  async cut(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}
