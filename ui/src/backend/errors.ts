import type { ErrorCode, IpcError } from "../generated/bindings";

/** What every Backend method rejects with: the IpcError from Rust, as an Error. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  /** The request's field the core says the error is about (`followUpAt`, `callerId`, ...). */
  readonly field: string | null;
  constructor(code: ErrorCode, message: string, field: string | null = null) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    this.field = field;
  }
  static from(error: IpcError): BackendError {
    return new BackendError(error.code, error.message, error.field ?? null);
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

/** The request field a backend error is about, if the core named one. */
export function errorField(err: unknown): string | null {
  return err instanceof BackendError ? err.field : null;
}
