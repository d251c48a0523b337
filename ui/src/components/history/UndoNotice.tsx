// What an undo or redo says afterwards: instances that still run (undo changes the repository
// only; terminating them is one click away), or why it could not be done.
import { Power, X } from "lucide-react";
import { cloudActions } from "../../lib/cloud";
import { useUi } from "../../lib/store";
import type { Scope } from "../../bindings/Scope";
import { Button, ErrorNote } from "../ui";

export function UndoNotice() {
  const notice = useUi((s) => s.notice);
  const setNotice = useUi((s) => s.setNotice);
  if (!notice) return null;
  const close = (
    <button aria-label="Dismiss" className="ml-auto shrink-0 rounded p-0.5 text-muted hover:bg-hover hover:text-fg" onClick={() => setNotice(null)} data-testid="undo-notice-close">
      <X size={14} />
    </button>
  );
  if (notice.kind === "error") {
    return (
      <div className="flex shrink-0 items-start gap-2 border-b border-line bg-panel px-3 py-2" data-testid="undo-error">
        <div className="min-w-0 flex-1">
          <p className="mb-1 text-[12px] font-medium">{notice.title}</p>
          <ErrorNote error={notice.error} testId="undo-error-note" />
        </div>
        {close}
      </div>
    );
  }
  const running = notice.outcome.stillRunning;
  const nodes = [...new Set(running.map((r) => r.node))];
  const scope: Scope = nodes.length === 1 ? { kind: "node", name: nodes[0] } : { kind: "nodes", names: nodes };
  return (
    <div className="flex shrink-0 items-start gap-2 border-b border-warn/40 bg-warn-soft px-3 py-2 text-[13px]" role="status" data-testid="undo-notice">
      <div className="min-w-0 flex-1">
        <p className="text-[12px] text-muted">
          {notice.verb === "undo" ? "Undone" : "Redone"}: {notice.outcome.entry.label}
        </p>
        <ul>
          {running.map((r) => (
            <li key={`${r.node} ${r.instanceId}`} data-selectable>
              The instance {r.instanceId} (node {r.node}
              {r.region ? `, ${r.region}` : ""}) still runs: {notice.verb} changes the repository only.
            </li>
          ))}
        </ul>
      </div>
      <Button
        size="sm"
        variant="danger"
        icon={<Power size={13} />}
        onClick={() => {
          setNotice(null);
          cloudActions.confirm(scope, "terminate");
        }}
        data-testid="undo-terminate"
      >
        {running.length === 1 ? "Terminate it…" : "Terminate them…"}
      </Button>
      {close}
    </div>
  );
}
