// The one module that talks to the Rust backend. Every command is typed with the bindings
// generated from Rust (src/bindings, committed; a Rust test fails when they drift), and every
// failure arrives as a BackendError with a stable code and a message for people.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type { AppError } from "../bindings/AppError";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { NodesPlan } from "../bindings/NodesPlan";
import type { NodesRequest } from "../bindings/NodesRequest";
import type { PropertyEdit } from "../bindings/PropertyEdit";
import type { Settings } from "../bindings/Settings";
import type { TreeView } from "../bindings/TreeView";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";

export class BackendError extends Error {
  readonly code: string;
  constructor(error: AppError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
  }
}

function isAppError(value: unknown): value is AppError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    if (isAppError(error)) throw new BackendError(error);
    // Anything else is a bug in the shell (a panic, a missing permission): still coded.
    throw new BackendError({ code: "ipc.failed", message: String(error) });
  }
}

export const backend = {
  workspaceInfo: () => call<WorkspaceInfo>("workspace_info"),
  openRepository: (path: string) => call<null>("open_repository", { path }),
  createRepository: (path: string) => call<null>("create_repository", { path }),
  forgetRepository: (path: string) => call<null>("forget_repository", { path }),
  loadTree: () => call<TreeView>("load_tree"),
  getItem: (name: string) => call<ItemDetail>("get_item", { name }),
  addSystem: (name: string) => call<null>("add_system", { name }),
  planNodes: (request: NodesRequest) => call<NodesPlan>("plan_nodes", { request }),
  addNodes: (request: NodesRequest) => call<string[]>("add_nodes", { request }),
  setProperties: (name: string, edits: PropertyEdit[]) => call<number>("set_properties", { name, edits }),
  unsetProperties: (name: string, keys: string[]) => call<number>("unset_properties", { name, keys }),
  renameItem: (from: string, to: string) => call<null>("rename_item", { from, to }),
  removeItem: (name: string) => call<string[]>("remove_item", { name }),
  getSettings: () => call<Settings>("get_settings"),
  saveSettings: (settings: Settings) => call<null>("save_settings", { settings }),
};

export type Backend = typeof backend;

/** Backend events; each handler returns a function that stops listening. */
export const events = {
  onRepoChanged: (handler: () => void): Promise<UnlistenFn> => listen("repo-changed", () => handler()),
};

/** The system's own dialogs (the dialog plugin). */
export const systemDialogs = {
  /** A folder picker; null when the person cancels. */
  pickFolder: async (title: string, defaultPath?: string): Promise<string | null> => {
    const picked = await openDialog({ directory: true, multiple: false, title, defaultPath });
    return typeof picked === "string" ? picked : null;
  },
};
