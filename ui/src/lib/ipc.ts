// The one way to reach the Rust backend: a command call whose failure always arrives as a
// BackendError with a stable code (its traits in CODE_TRAITS) and a message for people.
// The typed client over it (bindings/commands.ts) is generated from the commands' declaration.
import { invoke } from "@tauri-apps/api/core";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ErrorPayload as AppError } from "../bindings/ErrorPayload";

export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(error: AppError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
  }
}

function isAppError(value: unknown): value is AppError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    if (isAppError(error)) throw new BackendError(error);
    // Anything else is a bug in the shell (a panic, a missing permission): still coded.
    throw new BackendError({ code: "app.ipc_failed", message: String(error) });
  }
}
