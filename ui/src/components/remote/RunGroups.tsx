// A finished run's outputs, grouped by the backend: nodes that printed the same and ended the
// same way together, the biggest group first and the odd ones apart. Each opens to its full
// output; an odd one also compares, line by line, with the biggest.
import { useMemo, useState } from "react";
import { ChevronRight, GitCompare } from "lucide-react";
import type { OutputGroup } from "../../bindings/OutputGroup";
import type { RunRecord } from "../../bindings/RunRecord";
import { lineDiff } from "../../lib/lineDiff";
import { Button, cx, SectionTitle } from "../ui";

const MEMBERS_SHOWN = 30;

function ending(group: OutputGroup): string {
  return group.exitStatus === null ? "no exit status" : `exit status ${group.exitStatus}`;
}

export function RunGroups({ record }: { record: RunRecord }) {
  const [biggest, ...odd] = record.groups;
  if (!biggest) return null;
  return (
    <section className="flex flex-col gap-2" data-testid="run-groups">
      <SectionTitle>Outputs</SectionTitle>
      <GroupBlock record={record} group={biggest} />
      {odd.length > 0 && (
        <>
          <p className="mt-1 text-[12px] font-medium text-muted">
            Different from the rest ({odd.length} group{odd.length === 1 ? "" : "s"}):
          </p>
          {odd.map((g) => (
            <GroupBlock key={g.members.join(",")} record={record} group={g} compareWith={biggest} />
          ))}
        </>
      )}
    </section>
  );
}

function GroupBlock({ record, group, compareWith }: { record: RunRecord; group: OutputGroup; compareWith?: OutputGroup }) {
  const [open, setOpen] = useState(false);
  const [comparing, setComparing] = useState(false);
  const names = group.members.map((i) => record.nodes[i]?.node ?? `#${i}`);
  const n = names.length;
  return (
    <div className={cx("rounded-md border", compareWith ? "border-warn/40" : "border-line")} data-testid="run-group" data-count={n}>
      <div className="flex items-start gap-2 px-2.5 py-2">
        <button className="flex min-w-0 flex-1 items-start gap-1.5 text-left" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="run-group-toggle">
          <ChevronRight size={14} className={cx("mt-0.5 shrink-0 text-muted transition-transform", open && "rotate-90")} />
          <span className="min-w-0">
            <span className="font-medium" data-testid="run-group-title">
              {n === 1 ? "1 node" : `${n} nodes: same output`}, {ending(group)}
            </span>
            <span className="block text-[12px] text-muted [overflow-wrap:anywhere]" data-testid="run-group-members">
              {names.slice(0, MEMBERS_SHOWN).join(", ")}
              {n > MEMBERS_SHOWN ? ` and ${n - MEMBERS_SHOWN} more` : ""}
            </span>
          </span>
        </button>
        {compareWith && (
          <Button size="sm" variant={comparing ? "secondary" : "ghost"} icon={<GitCompare size={12} />} aria-pressed={comparing} onClick={() => setComparing((c) => !c)} data-testid="run-group-compare">
            Compare with the biggest group
          </Button>
        )}
      </div>
      {open && <Output text={group.output} />}
      {comparing && compareWith && <Diff from={compareWith.output} to={group.output} />}
    </div>
  );
}

function Output({ text }: { text: string }) {
  return (
    <pre className="max-h-[360px] overflow-auto border-t border-line bg-bg px-3 py-2 font-mono text-[11px] leading-snug whitespace-pre" data-testid="run-group-output" data-selectable>
      {text === "" ? <span className="text-faint italic">no output</span> : text}
    </pre>
  );
}

function Diff({ from, to }: { from: string; to: string }) {
  const lines = useMemo(() => lineDiff(from, to), [from, to]);
  return (
    <div className="border-t border-line" data-testid="run-group-diff">
      <p className="px-3 pt-1.5 text-[11px] text-muted">− only in the biggest group · + only in this one</p>
      <pre className="max-h-[360px] overflow-auto px-3 pb-2 font-mono text-[11px] leading-snug whitespace-pre" data-selectable>
        {lines.map((l, i) => (
          <div
            key={i}
            className={cx(l.kind === "removed" && "bg-danger-soft text-danger", l.kind === "added" && "bg-ok-soft text-ok", l.kind === "same" && "text-muted")}
            data-kind={l.kind}
          >
            {l.kind === "removed" ? "− " : l.kind === "added" ? "+ " : "  "}
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}
