// A node's instance in the inspector: live badge, addresses as they arrive, the timeline of
// state changes, the last error, the connect helper, and the cloud actions on it.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, Clock, Copy, Hourglass, Play, Power, RefreshCw, Rocket, Square, Terminal, TriangleAlert } from "lucide-react";
import { backend } from "../../lib/backend";
import { cloudActions, cloudKeys, isMoving, liveState, useLiveLook, useNodeLive, useRefreshing } from "../../lib/cloud";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import type { NodeLive } from "../../bindings/NodeLive";
import type { Scope } from "../../bindings/Scope";
import type { TreeItem } from "../../bindings/TreeItem";
import { Button, cx, dash, Row } from "../ui";
import { StateBadge, StateDot } from "../ui/StateDot";

const clock = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour12: false });
};

/** The live badge of a node (tree item), for the inspector and the editor. */
export function LiveBadge({ item, testId }: { item: TreeItem; testId?: string }) {
  const { state, moving } = useLiveLook(item);
  return <StateBadge state={state} moving={moving} testId={testId} />;
}

/** The live dot of a node, for the tree and the graph. */
export function LiveDot({ item }: { item: TreeItem }) {
  const { state, moving } = useLiveLook(item);
  return <StateDot state={state} moving={moving} />;
}

export function useLive(item: TreeItem): { live: NodeLive | null; state: string; moving: boolean } {
  return useLiveLook(item);
}

/** Cloud actions for one node or a system, as small buttons. */
export function CloudButtons({ scope, hasInstance, state, compact }: { scope: Scope; hasInstance: boolean; state?: string; compact?: boolean }) {
  const client = useQueryClient();
  const stoppable = !state || state === "running" || state === "has-instance" || state === "unknown";
  const startable = !state || state === "stopped" || state === "has-instance" || state === "unknown";
  const terminated = state === "terminated";
  return (
    <div className="flex flex-wrap gap-1.5" data-testid="inspector-cloud-actions">
      <Button size="sm" variant={!hasInstance || terminated ? "primary" : "secondary"} icon={<Rocket size={13} />} onClick={() => cloudActions.launch(scope, hasInstance && !terminated && scope.kind === "node")} data-testid="inspector-launch">
        {hasInstance && !terminated && scope.kind === "node" ? "Re-launch…" : "Launch…"}
      </Button>
      {hasInstance && (
        <>
          <Button size="sm" icon={<RefreshCw size={13} />} onClick={() => cloudActions.refresh(client, scope)} data-testid="inspector-refresh">
            {compact ? "" : "Refresh"}
          </Button>
          {stoppable && !terminated && (
            <Button size="sm" icon={<Square size={12} />} onClick={() => cloudActions.confirm(scope, "stop")} data-testid="inspector-stop">
              Stop…
            </Button>
          )}
          {startable && !terminated && (
            <Button size="sm" icon={<Play size={12} />} onClick={() => cloudActions.confirm(scope, "start")} data-testid="inspector-start">
              Start…
            </Button>
          )}
          <Button size="sm" icon={<Hourglass size={12} />} onClick={() => cloudActions.wait(scope)} data-testid="inspector-wait">
            Wait…
          </Button>
          {!terminated && (
            <Button size="sm" variant="ghost" className="text-danger" icon={<Power size={13} />} onClick={() => cloudActions.confirm(scope, "terminate")} data-testid="inspector-terminate">
              Terminate…
            </Button>
          )}
        </>
      )}
    </div>
  );
}


/** The live rows (state, since, addresses) that replace the file-only ones. */
export function LiveRows({ item, fileHost, fileIp, fileDns }: { item: TreeItem; fileHost: string | null; fileIp: string | null; fileDns: string | null }) {
  const { live, state, moving } = useLive(item);
  const host = live ? live.addresses.host : fileHost;
  const ip = live ? live.addresses.privateIp : fileIp;
  const dns = live ? live.addresses.privateDns : fileDns;
  return (
    <>
      <Row label="State">
        <span className="flex flex-wrap items-center gap-1.5">
          <StateBadge state={state} moving={moving} testId="inspector-state" />
          {live?.since && <span className="text-faint">since {clock(live.since)}</span>}
        </span>
      </Row>
      {live?.missing && (
        <Row label="">
          <span className="text-danger" data-testid="inspector-missing">
            The cloud no longer knows {live.instanceId}. Launch the node again, or remove cloud.instance.
          </span>
        </Row>
      )}
      <Row label="Instance" testId="inspector-instance">
        {live?.instanceId ?? item.instance ? <span className="font-mono">{live?.instanceId ?? item.instance}</span> : <span className="text-muted">not launched</span>}
      </Row>
      <Row label="Region" testId="inspector-region">
        {live?.region ?? item.region ?? dash}
      </Row>
      <Row label="Host" testId="inspector-host">
        {host ? <span className="font-mono">{host}</span> : dash}
      </Row>
      <Row label="Private IP" testId="inspector-private-ip">
        {ip ? <span className="font-mono">{ip}</span> : dash}
      </Row>
      <Row label="Private DNS" testId="inspector-private-dns">
        {dns ? <span className="font-mono">{dns}</span> : dash}
      </Row>
    </>
  );
}

