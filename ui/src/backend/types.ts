// The UI's view of the core: derived from the generated bindings, never written by hand.
import type { commands, events, IpcError } from "../generated/bindings";

/** What every generated command resolves with (tauri-specta's `typedError` shape). */
export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

type Unwrapped<F> = F extends (...args: infer A) => Promise<Result<infer T, IpcError>> ? (...args: A) => Promise<T> : never;
type Payload<E> = E extends { listen: (cb: (event: { payload: infer P }) => void) => unknown } ? P : never;
type Subscription<K> = K extends `${infer Name}Event` ? `on${Capitalize<Name>}` : never;

/**
 * Every command of the generated bindings (written once, in Rust: `app_commands!` in
 * crates/app/src/commands.rs, docs included), resolving with its data and rejecting with a
 * `BackendError`.
 */
export type Commands = { [K in keyof typeof commands]: Unwrapped<(typeof commands)[K]> };

/** `onCall`, `onSync`, …: one per generated event; each resolves with its unsubscribe function. */
export type Subscriptions = {
  [K in keyof typeof events as Subscription<K>]: (cb: (payload: Payload<(typeof events)[K]>) => void) => Promise<() => void>;
};

export type Backend = Commands & Subscriptions;
