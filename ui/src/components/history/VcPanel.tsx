// The repository's git history: start it, how changes are committed (each one, or gathered
// until a checkpoint), what changed since the last commit, the remote (pull, push) and the
// conflicts a pull left, settled node by node. Every answer is the core's.
import { useEffect, useId, useState, type ReactNode } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowDownToLine, ArrowUpFromLine, ChevronRight, GitBranch, GitCommitHorizontal, Loader2, Save } from "lucide-react";
import type { Conflict } from "../../bindings/Conflict";
import type { Choice } from "../../bindings/Choice";
import type { ItemDiff } from "../../bindings/ItemDiff";
import type { PullOutcome } from "../../bindings/PullOutcome";
import type { VcMode } from "../../bindings/VcMode";
import type { VcStatus } from "../../bindings/VcStatus";
import { backend } from "../../lib/backend";
import { explain, type Explained } from "../../lib/errors";
import { exactTime, relativeTime, showValue, useVcConflicts, useVcDiff, useVcStatus } from "../../lib/history";
import { keys } from "../../lib/queryKeys";
import { useUi } from "../../lib/store";
import { Button, cx, ErrorNote, Input, SectionTitle, Select } from "../ui";
import { PropertyDiffs } from "./Diffs";

const MODE_LABEL: Record<VcMode, string> = { eachChange: "Commit every change", checkpoint: "Gather changes until a checkpoint" };

function pullText(o: PullOutcome): string {
  const n = o.changedItems.length;
  const items = `${n} item${n === 1 ? "" : "s"}`;
  switch (o.kind) {
    case "upToDate":
      return "Already up to date.";
    case "fastForward":
      return `Pulled: ${items} changed.`;
    case "merged":
      return `Pulled and merged: ${items} changed.`;
    case "conflicts":
      return `Pulled, with ${o.conflicts.length} conflicted node${o.conflicts.length === 1 ? "" : "s"} to settle below${n ? ` (${items} changed)` : ""}.`;
  }
}

export function VcPanel() {
  const status = useVcStatus();
  if (status.error) return <ErrorNote error={explain(status.error)} className="m-4" testId="vc-error" />;
  if (!status.data) {
    return (
      <p className="flex items-center gap-2 p-4 text-[12px] text-muted" data-testid="vc-loading">
        <Loader2 size={14} className="animate-spin" /> Reading the git status…
      </p>
    );
  }
  return status.data.enabled ? <VcEnabled status={status.data} /> : <VcOff />;
}

function useVcMutation<A, R>(fn: (a: A) => Promise<R>, onDone?: (r: R) => void) {
  const client = useQueryClient();
  const [error, setError] = useState<Explained | null>(null);
  const m = useMutation({
    mutationFn: fn,
    onMutate: () => setError(null),
    onSuccess: (r) => {
      onDone?.(r);
      void client.invalidateQueries({ queryKey: keys.vc });
      void client.invalidateQueries({ queryKey: keys.history });
    },
    onError: (e) => setError(explain(e)),
  });
  return { ...m, problem: error };
}

function VcOff() {
  const init = useVcMutation(() => backend.vcInit(), (c) => useUi.getState().log(`Git history started: ${c.message}`));
  return (
    <section className="flex max-w-[640px] flex-col gap-3 p-4" data-testid="vc-panel">
      <h2 className="flex items-center gap-2 text-[15px] font-semibold">
        <GitBranch size={16} /> Git history
      </h2>
      <p className="text-[13px] text-muted">
        The repository is a folder of plain files: git can keep every version of it. With git, each change (or each checkpoint you make) becomes a commit you can go back to, and a remote lets
        others pull your changes and push theirs. The undo list works without it.
      </p>
      <ErrorNote error={init.problem} testId="vc-error" />
      <div>
        <Button variant="primary" icon={init.isPending ? <Loader2 size={14} className="animate-spin" /> : <GitBranch size={14} />} disabled={init.isPending} onClick={() => init.mutate(undefined)} data-testid="vc-init">
          Start history with git
        </Button>
      </div>
    </section>
  );
}

