// The cloud dialogs: the launch preview (nothing launches while a node has problems), the
// confirmation of terminate/stop/start/re-init and of the snapshot actions, listing exactly which nodes and instances they
// touch, and "wait for a state". Each one starts an operation and closes: the activity strip
// shows the progress, the window stays free.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { AlertTriangle, ArrowRight, Building2, CircleSlash, FlaskConical, KeyRound, Loader2, Rocket, ShieldAlert, ShieldCheck, Wrench } from "lucide-react";
import { useLaunchChecks } from "../../lib/account";
import { backend } from "../../lib/backend";
import { scopeLabel, startOperation, type SnapshotRequest } from "../../lib/cloud";
import { accountKeys, cloudKeys } from "../../lib/queryKeys";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import type { Batch } from "../../bindings/Batch";
import type { ConfirmAction } from "../../bindings/ConfirmAction";
import type { LaunchChecks } from "../../bindings/LaunchChecks";
import type { LaunchPreview } from "../../bindings/LaunchPreview";
import type { LaunchWarning } from "../../bindings/LaunchWarning";
import type { PreviewNode } from "../../bindings/PreviewNode";
import type { Scope } from "../../bindings/Scope";
import { Button, cx, ErrorNote, Field, Modal, Select } from "../ui";
import { StateBadge } from "../ui/StateDot";
import { FixButton, useFixElsewhere } from "./FixButton";

function usePreview(scope: Scope, reinit: boolean) {
  return useQuery({ queryKey: cloudKeys.preview(scope, reinit), queryFn: () => backend.cloudPreview(scope, reinit), staleTime: 0, gcTime: 0 });
}

/** Opens a node's editor to fix a property (the field is named in the problem). */
function fix(node: string) {
  const ui = useUi.getState();
  ui.closeDialog();
  ui.open(node);
}

