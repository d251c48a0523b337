// A node's state as a dot (tree, graph) or a badge (inspector). Takes any state string, so
// live EC2 states (pending, running, stopping...) drop in later without changing callers.
import type { TreeItem } from "../../bindings/TreeItem";
import { cx } from ".";

interface Look {
  label: string;
  dot: string;
  badge: string;
  pulse?: boolean;
}

const looks: Record<string, Look> = {
  "not-launched": { label: "Not launched", dot: "bg-faint/60 ring-1 ring-faint", badge: "bg-panel-2 text-muted" },
  "has-instance": { label: "Has an instance", dot: "bg-accent", badge: "bg-accent-soft text-accent" },
  pending: { label: "Pending", dot: "bg-warn", badge: "bg-warn-soft text-warn", pulse: true },
  running: { label: "Running", dot: "bg-ok", badge: "bg-ok-soft text-ok" },
  stopping: { label: "Stopping", dot: "bg-warn", badge: "bg-warn-soft text-warn", pulse: true },
  stopped: { label: "Stopped", dot: "bg-muted", badge: "bg-panel-2 text-muted" },
  "shutting-down": { label: "Shutting down", dot: "bg-warn", badge: "bg-warn-soft text-warn", pulse: true },
  terminated: { label: "Terminated", dot: "bg-danger/70", badge: "bg-danger-soft text-danger" },
  unknown: { label: "Unknown", dot: "bg-muted/60 ring-1 ring-muted", badge: "bg-panel-2 text-muted" },
  missing: { label: "Instance gone", dot: "bg-danger ring-1 ring-danger/40", badge: "bg-danger-soft text-danger" },
  invalid: { label: "Cannot launch", dot: "bg-danger/70", badge: "bg-danger-soft text-danger" },
  broken: { label: "File cannot be read", dot: "bg-danger", badge: "bg-danger-soft text-danger" },
};

export function stateLook(state: string): Look {
  return looks[state] ?? { label: state, dot: "bg-muted", badge: "bg-panel-2 text-muted" };
}

/** The state the tree knows without asking the cloud. */
export function nodeState(item: Pick<TreeItem, "instance" | "problem">): string {
  if (item.problem) return "broken";
  return item.instance ? "has-instance" : "not-launched";
}

/** Pending, stopping, shutting down: the instance is on its way to another state. */
export function isTransitional(state: string): boolean {
  return stateLook(state).pulse === true;
}

/**
 * `moving`: the dot shows a node's current state, that state is transitional, and an operation
 * or the automatic refresh is watching it now; only then does the dot pulse. A dot that names a
 * state (the fleet's counts, a timeline entry) or shows one that nothing watches stays still:
 * one pulsing dot keeps WebKit compositing the whole window every frame (hundreds of ms of CPU
 * per second under software GL), so a window where nothing happens must animate nothing.
 */
export function StateDot({ state, moving = false, className }: { state: string; moving?: boolean; className?: string }) {
  const look = stateLook(state);
  const pulse = moving && look.pulse;
  return (
    <span
      role="img"
      aria-label={look.label}
      title={look.label}
      data-state={state}
      data-moving={pulse || undefined}
      className={cx("inline-block h-2 w-2 shrink-0 rounded-full", look.dot, pulse && "animate-pulse", className)}
    />
  );
}

export function StateBadge({ state, moving, testId }: { state: string; moving?: boolean; testId?: string }) {
  const look = stateLook(state);
  return (
    <span data-testid={testId} data-state={state} className={cx("inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-[12px] font-medium", look.badge)}>
      <StateDot state={state} moving={moving} />
      {look.label}
    </span>
  );
}