function VcEnabled({ status }: { status: VcStatus }) {
  const id = useId();
  const client = useQueryClient();
  const log = useUi((s) => s.log);
  const [message, setMessage] = useState("");
  const [remote, setRemote] = useState(status.remote ?? "");
  useEffect(() => setRemote(status.remote ?? ""), [status.remote]);
  const [result, setResult] = useState<string | null>(null);
  const [pulled, setPulled] = useState<Conflict[]>([]);

  const mode = useVcMutation((m: VcMode) => backend.vcSetMode(m));
  const checkpoint = useVcMutation(
    (msg: string) => backend.vcCheckpoint(msg.trim() ? msg.trim() : null),
    (c) => {
      setResult(c ? `Committed ${c.id.slice(0, 7)}: ${c.message}` : "Nothing to commit: no change since the last commit.");
      if (c) {
        setMessage("");
        log(`Checkpoint ${c.id.slice(0, 7)}: ${c.message}`);
      }
    },
  );
  const saveRemote = useVcMutation((url: string) => backend.vcSetRemote(url.trim()), () => setResult("Remote saved."));
  const pull = useVcMutation(
    () => backend.vcPull(),
    (o) => {
      setResult(pullText(o));
      setPulled(o.conflicts);
      void client.invalidateQueries({ queryKey: keys.tree });
    },
  );
  const push = useVcMutation(() => backend.vcPush(), (o) => setResult(`Pushed to ${o.remote} (${o.branch}).`));
  const resolve = useVcMutation(
    ({ name, choice }: { name: string; choice: Choice }) => backend.vcResolve(name, choice),
    (s) => {
      client.setQueryData(keys.vcStatus, s);
      void client.invalidateQueries({ queryKey: keys.tree });
    },
  );

  const diff = useVcDiff(null);
  const fromCore = useVcConflicts(status.conflicts > 0);
  // The core's list once its status counts conflicts; until then, what the pull returned.
  const conflicts = status.conflicts > 0 ? (fromCore.data ?? pulled) : pulled;
  const settled = (name: string) => setPulled((p) => p.filter((c) => c.name !== name));
  const problem = mode.problem ?? checkpoint.problem ?? saveRemote.problem ?? pull.problem ?? push.problem ?? resolve.problem;
  const busy = pull.isPending || push.isPending;

  return (
    <section className="flex max-w-[760px] flex-col gap-5 p-4" data-testid="vc-panel">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h2 className="flex items-center gap-2 text-[15px] font-semibold">
          <GitBranch size={16} /> {status.branch ?? "(no branch)"}
        </h2>
        <span className="text-[12px] text-muted" data-testid="vc-last-commit">
          {status.lastCommit ? (
            <>
              Last commit <span className="font-mono">{status.lastCommit.id.slice(0, 7)}</span> “{status.lastCommit.message}” by {status.lastCommit.author},{" "}
              <time dateTime={status.lastCommit.at} title={exactTime(status.lastCommit.at)}>
                {relativeTime(status.lastCommit.at)}
              </time>
            </>
          ) : (
            "No commit yet"
          )}
        </span>
      </div>

      <ErrorNote error={problem} testId="vc-error" />
      {result && !problem && (
        <p className="rounded-md bg-panel-2 px-3 py-2 text-[13px]" role="status" data-testid="vc-result">
          {result}
        </p>
      )}

      {conflicts.length > 0 && (
        <Block title={`Conflicts (${conflicts.length})`}>
          <p className="mb-2 text-[12px] text-muted">
            These nodes were changed here and on the remote. For each, keep your version or take theirs: the other side stays in the git history, so nothing is lost.
          </p>
          <div className="flex flex-col gap-3">
            {conflicts.map((c) => (
              <ConflictView
                key={c.name}
                conflict={c}
                busy={resolve.isPending}
                onChoose={(choice) => resolve.mutate({ name: c.name, choice }, { onSuccess: () => settled(c.name) })}
              />
            ))}
          </div>
        </Block>
      )}

      <Block title="How changes are committed">
        <Select
          id={`${id}-mode`}
          value={status.mode}
          onChange={(e) => mode.mutate(e.target.value as VcMode)}
          disabled={mode.isPending}
          className="w-auto max-w-[320px]"
          aria-label="How changes are committed"
          data-testid="vc-mode"
        >
          {(Object.keys(MODE_LABEL) as VcMode[]).map((m) => (
            <option key={m} value={m}>
              {MODE_LABEL[m]}
            </option>
          ))}
        </Select>
        <p className="mt-1 text-[12px] text-muted">
          {status.mode === "eachChange" ? "Each change made here or with the command line becomes one commit." : "Changes gather until you make a checkpoint: one commit with your message."}
        </p>
      </Block>

      <Block title={`Changed since the last commit (${status.changedItems})`}>
        {diff.error ? (
          <ErrorNote error={explain(diff.error)} />
        ) : !diff.data ? (
          <Loader2 size={14} className="animate-spin text-muted" />
        ) : diff.data.items.length === 0 ? (
          <p className="text-[12px] text-muted" data-testid="vc-no-changes">
            Nothing changed since the last commit.
          </p>
        ) : (
          <ul className="flex flex-col divide-y divide-line rounded-md border border-line">
            {diff.data.items.map((d) => (
              <DiffRow key={d.name} diff={d} />
            ))}
          </ul>
        )}
        <div className="mt-3 flex items-start gap-2">
          <Input
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => e.key === "Enter" && checkpoint.mutate(message)}
            placeholder="What these changes are (optional)"
            aria-label="Checkpoint message"
            data-testid="vc-message"
            className="flex-1"
          />
          <Button variant="primary" icon={<GitCommitHorizontal size={14} />} disabled={checkpoint.isPending} onClick={() => checkpoint.mutate(message)} data-testid="vc-checkpoint">
            Checkpoint
          </Button>
        </div>
      </Block>

      <Block title="Remote">
        <div className="flex items-start gap-2">
          <Input value={remote} onChange={(e) => setRemote(e.target.value)} placeholder="git@example.com:team/fleet.git" aria-label="Remote URL" data-testid="vc-remote" className="flex-1" spellCheck={false} />
          <Button icon={<Save size={14} />} disabled={saveRemote.isPending || remote.trim() === (status.remote ?? "")} onClick={() => saveRemote.mutate(remote)} data-testid="vc-remote-save">
            Save
          </Button>
        </div>
        <div className="mt-2 flex flex-wrap gap-2">
          <Button icon={pull.isPending ? <Loader2 size={14} className="animate-spin" /> : <ArrowDownToLine size={14} />} disabled={busy || !status.remote} onClick={() => pull.mutate(undefined)} data-testid="vc-pull">
            Pull{status.behind ? ` (${status.behind} behind)` : ""}
          </Button>
          <Button icon={push.isPending ? <Loader2 size={14} className="animate-spin" /> : <ArrowUpFromLine size={14} />} disabled={busy || !status.remote} onClick={() => push.mutate(undefined)} data-testid="vc-push">
            Push{status.ahead ? ` (${status.ahead} ahead)` : ""}
          </Button>
        </div>
        {!status.remote && <p className="mt-1 text-[12px] text-muted">Save a remote to pull and push.</p>}
      </Block>
    </section>
  );
}

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <SectionTitle>{title}</SectionTitle>
      {children}
    </div>
  );
}

