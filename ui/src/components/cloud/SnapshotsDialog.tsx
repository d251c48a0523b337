// A node's (or a scope's) snapshots: the list EC2 gives (name, device, state, when), a form to
// make a new one, and Revert / Remove per name. Every action goes through the cloud
// confirmation, which lists the instances it touches and says what will happen; the dialog
// itself changes nothing.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Camera, Loader2, RefreshCw, RotateCcw, Trash2 } from "lucide-react";
import { backend } from "../../lib/backend";
import { cloudActions, scopeLabel } from "../../lib/cloud";
import { cloudKeys } from "../../lib/queryKeys";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import type { NodeSnapshot } from "../../bindings/NodeSnapshot";
import type { Scope } from "../../bindings/Scope";
import { Button, cx, dash, ErrorNote, Field, Input, Modal } from "../ui";

const when = (iso: string | null) => {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

/** The snapshots of one name on one node: what Revert and Remove act on. */
interface NamedSet {
  node: string;
  name: string;
  rows: NodeSnapshot[];
}

/** Rows grouped by node and name, in the core's order (node, then name, device, time). */
function namedSets(snapshots: NodeSnapshot[]): { sets: NamedSet[]; unnamed: NodeSnapshot[] } {
  const sets: NamedSet[] = [];
  const unnamed: NodeSnapshot[] = [];
  for (const s of snapshots) {
    if (s.name === null) {
      unnamed.push(s);
      continue;
    }
    const last = sets[sets.length - 1];
    if (last && last.node === s.node && last.name === s.name) last.rows.push(s);
    else sets.push({ node: s.node, name: s.name, rows: [s] });
  }
  return { sets, unnamed };
}

const stateLook: Record<string, string> = { completed: "text-ok", pending: "text-warn", error: "text-danger" };

export function SnapshotsDialog({ scope }: { scope: Scope }) {
  const close = useUi((s) => s.closeDialog);
  const list = useQuery({ queryKey: cloudKeys.snapshots(scope), queryFn: () => backend.cloudSnapshots(scope), staleTime: 0, gcTime: 0 });
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const trimmed = name.trim();
  const { sets, unnamed } = namedSets(list.data?.snapshots ?? []);
  const create = () => {
    const d = description.trim();
    cloudActions.confirm(scope, "createSnapshot", d ? { name: trimmed, description: d } : { name: trimmed });
  };
  return (
    <Modal
      open
      wide
      onOpenChange={(o) => !o && close()}
      title={`Snapshots of ${scopeLabel(scope)}`}
      description="Snapshots of the instances' EBS volumes, by name. Making, reverting to and removing one asks you to confirm first."
      testId="snapshots-dialog"
      footer={<Button onClick={close}>Close</Button>}
    >
      <div className="flex flex-col gap-3 text-[13px]">
        <form
          className="flex flex-col gap-2 rounded-md border border-line px-3 py-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (trimmed) create();
          }}
          data-testid="snapshot-create-form"
        >
          <div className="flex flex-wrap items-end gap-2">
            <Field label="Name" htmlFor="snapshot-name" className="min-w-[140px] flex-1">
              <Input id="snapshot-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="before-upgrade" maxLength={255} data-testid="snapshot-name" />
            </Field>
            <Field label="Description (optional)" htmlFor="snapshot-description" className="min-w-[180px] flex-[2]">
              <Input id="snapshot-description" value={description} onChange={(e) => setDescription(e.target.value)} data-testid="snapshot-description" />
            </Field>
            <Button type="submit" variant="primary" size="sm" icon={<Camera size={13} />} disabled={!trimmed} data-testid="snapshot-create">
              Make snapshot…
            </Button>
          </div>
          <p className="text-[12px] text-muted">Every EBS volume of the instance is snapshotted; older snapshots of the same name go once the new ones complete.</p>
        </form>

        <div className="flex items-center justify-between">
          <span className="text-[12px] font-semibold tracking-wide text-faint uppercase">In EC2</span>
          <Button size="sm" variant="ghost" icon={<RefreshCw size={12} />} onClick={() => void list.refetch()} disabled={list.isFetching} data-testid="snapshots-reload">
            Reload
          </Button>
        </div>
        {list.isPending ? (
          <p className="flex items-center gap-2 text-muted" data-testid="snapshots-loading">
            <Loader2 size={14} className="animate-spin" /> Asking EC2 for the snapshots…
          </p>
        ) : list.error ? (
          <ErrorNote error={explain(list.error)} testId="snapshots-error" />
        ) : sets.length === 0 && unnamed.length === 0 ? (
          <p className="text-muted" data-testid="snapshots-empty">
            No snapshots of {scopeLabel(scope)} yet.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-md border border-line">
            <table className="w-full text-left text-[12px]" data-testid="snapshots-list">
              <thead className="bg-panel-2 text-muted">
                <tr>
                  {scope.kind !== "node" && <th className="px-2 py-1.5 font-medium">Node</th>}
                  <th className="px-2 py-1.5 font-medium">Name</th>
                  <th className="px-2 py-1.5 font-medium">Device</th>
                  <th className="px-2 py-1.5 font-medium">State</th>
                  <th className="px-2 py-1.5 font-medium">Started</th>
                  <th className="px-2 py-1.5" />
                </tr>
              </thead>
              <tbody>
                {sets.map((set) =>
                  set.rows.map((s, i) => (
                    <tr key={s.snapshot.id} className={cx(i === 0 && "border-t border-line")} data-testid={`snapshot-${s.snapshot.id}`} data-node={s.node} data-name={set.name}>
                      {scope.kind !== "node" && <td className="px-2 py-1.5 font-medium">{i === 0 ? s.node : ""}</td>}
                      <td className="px-2 py-1.5 font-mono font-medium" title={s.snapshot.description ?? undefined}>
                        {i === 0 ? set.name : ""}
                      </td>
                      <td className="px-2 py-1.5 font-mono">{s.device ?? <span className="text-faint">root</span>}</td>
                      <td className={cx("px-2 py-1.5", stateLook[s.snapshot.state])} data-testid={`snapshot-state-${s.snapshot.id}`}>
                        {s.snapshot.state}
                      </td>
                      <td className="px-2 py-1.5 text-muted">{when(s.snapshot.startTime) ?? dash}</td>
                      <td className="px-2 py-1.5 text-right whitespace-nowrap">
                        {i === 0 && <SetActions set={set} />}
                      </td>
                    </tr>
                  )),
                )}
                {unnamed.map((s) => (
                  <tr key={s.snapshot.id} className="border-t border-line text-muted" data-testid={`snapshot-${s.snapshot.id}`} data-node={s.node}>
                    {scope.kind !== "node" && <td className="px-2 py-1.5">{s.node}</td>}
                    <td className="px-2 py-1.5 font-mono">{s.snapshot.id}</td>
                    <td className="px-2 py-1.5 font-mono">{s.device ?? dash}</td>
                    <td className="px-2 py-1.5">{s.snapshot.state}</td>
                    <td className="px-2 py-1.5">{when(s.snapshot.startTime) ?? dash}</td>
                    <td className="px-2 py-1.5 text-right text-[11px]">no name</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {(list.data?.failed.length ?? 0) > 0 && (
          <ul className="flex flex-col gap-1 text-[12px] text-danger" data-testid="snapshots-failed">
            {list.data?.failed.map((f) => (
              <li key={f.node}>
                <span className="font-medium">{f.node}</span>: {f.error ? explain(f.error).message : f.outcome}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Modal>
  );
}

/** Revert and Remove for one name on one node, each confirmed first. */
function SetActions({ set }: { set: NamedSet }) {
  const scope: Scope = { kind: "node", name: set.node };
  return (
    <span className="inline-flex gap-1">
      <Button size="sm" icon={<RotateCcw size={12} />} onClick={() => cloudActions.confirm(scope, "revertToSnapshot", { name: set.name })} data-testid={`snapshot-revert-${set.node}-${set.name}`}>
        Revert…
      </Button>
      <Button size="sm" variant="ghost" className="text-danger" icon={<Trash2 size={12} />} onClick={() => cloudActions.confirm(scope, "removeSnapshot", { name: set.name })} data-testid={`snapshot-remove-${set.node}-${set.name}`}>
        Remove…
      </Button>
    </span>
  );
}
