// The UI's only door to the Rust side. Components call `useBackend()` and get a `Backend`:
// every command from the generated bindings, unwrapped (resolves with the data, rejects with a
// BackendError), plus the import-progress, realtime and sync events and the native file dialogs.
//
// Only files in src/backend/ may import `commands` from the bindings or anything from @tauri-apps.
import { createContext, createElement, useContext, type ReactNode } from "react";
import { commands, events, type IpcError } from "../generated/bindings";
import { BackendError, errorCode, errorMessage } from "./errors";
import { tauriBackend } from "./tauri";

export { BackendError, errorCode, errorMessage };

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

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/**
 * The backend for this window: the desktop shell's IPC. Under `npm run dev` in a plain browser,
 * the IPC goes to a real core the dev server runs (./devCore.ts, left out of every build).
 */
export async function loadBackend(): Promise<Backend> {
  if (!isTauri() && import.meta.env.DEV) {
    const { connectDevCore } = await import("./devCore");
    connectDevCore();
  }
  return tauriBackend();
}

const BackendContext = createContext<Backend | null>(null);

export function BackendProvider({ backend, children }: { backend: Backend; children?: ReactNode }) {
  return createElement(BackendContext.Provider, { value: backend }, children);
}

export function useBackend(): Backend {
  const backend = useContext(BackendContext);
  if (!backend) throw new Error("useBackend() outside <BackendProvider>");
  return backend;
}