export function LaunchDialog({ scope, reinit = false }: { scope: Scope; reinit?: boolean }) {
  const close = useUi((s) => s.closeDialog);
  const client = useQueryClient();
  const preview = usePreview(scope, reinit);
  // Which account the launch goes to, and what is worth knowing first; asked beside the preview.
  const checks = useLaunchChecks(scope);
  const [confirming, setConfirming] = useState(false);
  const affected = useQuery({ queryKey: cloudKeys.affected(scope, "reinit"), queryFn: () => backend.cloudAffected(scope, "reinit"), enabled: reinit && confirming, gcTime: 0 });
  const launch = useMutation({
    mutationFn: () => startOperation(client, "launch", scope, reinit ? { reinit: true } : {}),
    onSuccess: () => close(),
  });
  const p = preview.data;
  const accountError = checks.data?.account.error ?? null;
  const blocked = !p || !p.canLaunch || checks.isPending || !!accountError;
  const onLaunch = () => {
    if (reinit && !confirming) setConfirming(true);
    else launch.mutate();
  };
  return (
    <Modal
      open
      wide
      onOpenChange={(o) => !o && close()}
      title={reinit ? `Re-launch ${scopeLabel(scope)}` : `Launch ${scopeLabel(scope)}`}
      description={reinit ? "Each node gets a new instance; the instances they have now are replaced." : "What will happen, before anything is launched. The launch waits until the instances run."}
      testId="launch-preview"
      footer={
        <>
          {p && (
            <span className="mr-auto text-[12px] text-muted" data-testid="launch-summary">
              {summaryText(p)}
            </span>
          )}
          <Button onClick={close} data-testid="launch-cancel">
            Cancel
          </Button>
          <Button
            variant={reinit && confirming ? "danger" : "primary"}
            icon={launch.isPending ? <Loader2 size={14} className="animate-spin" /> : <Rocket size={14} />}
            disabled={blocked || launch.isPending || (confirming && !affected.data)}
            title={accountError ? "The account cannot be reached: fix that first" : p && !p.canLaunch ? (p.invalidCount ? "Fix the problems first" : "Nothing to launch") : undefined}
            onClick={onLaunch}
            data-testid="launch-confirm"
          >
            {p && p.invalidCount > 0
              ? `Fix ${p.invalidCount} node${p.invalidCount === 1 ? "" : "s"} to launch`
              : reinit && confirming
                ? `Replace ${affected.data?.instances.length ?? ""} instances and launch`
                : `Launch ${p?.launchCount ?? ""} node${p?.launchCount === 1 ? "" : "s"}`}
          </Button>
        </>
      }
    >
      <AccountLine checks={checks.data} pending={checks.isPending} error={checks.error} />
      {preview.isPending ? (
        <p className="flex items-center gap-2 text-muted">
          <Loader2 size={14} className="animate-spin" /> Checking the nodes…
        </p>
      ) : preview.error ? (
        <ErrorNote error={explain(preview.error)} testId="launch-preview-error" />
      ) : p ? (
        <div className="flex flex-col gap-3">
          {p.invalidCount > 0 && (
            <div className="flex gap-2 rounded-md border border-danger/40 bg-danger-soft px-3 py-2 text-[13px]" role="alert" data-testid="launch-blocked">
              <AlertTriangle size={16} className="mt-0.5 shrink-0 text-danger" />
              <p>
                {p.invalidCount === 1 ? "One node has" : `${p.invalidCount} nodes have`} problems, so nothing is launched. Click <b>Fix</b> to open the node and correct the property named.
              </p>
            </div>
          )}
          {p.regions.length > 0 && (
            <p className="text-[12px] text-muted" data-testid="launch-regions">
              Launches per region: {p.regions.map((r) => `${r.region} ${r.count}`).join(", ")}
            </p>
          )}
          {p.batches.length > 0 && <BatchLine batches={p.batches} />}
          <PreviewTable nodes={p.nodes} />
          {checks.data && checks.data.warnings.length > 0 && <CheckWarnings warnings={checks.data.warnings} />}
          {p.warnings.length > 0 && (
            <ul className="flex flex-col gap-1 rounded-md bg-warn-soft px-3 py-2 text-[12px] text-warn" data-testid="launch-warnings">
              {p.warnings.map((w) => (
                <li key={w} className="flex gap-1.5">
                  <KeyRound size={12} className="mt-0.5 shrink-0" /> {w}
                </li>
              ))}
            </ul>
          )}
          {confirming && (
            <div className="rounded-md border border-danger/40 bg-danger-soft px-3 py-2 text-[13px]" data-testid="reinit-confirm">
              {affected.isPending ? (
                <Loader2 size={14} className="animate-spin" />
              ) : affected.error ? (
                <ErrorNote error={explain(affected.error)} />
              ) : affected.data ? (
                <>
                  <p className="font-medium">{affected.data.summary}</p>
                  <InstanceList instances={affected.data.instances} />
                </>
              ) : null}
            </div>
          )}
          <ErrorNote error={launch.error ? explain(launch.error) : null} testId="launch-error" />
        </div>
      ) : null}
    </Modal>
  );
}

/** "Launching into: <account>" at the top; when it cannot be reached, why and the fix (Launch stays off). */
function AccountLine({ checks, pending, error }: { checks: LaunchChecks | undefined; pending: boolean; error: unknown }) {
  const fix = useFixElsewhere();
  if (pending) {
    return (
      <p className="mb-3 flex items-center gap-2 text-[12px] text-muted" data-testid="launch-account-pending">
        <Loader2 size={13} className="animate-spin" /> Checking the account…
      </p>
    );
  }
  // The checks themselves failed: say so, but the preview's own checks still stand.
  if (error || !checks) return <ErrorNote error={explain(error)} className="mb-3" testId="launch-checks-error" />;
  const a = checks.account;
  return (
    <div className="mb-3 flex flex-col gap-2">
      <p
        className={cx("flex items-start gap-1.5 rounded-md px-2.5 py-1.5 text-[13px]", a.error ? "bg-danger-soft" : a.sandbox ? "bg-warn-soft" : "bg-panel-2")}
        data-testid="launch-account"
        data-sandbox={a.sandbox || undefined}
      >
        {a.sandbox ? <FlaskConical size={14} className="mt-0.5 shrink-0 text-warn" /> : <Building2 size={14} className="mt-0.5 shrink-0 text-muted" />}
        <span className="min-w-0 break-words" data-selectable>
          Launching into: <b>{a.label}</b>
        </span>
      </p>
      {a.error && (
        <div className="flex flex-col gap-2">
          <ErrorNote error={explain(a.error)} testId="launch-account-error" />
          {a.fix && (
            <div className="flex items-center gap-2">
              {/* A sandbox started here resets the account's queries, so these checks are asked again. */}
              <FixButton fix={a.fix} handlers={fix} testId="launch-account-fix" />
              {fix.detail && (
                <span className="text-[12px] text-muted" data-testid="launch-account-fix-detail">
                  {fix.detail}
                </span>
              )}
            </div>
          )}
          <ErrorNote error={fix.error ? explain(fix.error) : null} testId="launch-account-fix-error" />
        </div>
      )}
    </div>
  );
}

