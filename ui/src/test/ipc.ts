// The Rust side, faked for a test: answers the commands a test names, records every call.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { CommandError } from "../bindings/CommandError";

type Handler = (args: Record<string, unknown>) => unknown;

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

/** A rejection as Tauri gives it: the plain serialised error. */
export function commandError(kind: string, message: string, params: CommandError["params"] = {}): CommandError {
  return { kind, message, params };
}

/** A handler that refuses, as the Rust side does. */
export function failWith(kind: string, message: string, params: CommandError["params"] = {}): Handler {
  return () => {
    // Tauri rejects with the plain serialised object, not an Error: mimic that.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw commandError(kind, message, params);
  };
}

/**
 * Answers `handlers` (a handler may throw a `commandError`); draft commands answer "no draft"
 * unless a test handles them; anything else fails the call. Returns the log of calls.
 */
export function mockCommands(handlers: Record<string, Handler> = {}): Call[] {
  const calls: Call[] = [];
  const defaults: Record<string, Handler> = {
    load_draft: () => null,
    save_draft: () => null,
    clear_draft: () => null,
  };
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd] ?? defaults[cmd];
    return (handler ?? failWith("unknown_command", `no handler for ${cmd}`))(args);
  });
  return calls;
}

/** The calls of one command. */
export function callsOf(calls: Call[], cmd: string): Record<string, unknown>[] {
  return calls.filter((c) => c.cmd === cmd).map((c) => c.args);
}
