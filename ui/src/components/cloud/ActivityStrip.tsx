// The activity strip at the bottom: the repository, each running (or just finished) cloud
// operation with its k-of-N bar, phase and cancel button, and the last log line. It opens
// into the full log (engine events in words) and the per-node results of each operation.
import { useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, ChevronDown, ChevronUp, CircleSlash, Database, Loader2, X, XCircle } from "lucide-react";
import { backend } from "../../lib/backend";
import { describeResult, useOperations } from "../../lib/cloud";
import { cloudKeys } from "../../lib/queryKeys";
import { explain } from "../../lib/errors";
import { useUi, type Activity } from "../../lib/store";
import type { TreeModel } from "../../lib/treeModel";
import type { OperationStatus } from "../../bindings/OperationStatus";
import { cx, IconButton } from "../ui";
import { tildify } from "../TopBar";

const time = (d: Date) => d.toLocaleTimeString([], { hour12: false });

export function ActivityStrip({ model, root, defaultRoot }: { model: TreeModel | null; root: string; defaultRoot: string }) {
  const activity = useUi((s) => s.activity);
  const operations = useOperations().data ?? [];
  const [open, setOpen] = useState(false);
  const last = activity[activity.length - 1];
  const running = operations.filter((o) => o.state === "running");
  // Running ones first, then the last finished one, so the result stays in view.
  const finished = operations.filter((o) => o.state !== "running");
  const shown = [...running.slice(-3), ...(running.length < 3 && finished.length ? [finished[finished.length - 1]] : [])];

  return (
    <footer className="flex shrink-0 flex-col border-t border-line bg-panel" data-testid="activity-strip">
      {open && <ActivityPanel activity={activity} operations={operations} />}
      <div className="flex h-8 min-w-0 items-center gap-3 px-3 text-[12px] text-muted" data-testid="status-bar">
        <span className="flex max-w-[28%] min-w-0 shrink items-center gap-1.5 truncate">
          <Database size={12} className="shrink-0" />
          <span className="truncate">{tildify(root, defaultRoot)}</span>
        </span>
        {model && (
          <span className="shrink-0 tabular-nums">
            {model.view.nodeCount} node{model.view.nodeCount === 1 ? "" : "s"} · {model.view.systemCount} system{model.view.systemCount === 1 ? "" : "s"}
          </span>
        )}
        {shown.map((op) => (
          <OperationChip key={op.id} op={op} />
        ))}
        {last && (
          <span
            className={cx("ml-auto min-w-0 truncate", last.tone === "error" && "text-danger", last.tone === "warn" && "text-warn")}
            data-testid="activity-last"
            title={last.text}
            data-selectable
          >
            {time(last.at)} {last.text}
          </span>
        )}
        <IconButton
          size="sm"
          className={cx(!last && "ml-auto")}
          label={open ? "Close the log" : "Open the log"}
          icon={open ? <ChevronDown size={14} /> : <ChevronUp size={14} />}
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          data-testid="activity-toggle"
        />
      </div>
    </footer>
  );
}

function OperationChip({ op }: { op: OperationStatus }) {
  const pct = op.total ? Math.round((op.done / op.total) * 100) : op.state === "running" ? 0 : 100;
  return (
    <span
      className="flex min-w-0 shrink-0 items-center gap-1.5 rounded-md border border-line px-1.5 py-0.5"
      data-testid={`operation-${op.id}`}
      data-state={op.state}
      title={`${op.label}: ${describeResult(op)}`}
    >
      <OpIcon op={op} />
      <span className="max-w-[150px] truncate text-fg">{op.label}</span>
      <ProgressBar op={op} pct={pct} />
      {op.state === "running" ? <span className="max-w-[130px] truncate">{op.phase}</span> : <span className={cx("max-w-[160px] truncate", op.state === "failed" && "text-danger")}>{describeResult(op)}</span>}
      {op.state === "running" && <CancelButton op={op} />}
    </span>
  );
}

function ProgressBar({ op, pct }: { op: OperationStatus; pct: number }) {
  return (
    <span
      className="flex items-center gap-1"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={op.total}
      aria-valuenow={op.done}
      aria-label={`${op.label}: ${op.done} of ${op.total}`}
      data-testid={`op-progress-${op.id}`}
      data-done={op.done}
      data-total={op.total}
    >
      <span className="h-1.5 w-16 overflow-hidden rounded-full bg-panel-2">
        <span
          className={cx("block h-full rounded-full transition-[width]", op.state === "failed" ? "bg-danger" : op.state === "cancelled" ? "bg-muted" : op.state === "succeeded" ? "bg-ok" : "bg-accent")}
          style={{ width: `${pct}%` }}
        />
      </span>
      <span className="tabular-nums">
        {op.done}/{op.total}
      </span>
    </span>
  );
}

