// A run's grid: a row per node with its state, exit status, time and the last lines of its
// output as they come (or why it failed or was skipped).
import { memo } from "react";
import type { NodeRun } from "../../bindings/NodeRun";
import type { NodeRunState } from "../../bindings/NodeRunState";
import type { RunRecord } from "../../bindings/RunRecord";
import { explain } from "../../lib/errors";
import { duration, tailLines } from "../../lib/runs";
import { cx, dash } from "../ui";

const looks: Record<NodeRunState, { label: string; badge: string; dot: string }> = {
  waiting: { label: "Waiting", badge: "bg-panel-2 text-muted", dot: "bg-faint/60 ring-1 ring-faint" },
  running: { label: "Running", badge: "bg-accent-soft text-accent", dot: "bg-accent" },
  succeeded: { label: "Succeeded", badge: "bg-ok-soft text-ok", dot: "bg-ok" },
  failed: { label: "Failed", badge: "bg-danger-soft text-danger", dot: "bg-danger" },
  skipped: { label: "Skipped", badge: "bg-panel-2 text-muted", dot: "bg-muted" },
  notRun: { label: "Not run", badge: "bg-panel-2 text-muted", dot: "bg-muted/60 ring-1 ring-muted" },
};

export function RunStateBadge({ state }: { state: NodeRunState }) {
  const look = looks[state];
  return (
    <span data-testid="run-state" data-state={state} className={cx("inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-[12px] font-medium whitespace-nowrap", look.badge)}>
      <span className={cx("inline-block h-2 w-2 shrink-0 rounded-full", look.dot)} />
      {look.label}
    </span>
  );
}

const columns = "grid grid-cols-[minmax(0,1fr)_104px_48px_72px] gap-x-2";

export function RunGrid({ record, live }: { record: RunRecord; live: string[] }) {
  return (
    <div role="table" className="text-[12px]" data-testid="run-grid">
      <div role="row" className={cx(columns, "sticky top-0 border-b border-line bg-bg px-2 py-1.5 text-[11px] font-medium text-muted")}>
        <span role="columnheader">Node</span>
        <span role="columnheader">State</span>
        <span role="columnheader">Exit</span>
        <span role="columnheader">Time</span>
      </div>
      {record.nodes.map((n, i) => (
        <RunRow key={n.node} node={n} output={live[i] || n.output} />
      ))}
    </div>
  );
}

/** A node's row: its facts on one line, the last lines of its output (or why it failed) below, the row's full width. */
const RunRow = memo(function RunRow({ node, output }: { node: NodeRun; output: string }) {
  const lines = tailLines(output, 3);
  const timed = node.state === "succeeded" || node.state === "failed";
  return (
    <div role="row" className={cx(columns, "items-center border-b border-line px-2 py-1.5")} data-testid="run-row" data-node={node.node} data-state={node.state}>
      <span role="cell" className="truncate font-medium" title={node.host ? `${node.node} (${node.host})` : node.node}>
        {node.node}
      </span>
      <span role="cell">
        <RunStateBadge state={node.state} />
      </span>
      <span role="cell" className={cx("font-mono tabular-nums", node.exitStatus ? "text-danger" : "")} data-testid="run-exit">
        {node.exitStatus ?? dash}
      </span>
      <span role="cell" className="text-muted tabular-nums" data-testid="run-duration">
        {timed ? duration(node.durationMs) : dash}
      </span>
      {(lines.length > 0 || node.error) && (
        <div role="cell" className="col-span-4 mt-1 min-w-0">
          {lines.length > 0 && (
            <pre className="overflow-hidden rounded bg-panel-2 px-2 py-1 font-mono text-[11px] leading-snug text-ellipsis whitespace-pre" data-testid="run-output" data-selectable>
              {lines.join("\n")}
            </pre>
          )}
          {node.error && (
            <p className="mt-0.5 text-danger [overflow-wrap:anywhere]" data-testid="run-node-error" data-code={node.error.code} data-selectable>
              {explain(node.error).message}
            </p>
          )}
        </div>
      )}
    </div>
  );
});