/**
 * The fix for "SSH closed", in place: opens port 22 from this computer's address (the core
 * finds it) in the named nodes' security groups; the checks are asked again, so the warning
 * goes when it is fixed. A terminal that timed out or was refused offers it too (its own testId).
 */
export function AllowSshFromHere({ nodes, testId = "launch-allow-ssh-here" }: { nodes: string[]; testId?: string }) {
  const client = useQueryClient();
  const allow = useMutation({
    mutationFn: () => backend.allowSshFromHere(nodes),
    onSuccess: (r) => {
      for (const o of r.opened) {
        useUi.getState().log(`SSH allowed from ${r.cidr} in the security group ${o.group.name} (${o.group.id}), ${o.region}`, o.warning ? "warn" : "info");
        void client.invalidateQueries({ queryKey: accountKeys.securityGroups(o.region) });
      }
      void client.invalidateQueries({ queryKey: accountKeys.launchChecksAll });
    },
  });
  const missed = allow.data?.notFound ?? [];
  return (
    <div className="mt-1 flex flex-col items-start gap-1">
      <Button
        size="sm"
        icon={allow.isPending ? <Loader2 size={12} className="animate-spin" /> : <ShieldCheck size={12} />}
        onClick={() => allow.mutate()}
        disabled={allow.isPending}
        data-testid={testId}
      >
        Allow SSH from this computer
      </Button>
      {missed.length > 0 && (
        <p className="text-fg/80" data-testid={`${testId}-missed`}>
          The security group of {missed.join(", ")} is not in the account&apos;s list: use &quot;Allow SSH&quot; in {missed.length === 1 ? "its" : "their"} Cloud section.
        </p>
      )}
      <ErrorNote error={allow.error ? explain(allow.error) : null} testId={`${testId}-error`} />
    </div>
  );
}

const warningLook: Record<LaunchWarning["kind"], { icon: React.ReactNode; label: string }> = {
  sshClosed: { icon: <ShieldAlert size={12} className="mt-0.5 shrink-0" />, label: "SSH closed" },
  notInAccount: { icon: <AlertTriangle size={12} className="mt-0.5 shrink-0" />, label: "Not in this account" },
};

/** The account checks' warnings (they do not stop the launch), each with the nodes it is about. */
function CheckWarnings({ warnings }: { warnings: LaunchWarning[] }) {
  return (
    <ul className="flex flex-col gap-1.5 rounded-md bg-warn-soft px-3 py-2 text-[12px]" data-testid="launch-check-warnings">
      {warnings.map((w, i) => (
        <li key={`${w.kind}-${i}`} className="flex gap-1.5 text-warn" data-testid={`launch-warning-${w.kind}`} data-kind={w.kind}>
          {warningLook[w.kind]?.icon ?? <AlertTriangle size={12} className="mt-0.5 shrink-0" />}
          <div className="min-w-0">
            <p>
              <span className="font-medium">{warningLook[w.kind]?.label ?? w.kind}:</span> {w.message}
            </p>
            {w.nodes.length > 0 && (
              <p className="text-fg/80" data-testid={`launch-warning-nodes-${w.kind}`}>
                {w.nodes.slice(0, 12).map((n, j) => (
                  <span key={n}>
                    {j > 0 && ", "}
                    <button className="font-mono underline-offset-2 hover:underline" onClick={() => fix(n)} data-testid={`launch-warning-node-${n}`}>
                      {n}
                    </button>
                  </span>
                ))}
                {w.nodes.length > 12 ? ` and ${w.nodes.length - 12} more` : ""}
              </p>
            )}
            {w.kind === "sshClosed" && <AllowSshFromHere nodes={w.nodes} />}
          </div>
        </li>
      ))}
    </ul>
  );
}

