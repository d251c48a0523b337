// A run tab: Run command or Copy files on the nodes of a selection. The form, then the grid of
// nodes as the run goes, the grouped outputs when it is done, and the past runs beside (one
// opens here read-only, with Run again).
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Loader2, RotateCw, Square } from "lucide-react";
import type { CopyRequest } from "../../bindings/CopyRequest";
import type { RunKind } from "../../bindings/RunKind";
import type { RunRecord } from "../../bindings/RunRecord";
import type { RunRequest } from "../../bindings/RunRequest";
import { backend } from "../../lib/backend";
import { explain } from "../../lib/errors";
import { runKeys } from "../../lib/queryKeys";
import type { Session } from "../../lib/sessions";
import { Button, ErrorNote } from "../ui";
import { CommandForm, commandRequest, emptyCommand, type CommandFields } from "./CommandForm";
import { CopyForm, emptyCopy, type CopyFields } from "./CopyForm";
import { PastRuns } from "./PastRuns";
import { RunGrid } from "./RunGrid";
import { RunGroups } from "./RunGroups";
import { useRun } from "./useRun";

type RunSession = Extract<Session, { kind: "run" }>;
type LastRequest = { kind: "command"; request: RunRequest } | { kind: "copy"; request: CopyRequest };

const NAMES_SHOWN = 8;

export function RunPanel({ session }: { session: RunSession }) {
  const client = useQueryClient();
  const run = useRun();
  const [mode, setMode] = useState<RunKind>(session.mode);
  const [nodes, setNodes] = useState(session.nodes);
  const [command, setCommand] = useState<CommandFields>(emptyCommand);
  const [copy, setCopy] = useState<CopyFields>(emptyCopy);
  const [last, setLast] = useState<LastRequest | null>(null);
  /** The past run shown read-only. */
  const [viewing, setViewing] = useState<string | null>(null);
  const [openError, setOpenError] = useState<unknown>(null);
  const busy = run.starting || (!!run.record && !run.done);

  const startCommand = (request: RunRequest) => {
    setViewing(null);
    setLast({ kind: "command", request });
    void run.start((events) => backend.runCommand(request, events));
  };
  const startCopy = (request: CopyRequest) => {
    setViewing(null);
    setLast({ kind: "copy", request });
    void run.start((events) => backend.copyFiles(request, events));
  };

  const openPast = async (id: string) => {
    setOpenError(null);
    try {
      const record = await client.fetchQuery({ queryKey: runKeys.one(id), queryFn: () => backend.runGet(id), staleTime: 0 });
      setViewing(id);
      run.show(record);
    } catch (e) {
      setOpenError(e);
    }
  };

  /** The past run's nodes in the form; a command starts again at once (a copy's files are picked again). */
  const runAgain = (record: RunRecord) => {
    const again = record.nodes.map((n) => n.node);
    setViewing(null);
    setMode(record.kind);
    setNodes(again);
    if (record.kind === "copy") {
      run.clear();
      return;
    }
    const fields = { ...command, command: record.command };
    setCommand(fields);
    const { request } = commandRequest(fields, again);
    if (request) startCommand(request);
    else run.clear();
  };

  const failed = run.record?.nodes.filter((n) => n.state === "failed").map((n) => n.node) ?? [];
  const rerunFailed = () => {
    if (viewing && run.record?.kind === "command") {
      const { request } = commandRequest({ ...command, command: run.record.command }, failed);
      if (request) startCommand(request);
    } else if (last?.kind === "command") startCommand({ ...last.request, nodes: failed });
    else if (last?.kind === "copy") startCopy({ ...last.request, nodes: failed });
  };
  const canRerun = viewing ? run.record?.kind === "command" : !!last;

  return (
    <div className="flex min-h-0 flex-1" data-testid="run-panel" data-mode={mode}>
      <div className="min-h-0 min-w-0 flex-1 overflow-y-auto">
        <div className="mx-auto flex max-w-[1100px] flex-col gap-4 p-4">
          <header>
            <h2 className="text-[15px] font-semibold">{mode === "copy" ? "Copy files" : "Run command"}</h2>
            <p className="text-[12px] text-muted [overflow-wrap:anywhere]" data-testid="run-nodes">
              On {nodes === session.nodes ? session.title : `${nodes.length} nodes`}
              {nodes.length > 1 && `: ${nodes.slice(0, NAMES_SHOWN).join(", ")}${nodes.length > NAMES_SHOWN ? ` and ${nodes.length - NAMES_SHOWN} more` : ""}`}
            </p>
          </header>
          {viewing && run.record ? (
            <PastHeader record={run.record} onRunAgain={() => runAgain(run.record!)} />
          ) : mode === "command" ? (
            <CommandForm fields={command} nodes={nodes} busy={busy} onChange={setCommand} onStart={startCommand} />
          ) : (
            <CopyForm fields={copy} nodes={nodes} busy={busy} onChange={setCopy} onStart={startCopy} />
          )}
          <ErrorNote error={run.error ? explain(run.error) : openError ? explain(openError) : null} testId="run-error" />
          {run.starting && !run.record && (
            <p className="flex items-center gap-2 text-[12px] text-muted">
              <Loader2 size={14} className="animate-spin" /> Starting…
            </p>
          )}
          {run.record && (
            <>
              <RunStatus record={run.record} done={run.done} failed={failed.length} onCancel={() => void run.cancel()} onRerunFailed={canRerun ? rerunFailed : null} />
              <RunGrid record={run.record} live={run.live} />
              {run.done && <RunGroups record={run.record} />}
            </>
          )}
        </div>
      </div>
      <aside className="w-[220px] shrink-0 overflow-y-auto border-l border-line bg-panel p-3">
        <PastRuns shown={viewing} onOpen={(id) => void openPast(id)} />
      </aside>
    </div>
  );
}

