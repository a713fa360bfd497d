/// <reference types="node" />
// The remote party of the SignalWire features in the UI tests: the Rust SignalWire emulator
// (crates/testkit, `signalwire-emulator`) as a process, REST and RELAY on a loopback port. A core
// started with `env: signalWire.env()` talks to it as it would to SignalWire.
import type { SettingsUpdate } from "../generated/bindings";
import { LineProcess } from "./process";

export const PROJECT = "6b1f9d4e-0c2a-4c4e-9a57-3f0d2a1b7c55";
export const TOKEN = "PTtest-token";
/** What Settings hold for this emulator (the token goes to the keychain: `TOKEN`). */
export const SIGNALWIRE_SETTINGS: Partial<SettingsUpdate> = { signalwireSpace: "acme", signalwireProjectId: PROJECT };

export class SignalWire {
  private constructor(
    private readonly process: LineProcess,
    readonly origin: string,
  ) {}

  /** Starts an emulator on a free loopback port, or on `port` (coming back after `cut()`). */
  static async start(port?: number): Promise<SignalWire> {
    const { process, ready } = await LineProcess.start<{ origin: string }>(
      "RINGDESK_SIGNALWIRE_EMULATOR",
      "cargo build -p ringdesk-testkit --bin signalwire-emulator",
      [PROJECT, TOKEN, ...(port ? [String(port)] : [])],
    );
    return new SignalWire(process, ready.origin);
  }

  /** The environment of a core that talks to this emulator. */
  env(): Record<string, string> {
    return { RINGDESK_SIGNALWIRE_URL: this.origin };
  }

  /** Calls one of the emulator's own methods (`own_number`, `receive_message`, `fail_next`, …). */
  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    return this.process.call<T>(cmd, args);
  }

  stop(): void {
    this.process.stop();
  }

  /** The loopback port it listens on. */
  get port(): number {
    return Number(new URL(this.origin).port);
  }

  /** SignalWire goes away (its port closes); resolves once it has. */
  cut(): Promise<void> {
    return this.process.kill();
  }
}
