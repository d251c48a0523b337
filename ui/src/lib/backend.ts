// The one module the UI reaches the Rust backend through: the commands (a client generated
// from their one declaration in src-tauri/src/commands/list.rs, typed with the bindings
// generated from Rust; a Rust test fails when either drifts), the backend's events, and the
// system's dialogs. Every failure arrives as a BackendError with a stable code.
import { Channel } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import { commands } from "../bindings/commands";
import type { CloudEventPayload } from "../bindings/CloudEventPayload";
import type { FleetChange } from "../bindings/FleetChange";
import type { OperationStatus } from "../bindings/OperationStatus";
import type { SandboxStatus } from "../bindings/SandboxStatus";

export { BackendError } from "./ipc";

export const backend = commands;

export type Backend = typeof backend;

/**
 * A channel for a command that streams (a terminal's output, a run's progress): `onMessage`
 * gets every message, in order. Pass it as the command's channel argument.
 */
export function openChannel<T>(onMessage: (message: T) => void): Channel<T> {
  const channel = new Channel<T>();
  channel.onmessage = onMessage;
  return channel;
}

/** Backend events; each handler returns a function that stops listening. */
export const events = {
  onRepoChanged: (handler: () => void): Promise<UnlistenFn> => listen("repo-changed", () => handler()),
  /** Every engine event of an operation (for the activity log). */
  onCloudEvent: (handler: (payload: CloudEventPayload) => void): Promise<UnlistenFn> =>
    listen<CloudEventPayload>("cloud-event", (e) => handler(e.payload)),
  /** An operation started, or its progress (done of total) or phase changed. */
  onOperationProgress: (handler: (status: OperationStatus) => void): Promise<UnlistenFn> =>
    listen<OperationStatus>("operation-progress", (e) => handler(e.payload)),
  /** An operation ended; `reports` says how each node came out. */
  onOperationFinished: (handler: (status: OperationStatus) => void): Promise<UnlistenFn> =>
    listen<OperationStatus>("operation-finished", (e) => handler(e.payload)),
  /** Live state of these nodes changed (diffs only); both lists empty when the automatic refresh started or stopped. */
  onFleetChanged: (handler: (change: FleetChange) => void): Promise<UnlistenFn> =>
    listen<FleetChange>("fleet-changed", (e) => handler(e.payload)),
  /** The practice sandbox moved on (installing, starting, running, off, failed), with its current step. */
  onSandboxChanged: (handler: (status: SandboxStatus) => void): Promise<UnlistenFn> =>
    listen<SandboxStatus>("sandbox-changed", (e) => handler(e.payload)),
  /** Credentials, profile, endpoint or sandbox changed: every cloud view must be refetched, no fleet of the old account kept. */
  onAccountChanged: (handler: () => void): Promise<UnlistenFn> => listen("account-changed", () => handler()),
};

/** The system's own dialogs (the dialog plugin). */
export const systemDialogs = {
  /** A folder picker; null when the person cancels. */
  pickFolder: async (title: string, defaultPath?: string): Promise<string | null> => {
    const picked = await openDialog({ directory: true, multiple: false, title, defaultPath });
    return typeof picked === "string" ? picked : null;
  },
  /** Files (or, with `folders`, folders) to pick several of; empty when the person cancels. */
  pickPaths: async (title: string, folders: boolean): Promise<string[]> => {
    const picked = await openDialog({ directory: folders, multiple: true, title });
    return Array.isArray(picked) ? picked : typeof picked === "string" ? [picked] : [];
  },
};