function summaryText(p: LaunchPreview) {
  const parts = [`${p.launchCount} to launch`];
  if (p.skipCount) parts.push(`${p.skipCount} skipped`);
  if (p.invalidCount) parts.push(`${p.invalidCount} with problems`);
  return parts.join(" · ");
}

/** How many calls to EC2 the launch takes: nodes with the same launch settings go out together. */
function BatchLine({ batches }: { batches: Batch[] }) {
  const nodes = batches.reduce((n, b) => n + b.nodes.length, 0);
  const calls = batches.length === 1 ? "one request" : `${batches.length} requests`;
  return (
    <p className="text-[12px] text-muted" data-testid="launch-batches" data-batches={batches.length}>
      {nodes} instance{nodes === 1 ? "" : "s"} in {calls} to EC2
      {batches.length > 1 && (
        <span title={batches.map((b, i) => `Request ${i + 1}: ${b.nodes.length} × ${b.instanceTypes[0] ?? ""} from ${b.image} in ${b.region}`).join("\n")}>
          {" "}
          (nodes whose image, type, network or disks differ go out separately)
        </span>
      )}
    </p>
  );
}

function PreviewTable({ nodes }: { nodes: PreviewNode[] }) {
  return (
    <div className="overflow-x-auto rounded-md border border-line">
      <table className="w-full text-left text-[12px]" data-testid="launch-nodes">
        <thead className="bg-panel-2 text-muted">
          <tr>
            <th className="px-2 py-1.5 font-medium">Node</th>
            <th className="px-2 py-1.5 font-medium">Region</th>
            <th className="px-2 py-1.5 font-medium">Image</th>
            <th className="px-2 py-1.5 font-medium">Type</th>
            <th className="px-2 py-1.5 font-medium">Key pair</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <PreviewRow key={n.node} n={n} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PreviewRow({ n }: { n: PreviewNode }) {
  const bad = new Set(n.problems.map((p) => p.property));
  const cell = (value: string | null, property: string) => (
    <td className={cx("px-2 py-1.5 font-mono", bad.has(property) ? "font-semibold text-danger" : n.action === "skip" && "text-faint")}>{value ?? (bad.has(property) ? "missing" : "—")}</td>
  );
  return (
    <>
      <tr className="border-t border-line" data-testid={`preview-node-${n.node}`} data-action={n.action}>
        <td className="px-2 py-1.5">
          <span className="flex items-center gap-1.5">
            {n.action === "launch" || n.action === "adopt" ? (
              <Rocket size={12} className="text-accent" />
            ) : n.action === "skip" ? (
              <CircleSlash size={12} className="text-faint" />
            ) : (
              <AlertTriangle size={12} className="text-danger" />
            )}
            <span className={cx("font-medium", n.action === "skip" && "text-muted")}>{n.node}</span>
          </span>
        </td>
        {cell(n.region, "cloud.region")}
        {cell(n.image, "cloud.image")}
        <td className={cx("px-2 py-1.5 font-mono", bad.has("cloud.type") && "font-semibold text-danger")} title={n.instanceTypes.length > 1 ? `Tried in order: ${n.instanceTypes.join(", ")}` : undefined}>
          {n.instanceType ?? "—"}
          {n.instanceTypes.length > 1 && <span className="text-faint"> +{n.instanceTypes.length - 1}</span>}
        </td>
        {cell(n.keyPair, "cloud.key-pair")}
      </tr>
      {n.elasticIp && n.action !== "skip" && (
        <tr data-testid={`preview-eip-${n.node}`}>
          <td colSpan={5} className="px-2 pb-1.5 pl-7 text-[12px] text-muted">
            Elastic IP <span className="font-mono">{n.elasticIp}</span> is attached once the instance runs.
          </td>
        </tr>
      )}
      {n.action === "adopt" && (
        <tr data-testid={`preview-adopt-${n.node}`}>
          <td colSpan={5} className="px-2 pb-1.5 pl-7 text-[12px] text-muted">
            An earlier launch was interrupted: the instance it started is kept instead of launching another.
          </td>
        </tr>
      )}
      {n.action === "skip" && (
        <tr data-testid={`preview-skip-${n.node}`}>
          <td colSpan={5} className="px-2 pb-1.5 pl-7 text-[12px] text-muted">
            Skipped: {n.skipReason ?? "it has an instance"}
            {n.instanceId && <span className="font-mono"> ({n.instanceId})</span>}
          </td>
        </tr>
      )}
      {n.problems.length > 0 && (
        <tr data-testid={`preview-problem-${n.node}`}>
          <td colSpan={5} className="px-2 pb-2 pl-7">
            <div className="flex items-start gap-2">
              <ul className="min-w-0 flex-1 text-[12px] text-danger">
                {n.problems.map((p) => (
                  <li key={p.property + p.code} data-property={p.property}>
                    <span className="font-mono">{p.property}</span>: {p.message}
                  </li>
                ))}
              </ul>
              <Button size="sm" icon={<Wrench size={12} />} onClick={() => fix(n.node)} data-testid={`preview-fix-${n.node}`}>
                Fix
              </Button>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

function InstanceList({ instances }: { instances: { node: string; instanceId: string; region: string | null; state: string | null; host?: string | null }[] }) {
  return (
    <ul className="mt-1.5 flex max-h-56 flex-col gap-0.5 overflow-y-auto" data-testid="affected-instances">
      {instances.map((i) => (
        <li key={i.instanceId} className="flex items-center gap-2 text-[12px]" data-testid={`affected-${i.node}`}>
          <span className="min-w-0 truncate font-medium">{i.node}</span>
          <ArrowRight size={11} className="shrink-0 text-faint" />
          <span className="font-mono">{i.instanceId}</span>
          <span className="text-muted">{i.region ?? ""}</span>
          {i.state && (
            <span className="ml-auto">
              <StateBadge state={i.state} />
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

const confirmText: Record<ConfirmAction, { title: string; button: string; danger: boolean; testId: string }> = {
  terminate: { title: "Terminate", button: "Terminate", danger: true, testId: "terminate-confirm" },
  stop: { title: "Stop", button: "Stop", danger: false, testId: "stop-confirm" },
  start: { title: "Start", button: "Start", danger: false, testId: "start-confirm" },
  reinit: { title: "Re-launch", button: "Re-launch", danger: true, testId: "reinit-confirm-button" },
  createSnapshot: { title: "Snapshot", button: "Snapshot", danger: false, testId: "create-snapshot-confirm" },
  revertToSnapshot: { title: "Revert", button: "Revert", danger: true, testId: "revert-snapshot-confirm" },
  removeSnapshot: { title: "Remove snapshot of", button: "Remove snapshot of", danger: true, testId: "remove-snapshot-confirm" },
};

/** Starts what a confirmation confirms: re-init is a launch, a snapshot action names its snapshot. */
function startConfirmed(client: QueryClient, scope: Scope, action: ConfirmAction, snapshot?: SnapshotRequest) {
  if (action === "reinit") return startOperation(client, "launch", scope, { reinit: true });
  if (action === "createSnapshot" || action === "revertToSnapshot" || action === "removeSnapshot") {
    return startOperation(client, action, scope, { snapshot: snapshot?.name ?? "", ...(snapshot?.description ? { description: snapshot.description } : {}) });
  }
  return startOperation(client, action, scope);
}

export function ConfirmCloudDialog({ scope, action, snapshot }: { scope: Scope; action: ConfirmAction; snapshot?: SnapshotRequest }) {
  const close = useUi((s) => s.closeDialog);
  const client = useQueryClient();
  const affected = useQuery({ queryKey: cloudKeys.affected(scope, action), queryFn: () => backend.cloudAffected(scope, action), staleTime: 0, gcTime: 0 });
  const text = confirmText[action];
  const run = useMutation({
    mutationFn: () => startConfirmed(client, scope, action, snapshot),
    onSuccess: () => close(),
  });
  const a = affected.data;
  const count = a?.instances.length ?? 0;
  return (
    <Modal
      open
      wide
      onOpenChange={(o) => !o && close()}
      title={`${text.title} ${scopeLabel(scope)}?`}
      testId={`${action}-dialog`}
      footer={
        <>
          <Button onClick={close} autoFocus data-testid="cloud-confirm-cancel">
            Cancel
          </Button>
          <Button
            variant={text.danger ? "danger" : "primary"}
            disabled={!a || count === 0 || run.isPending}
            onClick={() => run.mutate()}
            data-testid={text.testId}
          >
            {run.isPending && <Loader2 size={14} className="animate-spin" />}
            {count ? `${text.button} ${count} instance${count === 1 ? "" : "s"}` : text.button}
          </Button>
        </>
      }
    >
      {affected.isPending ? (
        <p className="flex items-center gap-2 text-muted">
          <Loader2 size={14} className="animate-spin" /> Finding the instances…
        </p>
      ) : affected.error ? (
        <ErrorNote error={explain(affected.error)} testId="cloud-confirm-error" />
      ) : a ? (
        <div className="flex flex-col gap-2 text-[13px]" data-testid="cloud-confirm-summary" data-selectable>
          <p className="font-medium">{a.summary}</p>
          {snapshot && (
            <p className="text-[12px]" data-testid="cloud-confirm-snapshot">
              Snapshot: <span className="font-mono font-medium">{snapshot.name}</span>
              {snapshot.description && <span className="text-muted"> ({snapshot.description})</span>}
            </p>
          )}
          {count > 0 ? <InstanceList instances={a.instances} /> : <p className="text-muted">No node in {scopeLabel(scope)} has an instance: there is nothing to {snapshot ? text.title.toLowerCase() : action}.</p>}
          {a.withoutInstance.length > 0 && (
            <p className="text-[12px] text-muted" data-testid="cloud-confirm-without">
              Left alone (no instance): {a.withoutInstance.slice(0, 12).join(", ")}
              {a.withoutInstance.length > 12 ? ` and ${a.withoutInstance.length - 12} more` : ""}
            </p>
          )}
          <ErrorNote error={run.error ? explain(run.error) : null} testId="cloud-confirm-run-error" />
        </div>
      ) : null}
    </Modal>
  );
}

const waitStates = ["running", "stopped", "terminated", "pending", "stopping", "shutting-down"];

export function WaitDialog({ scope }: { scope: Scope }) {
  const close = useUi((s) => s.closeDialog);
  const client = useQueryClient();
  const [state, setState] = useState("running");
  const run = useMutation({ mutationFn: () => startOperation(client, "wait", scope, { state }), onSuccess: () => close() });
  return (
    <Modal
      open
      onOpenChange={(o) => !o && close()}
      title={`Wait for ${scopeLabel(scope)}`}
      description="Watches the instances until each one reaches the state. The window stays free; cancel it from the activity strip."
      testId="wait-dialog"
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" disabled={run.isPending} onClick={() => run.mutate()} data-testid="wait-confirm">
            Wait for {state}
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-3">
        <Field label="State" htmlFor="wait-state">
          <Select id="wait-state" value={state} onChange={(e) => setState(e.target.value)} data-testid="wait-state">
            {waitStates.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </Field>
        <ErrorNote error={run.error ? explain(run.error) : null} testId="wait-error" />
      </div>
    </Modal>
  );
}

