// The desktop implementation, built from the generated bindings: each command with its Result
// unwrapped, each event as an `on…` subscription. Nothing here names a command.
import { commands, events, type IpcError } from "../generated/bindings";
import { BackendError } from "./errors";
import type { Backend, Result } from "./types";

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as IpcError).code === "string" &&
    typeof (value as IpcError).message === "string"
  );
}

async function unwrap<T>(call: () => Promise<Result<T, IpcError>>): Promise<T> {
  let result: Result<T, IpcError>;
  try {
    result = await call();
  } catch (err) {
    // invoke() itself failed (command missing, serialisation error, panic, …) or a command
    // rejected without the Result wrapper.
    if (isIpcError(err)) throw BackendError.from(err);
    throw new BackendError("internal", err instanceof Error ? err.message : String(err));
  }
  if (result.status === "ok") return result.data;
  throw BackendError.from(result.error);
}

type AnyCommand = (...args: unknown[]) => Promise<Result<unknown, IpcError>>;
type AnyEvent = { listen: (cb: (event: { payload: unknown }) => void) => Promise<() => void> };

/** The backend over Tauri's IPC (in the desktop window, or under Tauri's IPC mock in tests). */
export function tauriBackend(): Backend {
  const backend: Record<string, unknown> = {};
  for (const [name, command] of Object.entries(commands as unknown as Record<string, AnyCommand>)) {
    backend[name] = (...args: unknown[]) => unwrap(() => command(...args));
  }
  for (const [name, event] of Object.entries(events as unknown as Record<string, AnyEvent>)) {
    const subscription = `on${name.charAt(0).toUpperCase()}${name.slice(1).replace(/Event$/, "")}`;
    backend[subscription] = async (cb: (payload: unknown) => void) => {
      const unlisten = await event.listen((e) => cb(e.payload));
      return () => unlisten();
    };
  }
  return backend as Backend;
}
