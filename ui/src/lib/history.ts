// Undo and redo (the core's history of changes) and version control (git) through TanStack
// Query. The repo-changed event the core sends after every change, undo, pull and resolve
// invalidates every query (queries.ts), these with them.
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { backend } from "./backend";
import { explain } from "./errors";
import { keys } from "./queryKeys";
import { useUi } from "./store";
import type { HistoryView } from "../bindings/HistoryView";
import type { JsonValue } from "../bindings/serde_json/JsonValue";

export function useHistory() {
  return useQuery({ queryKey: keys.history, queryFn: backend.historyList });
}

export function useVcStatus() {
  return useQuery({ queryKey: keys.vcStatus, queryFn: backend.vcStatus });
}

export function useVcDiff(name: string | null, enabled = true) {
  return useQuery({ queryKey: keys.vcDiff(name), queryFn: () => backend.vcDiff(name), enabled });
}

export function useVcConflicts(enabled: boolean) {
  return useQuery({ queryKey: keys.vcConflicts, queryFn: backend.vcConflicts, enabled });
}

/** The label of the change an undo would take back (the core's answer), if any. */
export function nextUndo(view: HistoryView | undefined): string | undefined {
  return view?.canUndo ? (view.nextUndo ?? undefined) : undefined;
}

/** The label of the change a redo would make again (the core's answer), if any. */
export function nextRedo(view: HistoryView | undefined): string | undefined {
  return view?.canRedo ? (view.nextRedo ?? undefined) : undefined;
}

let busy = false;

/** Undoes or redoes the last change; says what it did (and what still runs), or why it could not. */
export async function undoRedo(client: QueryClient, verb: "undo" | "redo"): Promise<void> {
  if (busy) return;
  busy = true;
  const ui = useUi.getState();
  try {
    const outcome = verb === "undo" ? await backend.historyUndo() : await backend.historyRedo();
    ui.log(`${verb === "undo" ? "Undone" : "Redone"}: ${outcome.entry.label}`);
    ui.setNotice(outcome.stillRunning.length ? { kind: "undo", verb, outcome } : null);
  } catch (e) {
    const error = explain(e);
    ui.log(`Could not ${verb}: ${error.message}`, "error");
    ui.setNotice({ kind: "error", title: verb === "undo" ? "Could not undo" : "Could not redo", error });
  } finally {
    busy = false;
    void client.invalidateQueries({ queryKey: keys.history });
    void client.invalidateQueries({ queryKey: keys.tree });
    void client.invalidateQueries({ queryKey: keys.vc });
  }
}

/** True when the key press is typing in a field (undo there is the field's own). */
export function inTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
}

/** "5 min ago", from an RFC 3339 time. */
export function relativeTime(at: string, now = Date.now()): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return at;
  const s = Math.round((now - t) / 1000);
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 30) return d === 1 ? "yesterday" : `${d} days ago`;
  return new Date(t).toLocaleDateString();
}

export function exactTime(at: string): string {
  const t = Date.parse(at);
  return Number.isNaN(t) ? at : new Date(t).toLocaleString();
}

/** A property value in one line ("not set" for null). */
export function showValue(v: JsonValue | null | undefined): string {
  if (v === null || v === undefined) return "not set";
  if (typeof v === "string") return JSON.stringify(v);
  const text = JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