function CancelButton({ op }: { op: OperationStatus }) {
  const client = useQueryClient();
  const [asked, setAsked] = useState(false);
  return (
    <button
      className="rounded p-0.5 text-muted hover:bg-hover hover:text-danger disabled:opacity-50"
      aria-label={`Cancel ${op.label}`}
      title="Cancel: requests already sent to the cloud stay sent; nodes not reached yet are left alone"
      disabled={asked}
      onClick={async () => {
        setAsked(true);
        try {
          const was = await backend.cancelOperation(op.id);
          useUi.getState().log(was ? `Cancelling ${op.label}…` : `${op.label} had already finished`, "info", op.id);
        } catch (e) {
          useUi.getState().log(`Could not cancel ${op.label}: ${explain(e).message}`, "error", op.id);
          setAsked(false);
        }
        void client.invalidateQueries({ queryKey: cloudKeys.operations });
      }}
      data-testid={`op-cancel-${op.id}`}
    >
      {asked ? <Loader2 size={12} className="animate-spin" /> : <X size={12} />}
    </button>
  );
}

function OpIcon({ op }: { op: OperationStatus }) {
  switch (op.state) {
    case "running":
      return <Loader2 size={12} className="shrink-0 animate-spin text-accent" />;
    case "succeeded":
      return <CheckCircle2 size={12} className="shrink-0 text-ok" />;
    case "failed":
      return <XCircle size={12} className="shrink-0 text-danger" />;
    case "cancelled":
      return <CircleSlash size={12} className="shrink-0 text-muted" />;
  }
}

function ActivityPanel({ activity, operations }: { activity: Activity[]; operations: OperationStatus[] }) {
  const [filter, setFilter] = useState<string | null>(null);
  const logRef = useRef<HTMLOListElement>(null);
  const lines = filter ? activity.filter((a) => a.op === filter) : activity;
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <div className="flex h-[240px] min-h-0 border-b border-line" data-testid="activity-panel">
      <div className="flex w-[320px] shrink-0 flex-col overflow-y-auto border-r border-line p-2" data-testid="operations-list">
        <p className="mb-1 px-1 text-[11px] font-semibold tracking-wide text-faint uppercase">Operations</p>
        {operations.length === 0 && <p className="px-1 text-[12px] text-muted">No cloud operation yet. Launch, terminate and the others show up here.</p>}
        {[...operations].reverse().map((op) => (
          <button
            key={op.id}
            onClick={() => setFilter((f) => (f === op.id ? null : op.id))}
            className={cx("flex flex-col gap-0.5 rounded-md px-2 py-1.5 text-left text-[12px] hover:bg-hover", filter === op.id && "bg-accent-soft")}
            data-testid={`operation-row-${op.id}`}
            data-state={op.state}
          >
            <span className="flex items-center gap-1.5">
              <OpIcon op={op} /> <span className="min-w-0 flex-1 truncate font-medium">{op.label}</span>
              <span className="text-faint tabular-nums">
                {op.done}/{op.total}
              </span>
              {op.state === "running" && <CancelButton op={op} />}
            </span>
            <span className={cx("truncate text-muted", op.state === "failed" && "text-danger")} data-testid={`op-result-${op.id}`}>
              {describeResult(op)}
            </span>
            {op.reports.some((r) => r.error) && (
              <ul className="text-[11px] text-danger">
                {op.reports
                  .filter((r) => r.error)
                  .slice(0, 5)
                  .map((r) => (
                    <li key={r.node} className="truncate" title={r.error!.message}>
                      {r.node}: {r.error!.message}
                    </li>
                  ))}
              </ul>
            )}
          </button>
        ))}
      </div>
      <ol ref={logRef} className="min-w-0 flex-1 overflow-y-auto px-3 py-2 font-mono text-[12px] leading-[1.55]" data-testid="activity-log" data-selectable>
        {filter && (
          <li className="mb-1 font-sans text-muted">
            Showing {filter} only.{" "}
            <button className="text-accent underline" onClick={() => setFilter(null)}>
              Show everything
            </button>
          </li>
        )}
        {lines.length === 0 && <li className="font-sans text-muted">Nothing happened yet.</li>}
        {lines.map((a, i) => (
          <li key={i} className={cx("break-words", a.tone === "error" && "text-danger", a.tone === "warn" && "text-warn")}>
            <span className="text-faint">{time(a.at)}</span> {a.tone === "error" ? "ERROR" : a.tone === "warn" ? "WARN " : "INFO "} {a.text}
          </li>
        ))}
      </ol>
    </div>
  );
}
