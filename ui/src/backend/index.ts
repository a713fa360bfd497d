// The UI's only door to the Rust side. Components call `useBackend()` and get a `Backend`:
// every command from the generated bindings, unwrapped (resolves with the data, rejects with a
// BackendError), plus the import-progress, realtime and sync events and the native file dialogs.
//
// Only files in src/backend/ may import `commands` from the bindings or anything from @tauri-apps.
import { createContext, createElement, useContext, type ReactNode } from "react";
import { BackendError, errorCode, errorField, errorMessage } from "./errors";
import { tauriBackend } from "./tauri";
import type { Backend } from "./types";

export { BackendError, errorCode, errorField, errorMessage };

export type { Backend, Commands, Result, Subscriptions } from "./types";

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/**
 * The backend for this window: the desktop shell's IPC, at once. Under `npm run dev` in a plain
 * browser, the IPC goes to a real core the dev server runs (./devCore.ts, left out of every
 * build), once it is connected.
 */
export function loadBackend(): Backend | Promise<Backend> {
  if (!isTauri() && import.meta.env.DEV) {
    return import("./devCore").then(({ connectDevCore }) => {
      connectDevCore();
      return tauriBackend();
    });
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
