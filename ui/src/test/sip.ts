/// <reference types="node" />
// The far end of softphone calls in the UI tests: crates/testkit's `sip-peer`, Kamailio as the
// registrar and baresip phones registered at it as the leads' numbers. One process per test file
// (started on first use, stopped after the file); phones per test.
import { onTestFinished } from "vitest";
import { LineProcess } from "./process";

export type SipAccount = { registrar: string; username: string; password: string; speech: string };

/** A baresip phone registered as a lead's number. */
export class PeerPhone {
  constructor(
    private readonly process: LineProcess,
    private readonly index: number,
    readonly registrar: string,
  ) {}

  /** One of baresip's ctrl_tcp commands. */
  command(command: string, params = ""): Promise<void> {
    return this.process.call("command", { phone: this.index, command, params });
  }

  /** Calls the agent (the core registered as `alice`). */
  callAgent(): Promise<void> {
    return this.command("dial", `sip:alice@${this.registrar}`);
  }

  /** The first baresip event not yet taken whose JSON contains `needle` (taken). */
  waitEvent(needle: string, timeoutMs = 10_000): Promise<string> {
    return this.process.call<string>("wait_event", { phone: this.index, needle, timeoutMs });
  }

  /** The events not yet taken. */
  events(): Promise<string[]> {
    return this.process.call<string[]>("events", { phone: this.index });
  }
}

let shared: Promise<{ process: LineProcess; ready: SipAccount }> | null = null;

function server() {
  shared ??= LineProcess.start<SipAccount>("RINGDESK_SIP_PEER", "cargo build -p ringdesk-testkit --bin sip-peer", []);
  return shared;
}

/** The registrar's account for the core under test, and its speech WAV. */
export async function sipAccount(): Promise<SipAccount> {
  return (await server()).ready;
}

/**
 * A phone registered as `number` (E.164 without `+`, one Kamailio knows: peers/kamailio.cfg.in),
 * for the running test: it quits (unregisters) when the test ends.
 */
export async function peerPhone(number: string, answer: "auto" | "manual" = "auto"): Promise<PeerPhone> {
  const { process, ready } = await server();
  const index = await process.call<number>("phone", { user: number, answer });
  onTestFinished(() => process.call("stop", { phone: index }));
  return new PeerPhone(process, index, ready.registrar);
}

/** Ends this file's peer process, if one started (setup.ts, after each file). */
export async function stopSipPeer(): Promise<void> {
  const started = shared;
  shared = null;
  if (started) (await started.catch(() => null))?.process.stop();
}
