// The inspector: what one item is at a glance. A column on wide windows; at small sizes it
// folds into the main area (above the editor).
import { useState } from "react";
import { ChevronDown, Copy, FileWarning, Folder, KeyRound, Network, Server, SquarePen, TriangleAlert } from "lucide-react";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { TreeItem } from "../bindings/TreeItem";
import { actions } from "../lib/actions";
import { getPath } from "../lib/props";
import type { Props } from "../lib/props";
import { useItem } from "../lib/queries";
import { useUi } from "../lib/store";
import { descendants, type TreeModel } from "../lib/treeModel";
import { Button, cx, dash, Row } from "./ui";
import { LiveBadge, LiveRows, NodeCloudPanel, CloudButtons } from "./cloud/NodeCloud";
import { scopeFor } from "../lib/cloud";
import { useVcDiff, useVcStatus } from "../lib/history";
import { PropertyDiffs } from "./history/Diffs";
import { RemoteSection } from "./remote/RemoteButtons";


function text(v: unknown) {
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null;
}

export function Inspector({ model, folded }: { model: TreeModel; folded?: boolean }) {
  const current = useUi((s) => s.current);
  const selected = useUi((s) => s.selected);
  const item = current ? model.byName.get(current) : undefined;
  const detail = useItem(item ? item.name : null);

  if (!item) {
    return (
      <aside className={cx("text-[12px] text-muted", folded ? "" : "p-4")} data-testid="inspector">
        {selected.length > 1 ? `${selected.length} items selected.` : "Select a system or node in the tree to see it here."}
      </aside>
    );
  }
  if (folded) return <FoldedInspector item={item} model={model} />;
  return (
    <aside className={cx("flex flex-col gap-3", folded ? "" : "p-4")} data-testid="inspector">
      <Header item={item} />
      {selected.length > 1 && <p className="text-[12px] text-muted">{selected.length} items selected; showing {item.label}.</p>}
      <dl className={cx(folded && "grid grid-cols-1 gap-x-6 md:grid-cols-2")}>
        {item.kind === "node" ? <NodeRows item={item} detail={detail.data} model={model} /> : <SystemRows item={item} model={model} />}
      </dl>
      {item.problem && (
        <p className="flex gap-1.5 rounded-md bg-danger-soft px-2 py-1.5 text-[12px] text-danger" data-selectable>
          <FileWarning size={14} className="mt-px shrink-0" /> {item.problem}
        </p>
      )}
      {!folded && <RemoteSection model={model} name={item.name} />}
      {!folded && <VcChanges name={item.name} />}
      {!folded && item.kind === "node" && <NodeCloudPanel item={item} />}
      {!folded && item.kind === "system" && <SystemCloud item={item} model={model} />}
      {!folded && (
        <div className="flex flex-wrap gap-1.5">
          <Button size="sm" icon={<SquarePen size={13} />} onClick={() => actions.open(item.name)} data-testid="inspector-open">
            Edit
          </Button>
          {item.kind === "node" && (
            <Button size="sm" icon={<Copy size={13} />} onClick={() => actions.clone(model, item.name)} data-testid="inspector-clone">
              Clone…
            </Button>
          )}
          <Button size="sm" icon={<Network size={13} />} onClick={() => actions.showGraph(model, item.name)} data-testid="inspector-graph">
            Graph
          </Button>
        </div>
      )}
    </aside>
  );
}

function Header({ item }: { item: TreeItem }) {
  return (
    <div className="flex min-w-0 items-start gap-2">
      <span className={cx("mt-0.5 flex h-7 w-7 shrink-0 items-center justify-center rounded-md", item.kind === "node" ? "bg-accent-soft text-accent" : "bg-panel-2 text-muted")}>
        {item.kind === "node" ? <Server size={15} /> : <Folder size={15} />}
      </span>
      <div className="min-w-0">
        <h2 className="truncate text-[15px] leading-tight font-semibold" data-testid="inspector-name" title={item.name}>
          {item.label}
        </h2>
        <p className="truncate text-[12px] text-muted" title={item.name} data-selectable>
          {item.kind} · {item.name}
        </p>
      </div>
    </div>
  );
}

function Link({ name }: { name: string }) {
  const select = useUi((s) => s.select);
  return (
    <button className="max-w-full truncate text-left text-accent hover:underline" onClick={() => select([name], name)} title={`Select ${name}`}>
      {name}
    </button>
  );
}

