// What an undo or redo says afterwards: instances that still run (undo changes the repository
// only; terminating those this repository launched is one click away; those it imported ran
// before it and are never offered for termination), or why it could not be done.
import { Power, X } from "lucide-react";
import { useState } from "react";
import { backend } from "../../lib/backend";
import { explain, type Explained } from "../../lib/errors";
import { useUi } from "../../lib/store";
import type { RunningInstance } from "../../bindings/RunningInstance";
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
  return <StillRunning key={notice.outcome.entry.id} verb={notice.verb} label={notice.outcome.entry.label} running={notice.outcome.stillRunning} close={close} />;
}

/** The instances an undo left running: those launched here with a terminate that asks once,
 * then goes by id; imported ones are only said to be unaffected. */
function StillRunning({ verb, label, running: all, close }: { verb: string; label: string; running: RunningInstance[]; close: React.ReactNode }) {
  const running = all.filter((r) => r.launchedHere);
  const imported = all.filter((r) => !r.launchedHere);
  const [phase, setPhase] = useState<"shown" | "confirm" | "busy" | "done">("shown");
  const [error, setError] = useState<Explained | null>(null);
  const [terminated, setTerminated] = useState<string[]>([]);
  const terminate = async () => {
    setPhase("busy");
    setError(null);
    try {
      setTerminated(await backend.cloudTerminateInstances(running));
      setPhase("done");
    } catch (e) {
      setError(explain(e));
      setPhase("confirm");
    }
  };
  const them = running.length === 1 ? "it" : "them";
  return (
    <div className="flex shrink-0 items-start gap-2 border-b border-warn/40 bg-warn-soft px-3 py-2 text-[13px]" role="status" data-testid="undo-notice">
      <div className="min-w-0 flex-1">
        <p className="text-[12px] text-muted">
          {verb === "undo" ? "Undone" : "Redone"}: {label}
        </p>
        {phase === "done" ? (
          <p data-testid="undo-terminated">Terminating {terminated.join(", ")}: EC2 accepted the request.</p>
        ) : (
          <ul>
            {running.map((r) => (
              <li key={`${r.node} ${r.instanceId}`} data-selectable>
                The instance {r.instanceId} (node {r.node}
                {r.region ? `, ${r.region}` : ""}) still runs: {verb} changes the repository only.
              </li>
            ))}
          </ul>
        )}
        {imported.length > 0 && (
          <p data-testid="undo-imported" data-selectable>
            {imported.length === 1 ? "The instance " : "The instances "}
            {imported.map((r) => r.instanceId).join(", ")} {imported.length === 1 ? "was" : "were"} imported, not launched here:{" "}
            {imported.length === 1 ? "it keeps" : "they keep"} running and {imported.length === 1 ? "is" : "are"} not affected.
          </p>
        )}
        {phase === "confirm" && <p className="mt-1 font-medium">Terminate {them} for good? This cannot be undone; the instance{running.length === 1 ? "'s" : "s'"} disks go with {them}.</p>}
        {error && <ErrorNote error={error} testId="undo-terminate-error" />}
      </div>
      {phase === "shown" && running.length > 0 && (
        <Button size="sm" variant="danger" icon={<Power size={13} />} onClick={() => setPhase("confirm")} data-testid="undo-terminate">
          {running.length === 1 ? "Terminate it…" : "Terminate them…"}
        </Button>
      )}
      {(phase === "confirm" || phase === "busy") && (
        <>
          <Button size="sm" variant="danger" disabled={phase === "busy"} onClick={() => void terminate()} data-testid="undo-terminate-confirm">
            Terminate
          </Button>
          <Button size="sm" disabled={phase === "busy"} onClick={() => setPhase("shown")} data-testid="undo-terminate-cancel">
            Keep {them}
          </Button>
        </>
      )}
      {close}
    </div>
  );
}
