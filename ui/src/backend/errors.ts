import type { ErrorCode, IpcError } from "../generated/bindings";

/** What every Backend method rejects with: the IpcError from Rust, as an Error. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
  static from(error: IpcError): BackendError {
    return new BackendError(error.code, error.message);
  }
}

/** Turns anything caught from a backend call into a user-facing message. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === "object" && "message" in err) return String((err as { message: unknown }).message);
  return String(err);
}

export function errorCode(err: unknown): ErrorCode | null {
  return err instanceof BackendError ? err.code : null;
}