function NodeRows({ item, detail, model }: { item: TreeItem; detail?: ItemDetail; model: TreeModel }) {
  const props = (detail?.props ?? {}) as Props;
  const clones = model.clones.get(item.name) ?? [];
  const host = text(getPath(props, "host"));
  const ip = text(getPath(props, "private.ip"));
  const dns = text(getPath(props, "private.dns"));
  const kp = detail?.keyPair;
  return (
    <>
      <LiveRows item={item} fileHost={host} fileIp={ip} fileDns={dns} />
      <Row label="Cloned from" testId="inspector-parent">
        {item.cloneOf ? model.byName.has(item.cloneOf) ? <Link name={item.cloneOf} /> : <span className="text-warn">{item.cloneOf} (missing)</span> : dash}
      </Row>
      {clones.length > 0 && (
        <Row label="Clones" testId="inspector-clones">
          <span className="flex flex-col">
            {clones.slice(0, 6).map((c) => (
              <Link key={c} name={c} />
            ))}
            {clones.length > 6 && <span className="text-muted">and {clones.length - 6} more</span>}
          </span>
        </Row>
      )}
      <Row label="Key pair" testId="inspector-key-pair">
        {kp ? (
          kp.exists ? (
            <span className="flex min-w-0 items-start gap-1 text-ok" data-status="found">
              <KeyRound size={12} className="mt-0.5 shrink-0" />
              <span className="min-w-0 [overflow-wrap:anywhere]">
                {kp.name} <span className="text-muted">({kp.path} found)</span>
              </span>
            </span>
          ) : (
            <span className="flex min-w-0 items-start gap-1 text-warn" data-status="missing">
              <TriangleAlert size={12} className="mt-0.5 shrink-0" /> <span className="min-w-0 [overflow-wrap:anywhere]">{kp.name}: no {kp.path}</span>
            </span>
          )
        ) : (
          dash
        )}
      </Row>
    </>
  );
}

function SystemRows({ item, model }: { item: TreeItem; model: TreeModel }) {
  const inner = descendants(model, item.name);
  const nodes = inner.filter((i) => i.kind === "node");
  const launched = nodes.filter((n) => n.instance).length;
  return (
    <>
      <Row label="Contains" testId="inspector-contains">
        {nodes.length} node{nodes.length === 1 ? "" : "s"}, {inner.length - nodes.length} system{inner.length - nodes.length === 1 ? "" : "s"}
      </Row>
      <Row label="Launched">
        {launched} of {nodes.length}
      </Row>
      <Row label="Region" testId="inspector-region">
        {item.region ?? dash}
      </Row>
    </>
  );
}

/** At small sizes: one line with the essentials, details on demand, so the editor keeps the room. */
function FoldedInspector({ item, model }: { item: TreeItem; model: TreeModel }) {
  const [open, setOpen] = useState(false);
  const detail = useItem(item.name);
  return (
    <aside className="flex flex-col gap-2" data-testid="inspector">
      <div className="flex min-w-0 items-center gap-2 text-[12px]">
        <span className={cx("flex h-6 w-6 shrink-0 items-center justify-center rounded-md", item.kind === "node" ? "bg-accent-soft text-accent" : "bg-panel-2 text-muted")}>
          {item.kind === "node" ? <Server size={13} /> : <Folder size={13} />}
        </span>
        <span className="min-w-0 truncate text-[14px] font-semibold" data-testid="inspector-name" title={item.name}>
          {item.label}
        </span>
        {item.kind === "node" && <LiveBadge item={item} testId="inspector-state" />}
        {item.cloneOf && <span className="min-w-0 truncate text-faint">{"<="} {item.cloneOf}</span>}
        {item.region && <span className="shrink-0 text-muted">{item.region}</span>}
        <button
          className="ml-auto flex shrink-0 items-center gap-0.5 rounded px-1.5 py-0.5 text-muted hover:bg-hover hover:text-fg"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
          data-testid="inspector-toggle"
        >
          Details <ChevronDown size={13} className={cx("transition-transform", open && "rotate-180")} />
        </button>
      </div>
      {open && (
        <dl className="grid grid-cols-1 gap-x-6 sm:grid-cols-2">
          {item.kind === "node" ? <NodeRows item={item} detail={detail.data} model={model} /> : <SystemRows item={item} model={model} />}
        </dl>
      )}
    </aside>
  );
}

function SystemCloud({ item, model }: { item: TreeItem; model: TreeModel }) {
  const scope = scopeFor(model, [item.name]);
  if (!scope) return null;
  const launched = descendants(model, item.name).some((d) => d.kind === "node" && d.instance);
  return <CloudButtons scope={scope} hasInstance={launched} />;
}

/** With git on: what changed in this item since the last commit (only when it is among the changed items). */
function VcChanges({ name }: { name: string }) {
  const status = useVcStatus();
  const on = !!status.data?.enabled && status.data.changedItems > 0;
  const all = useVcDiff(null, on);
  const changed = on && !!all.data?.items.some((i) => i.name === name);
  const mine = useVcDiff(name, changed);
  const diff = mine.data?.items.find((i) => i.name === name);
  if (!changed || !diff) return null;
  return (
    <section className="rounded-md border border-line px-2.5 py-2" data-testid="inspector-vc-changes">
      <h3 className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase">Changes since last commit</h3>
      {diff.change !== "changed" && <p className="mb-1 text-[12px] text-muted">{diff.change === "added" ? "Added" : "Removed"} since the last commit.</p>}
      <PropertyDiffs properties={diff.properties} />
    </section>
  );
}