const DIFF_LABEL: Record<ItemDiff["change"], string> = { added: "added", removed: "removed", changed: "changed" };

function DiffRow({ diff }: { diff: ItemDiff }) {
  const [open, setOpen] = useState(false);
  return (
    <li data-testid={`vc-diff-${diff.name}`}>
      <button className="flex w-full items-center gap-2 px-3 py-1.5 text-left text-[13px] hover:bg-hover" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <ChevronRight size={13} className={cx("shrink-0 text-muted transition-transform", open && "rotate-90")} />
        <span className="min-w-0 flex-1 truncate">{diff.name}</span>
        <span className="text-[11px] text-muted">
          {diff.kind} {DIFF_LABEL[diff.change]}
        </span>
      </button>
      {open && (
        <div className="border-t border-line px-8 py-2">
          <PropertyDiffs properties={diff.properties} />
        </div>
      )}
    </li>
  );
}

function ConflictView({ conflict, busy, onChoose }: { conflict: Conflict; busy: boolean; onChoose: (choice: Choice) => void }) {
  const { name } = conflict;
  return (
    <div className="rounded-md border border-warn/50" data-testid={`vc-conflict-${name}`}>
      <p className="border-b border-line px-3 py-1.5 text-[13px] font-medium">{name}</p>
      <div className="grid grid-cols-[minmax(90px,auto)_minmax(0,1fr)_minmax(0,1fr)] gap-x-3 gap-y-0.5 px-3 py-2 text-[12px]">
        <span />
        <span className="font-semibold text-muted">Mine</span>
        <span className="font-semibold text-muted">Theirs</span>
        {conflict.mine === null && (
          <>
            <span />
            <span className="text-faint italic">removed here</span>
            <span />
          </>
        )}
        {conflict.theirs === null && (
          <>
            <span />
            <span />
            <span className="text-faint italic">removed on the remote</span>
          </>
        )}
        {conflict.properties.map((p) => (
          <ConflictRow key={p.key} label={p.key} mine={showValue(p.before)} theirs={showValue(p.after)} />
        ))}
      </div>
      <div className="flex gap-2 border-t border-line px-3 py-2">
        <Button size="sm" disabled={busy} onClick={() => onChoose("mine")} data-testid={`vc-keep-mine-${name}`}>
          Keep mine
        </Button>
        <Button size="sm" disabled={busy} onClick={() => onChoose("theirs")} data-testid={`vc-take-theirs-${name}`}>
          Take theirs
        </Button>
      </div>
    </div>
  );
}

function ConflictRow({ label, mine, theirs }: { label: string; mine: string; theirs: string }) {
  return (
    <>
      <span className="font-mono text-muted">{label}</span>
      <span className="min-w-0 font-mono [overflow-wrap:anywhere]" data-selectable>
        {mine}
      </span>
      <span className="min-w-0 font-mono [overflow-wrap:anywhere]" data-selectable>
        {theirs}
      </span>
    </>
  );
}
