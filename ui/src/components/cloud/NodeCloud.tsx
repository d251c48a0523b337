// A node's instance in the inspector: live badge, addresses as they arrive, the timeline of
// state changes, the last error, the connect helper, and the cloud actions on it.
import { Fragment, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Camera, Check, CircleCheck, CircleX, Clock, Copy, Download, Hourglass, Loader2, Play, Power, RefreshCw, Rocket, Square, Terminal, TriangleAlert } from "lucide-react";
import { backend } from "../../lib/backend";
import { cloudActions, isMoving, liveState, useLiveLook, useNodeLive, useRefreshing, useRowLiveLook } from "../../lib/cloud";
import { cloudKeys } from "../../lib/queryKeys";
import { DRIFT_LABEL, driftValue, isAddressField, useDrift, useNodeDriftCheck, useTakeDrift } from "../../lib/drift";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import type { CheckStatus } from "../../bindings/CheckStatus";
import type { InstanceHealth } from "../../bindings/InstanceHealth";
import type { NodeLive } from "../../bindings/NodeLive";
import type { Scope } from "../../bindings/Scope";
import type { TreeItem } from "../../bindings/TreeItem";
import { Button, cx, dash, ErrorNote, Row } from "../ui";
import { StateBadge, StateDot } from "../ui/StateDot";
import { ConnectButtons } from "../remote/RemoteButtons";
import { isProtectedError, LiftProtectionButton } from "./LiftProtection";

const clock = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour12: false });
};

/** The live badge of a node (tree item), for the inspector and the editor. */
export function LiveBadge({ item, testId }: { item: TreeItem; testId?: string }) {
  const { state, moving } = useLiveLook(item);
  return <StateBadge state={state} moving={moving} testId={testId} />;
}

/** A node's state as a dot, in lists of many (the Overview's list, the graph): their view keeps the fleet observed (useFleetFeed). */
export function LiveDot({ item }: { item: TreeItem }) {
  const { state, moving } = useRowLiveLook(item);
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
            <Button size="sm" icon={<Camera size={12} />} onClick={() => cloudActions.snapshots(scope)} data-testid="inspector-snapshots">
              Snapshots…
            </Button>
          )}
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


/** How one of EC2's two checks reads; "insufficient-data" in words. */
const CHECK_WORD: Record<CheckStatus, string> = {
  ok: "ok",
  impaired: "impaired",
  initializing: "initializing",
  "insufficient-data": "no data yet",
  "not-applicable": "not applicable",
};

function CheckMark({ which, status, watched }: { which: "system" | "instance"; status: CheckStatus; watched: boolean }) {
  const icon =
    status === "ok" ? (
      <CircleCheck size={12} className="text-ok" aria-hidden />
    ) : status === "impaired" ? (
      <CircleX size={12} className="text-danger" aria-hidden />
    ) : status === "initializing" ? (
      // Spins only while an operation follows the node: an idle window animates nothing.
      <Loader2 size={12} className={cx("text-muted", watched && "animate-spin")} aria-hidden />
    ) : null;
  return (
    <span className={cx("inline-flex items-center gap-1", status === "impaired" && "font-medium text-danger")} data-testid={`checks-${which}`} data-status={status}>
      {icon}
      {which} {CHECK_WORD[status]}
    </span>
  );
}

/**
 * EC2's status checks of the node's running instance as the last wait reported them:
 * "system ok · instance initializing". Nothing when none were reported.
 */
export function StatusChecks({ checks, watched, label = false, testId = "status-checks" }: { checks: InstanceHealth | undefined; watched: boolean; label?: boolean; testId?: string }) {
  if (!checks) return null;
  const impaired = checks.system === "impaired" || checks.instance === "impaired";
  return (
    <span className="inline-flex flex-wrap items-center gap-x-1 whitespace-pre-wrap" data-testid={testId} data-impaired={impaired || undefined} title={impaired ? "A status check failed: EC2 found a problem with this instance" : undefined}>
      {label && <span className="text-muted">Status checks: </span>}
      <CheckMark which="system" status={checks.system} watched={watched} />
      <span className="text-faint"> · </span>
      <CheckMark which="instance" status={checks.instance} watched={watched} />
    </span>
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
      {live?.checks && (
        <Row label="Status checks">
          <StatusChecks checks={live.checks} watched={live.operationId !== null} testId="inspector-checks" />
        </Row>
      )}
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
        <div className="flex gap-1.5 rounded-md bg-danger-soft px-2 py-1.5 text-[12px] text-danger" data-testid="inspector-last-error" data-selectable>
          <TriangleAlert size={13} className="mt-px shrink-0" />
          <span className="flex flex-col items-start gap-1">
            <span>
              {clock(live.lastError.at)} {explain(live.lastError).message}
            </span>
            {isProtectedError(live.lastError) && <LiftProtectionButton node={item.name} />}
          </span>
        </div>
      )}
      <NodeDrift node={item.name} check={hasInstance && state !== "terminated" && !live?.missing} />
      {hasInstance && state !== "terminated" && <ConnectHelper node={item.name} host={live?.addresses.host ?? null} />}
      <Timeline live={live} />
    </div>
  );
}