function PastHeader({ record, onRunAgain }: { record: RunRecord; onRunAgain: () => void }) {
  return (
    <div className="flex flex-wrap items-center gap-3 rounded-md border border-line bg-panel px-3 py-2" data-testid="past-run-shown" data-id={record.id}>
      <div className="min-w-0 flex-1">
        <p className="text-[11px] font-semibold tracking-wide text-muted uppercase">{record.kind === "copy" ? "Past copy" : "Past run"} · {new Date(record.startedAt).toLocaleString()}</p>
        <code className="font-mono text-[12px] [overflow-wrap:anywhere]" data-testid="past-run-command" data-selectable>
          {record.command}
        </code>
      </div>
      <Button icon={<RotateCw size={13} />} onClick={onRunAgain} data-testid="run-again">
        Run again
      </Button>
    </div>
  );
}

function RunStatus({ record, done, failed, onCancel, onRerunFailed }: { record: RunRecord; done: boolean; failed: number; onCancel: () => void; onRerunFailed: (() => void) | null }) {
  const total = record.nodes.length;
  const over = record.nodes.filter((n) => n.state !== "waiting" && n.state !== "running").length;
  return (
    <div className="flex flex-wrap items-center gap-3 text-[12px]" data-testid="run-status" data-done={done}>
      <span className="font-medium">{done ? `Done: ${total} node${total === 1 ? "" : "s"}` : `${over} of ${total} done`}</span>
      {failed > 0 && <span className="text-danger">{failed} failed</span>}
      <span className="ml-auto" />
      {!done && (
        <Button size="sm" icon={<Square size={11} />} onClick={onCancel} data-testid="run-command-cancel">
          Cancel
        </Button>
      )}
      {done && failed > 0 && onRerunFailed && (
        <Button size="sm" icon={<RotateCw size={12} />} onClick={onRerunFailed} data-testid="run-rerun-failed">
          Rerun on failed ({failed})
        </Button>
      )}
    </div>
  );
}