/** Timeline, last error, property problems and the connect helper of a node. */
export function NodeCloudPanel({ item }: { item: TreeItem }) {
  const { live, state } = useLive(item);
  const hasInstance = !!(live?.instanceId ?? item.instance);
  return (
    <div className="flex flex-col gap-3" data-testid="inspector-cloud">
      <CloudButtons scope={{ kind: "node", name: item.name }} hasInstance={hasInstance} state={state} />
      {live && live.problems.length > 0 && (
        <div className="rounded-md bg-danger-soft px-2 py-1.5 text-[12px] text-danger" data-testid="inspector-problems">
          <p className="font-medium">Cannot be launched:</p>
          <ul>
            {live.problems.map((p) => (
              <li key={p.property + p.code}>
                <span className="font-mono">{p.property}</span>: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {live?.lastError && (
        <p className="flex gap-1.5 rounded-md bg-danger-soft px-2 py-1.5 text-[12px] text-danger" data-testid="inspector-last-error" data-selectable>
          <TriangleAlert size={13} className="mt-px shrink-0" />
          <span>
            {clock(live.lastError.at)} {explain(live.lastError).message}
          </span>
        </p>
      )}
      {hasInstance && state !== "terminated" && <ConnectHelper node={item.name} host={live?.addresses.host ?? null} />}
      <Timeline live={live} />
    </div>
  );
}

function Timeline({ live }: { live: NodeLive | null }) {
  const entries = live?.timeline ?? [];
  return (
    <section data-testid="inspector-timeline">
      <h3 className="mb-1 flex items-center gap-1.5 text-[11px] font-semibold tracking-wide text-muted uppercase">
        <Clock size={12} /> Timeline
        {live?.checkedAt && <span className="ml-auto font-normal tracking-normal normal-case text-faint">checked {clock(live.checkedAt)}</span>}
      </h3>
      {entries.length === 0 ? (
        <p className="text-[12px] text-muted">No state seen yet. Launch the node, or refresh its instance.</p>
      ) : (
        <ol className="relative flex flex-col gap-1 border-l border-line pl-3">
          {[...entries].reverse().map((e, i) => (
            <li key={`${e.at}-${e.instanceId}-${i}`} className="relative text-[12px]" data-testid="timeline-entry" data-state={e.to}>
              <span className="absolute top-1.5 -left-[16.5px]">
                <StateDot state={e.to} />
              </span>
              <span className="text-faint tabular-nums">{clock(e.at)}</span> {e.from ? <span className="text-muted">{e.from} → </span> : null}
              <span className="font-medium">{e.to}</span>
              <span className="block font-mono text-[11px] text-faint">{e.instanceId}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ConnectHelper({ node, host }: { node: string; host: string | null }) {
  // Asked again whenever the address changes (the key may be there by now too).
  const connect = useQuery({ queryKey: [...cloudKeys.connect(node), host], queryFn: () => backend.connectCommand(node), retry: false, staleTime: 0 });
  const [copied, setCopied] = useState(false);
  if (connect.error) {
    return (
      <p className="text-[12px] text-muted" data-testid="inspector-connect-unavailable">
        <Terminal size={12} className="mr-1 inline" />
        {explain(connect.error).message}
      </p>
    );
  }
  const c = connect.data;
  if (!c) return null;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(c.command);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      useUi.getState().log("Could not copy to the clipboard: select the command and copy it by hand.", "warn");
    }
  };
  return (
    <section data-testid="inspector-connect">
      <h3 className="mb-1 flex items-center gap-1.5 text-[11px] font-semibold tracking-wide text-muted uppercase">
        <Terminal size={12} /> Connect
      </h3>
      <div className="flex items-center gap-1 rounded-md border border-line bg-bg py-1 pr-1 pl-2">
        <code className="min-w-0 flex-1 font-mono text-[11px] [overflow-wrap:anywhere]" data-testid="connect-command" data-selectable>
          {c.command}
        </code>
        <Button size="sm" iconOnly variant="ghost" aria-label="Copy the ssh command" title="Copy" icon={copied ? <Check size={13} className="text-ok" /> : <Copy size={13} />} onClick={copy} data-testid="connect-copy" />
      </div>
      {c.keyFile && !c.keyFileExists && (
        <p className={cx("mt-1 text-[12px] text-warn")} data-testid="connect-key-missing">
          {c.keyFile} is not there: put the key pair's private key there to log in.
        </p>
      )}
    </section>
  );
}

/** The top of a node's editor: its live instance, and the problems the last launch check found. */
export function EditorLiveBar({ name, instance, problem }: { name: string; instance: string | null; problem: string | null }) {
  const live = useNodeLive(name);
  const refreshing = useRefreshing();
  const state = liveState({ instance, problem }, live);
  return (
    <div className="flex flex-col gap-2" data-testid="editor-live">
      <div className="flex min-w-0 flex-wrap items-center gap-2 text-[12px]">
        <StateBadge state={state} moving={isMoving(state, live, refreshing)} testId="editor-state" />
        {(live?.instanceId ?? instance) && <span className="font-mono text-muted">{live?.instanceId ?? instance}</span>}
        {live?.addresses.host && <span className="min-w-0 truncate font-mono text-muted">{live.addresses.host}</span>}
        <span className="ml-auto">
          <CloudButtons scope={{ kind: "node", name }} hasInstance={!!(live?.instanceId ?? instance)} state={state} compact />
        </span>
      </div>
      {live && live.problems.length > 0 && (
        <div className="rounded-md border border-danger/40 bg-danger-soft px-3 py-2 text-[12px]" role="alert" data-testid="editor-launch-problems">
          <p className="font-medium text-danger">The last launch check found problems; fix them in the fields below:</p>
          <ul className="mt-0.5">
            {live.problems.map((p) => (
              <li key={p.property + p.code} data-property={p.property}>
                <span className="font-mono">{p.property}</span>: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