/**
 * Where the node and its instance disagree, field by field, with "take the instance's value
 * into the node" per launch field, one refresh for the addresses, and "Take all". `check`:
 * ask the cloud for this node's drift (it has a live instance); else only what is cached shows.
 */
export function NodeDrift({ node, check }: { node: string; check: boolean }) {
  useNodeDriftCheck(node, check);
  const drifts = useDrift().get(node);
  const take = useTakeDrift();
  if (!drifts?.length) return null;
  const launch = drifts.filter((d) => !isAddressField(d.field));
  const addresses = drifts.filter((d) => isAddressField(d.field));
  const busy = take.isPending;
  const value = (v: string) => (v === "" ? <span className="text-faint italic">{driftValue(v)}</span> : <span className="font-mono text-[11px] [overflow-wrap:anywhere]">{v}</span>);
  return (
    <section className="rounded-md border border-warn/40 p-2" data-testid="node-drift">
      <h3 className="mb-1 flex items-center gap-1.5 text-[11px] font-semibold tracking-wide text-warn uppercase">
        <TriangleAlert size={12} /> Differs from its instance
        <span className="ml-auto font-mono font-normal tracking-normal normal-case text-faint">{drifts[0].instanceId}</span>
      </h3>
      <table className="w-full table-fixed text-left text-[12px]">
        <thead className="text-[11px] text-muted">
          <tr>
            <th className="w-[30%] py-0.5 pr-1 font-medium" />
            <th className="py-0.5 pr-1 font-medium">Node says</th>
            <th className="py-0.5 font-medium">Instance has</th>
          </tr>
        </thead>
        <tbody>
          {launch.map((d) => (
            <Fragment key={d.field}>
              <tr className="border-t border-line align-top" data-testid={`node-drift-${d.field}`}>
                <th className="py-1 pr-1 font-normal text-muted">{DRIFT_LABEL[d.field]}</th>
                <td className="py-1 pr-1">{value(d.nodeValue)}</td>
                <td className="py-1">{value(d.instanceValue)}</td>
              </tr>
              <tr>
                <td colSpan={3} className="pb-1 text-right">
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={busy}
                    title={`Write the instance's ${DRIFT_LABEL[d.field].toLowerCase()} into the node`}
                    onClick={() => take.mutate({ node, fields: [d.field] })}
                    data-testid={`node-drift-take-${d.field}`}
                  >
                    Use instance's value
                  </Button>
                </td>
              </tr>
            </Fragment>
          ))}
          {addresses.map((d) => (
            <tr key={d.field} className="border-t border-line align-top" data-testid={`node-drift-${d.field}`}>
              <th className="py-1 pr-1 font-normal text-muted">{DRIFT_LABEL[d.field]}</th>
              <td className="py-1 pr-1">{value(d.nodeValue)}</td>
              <td className="py-1">{value(d.instanceValue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={take.error ? explain(take.error) : null} testId="node-drift-error" className="mt-1" />
      <div className="mt-1.5 flex flex-wrap gap-1.5">
        {addresses.length > 0 && (
          <Button
            size="sm"
            icon={<RefreshCw size={12} />}
            disabled={busy}
            title="Read the node's addresses from its instance again"
            onClick={() => take.mutate({ node, fields: addresses.map((d) => d.field) })}
            data-testid="node-drift-take-addresses"
          >
            Refresh addresses
          </Button>
        )}
        <Button
          size="sm"
          icon={<Download size={12} />}
          disabled={busy}
          title="Write every launch value the instance has into the node, and refresh its addresses"
          onClick={() => take.mutate({ node, fields: drifts.map((d) => d.field) })}
          data-testid="node-drift-take-all"
        >
          Take all
        </Button>
      </div>
    </section>
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
  const connect = useQuery({ queryKey: cloudKeys.connect(node, host), queryFn: () => backend.connectCommand(node), retry: false, staleTime: 0 });
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
        {live?.checks && <StatusChecks checks={live.checks} watched={live.operationId !== null} label testId="editor-checks" />}
        <span className="ml-auto flex flex-wrap items-center gap-1.5">
          <ConnectButtons node={name} compact />
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
