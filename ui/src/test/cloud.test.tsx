import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ConfirmCloudDialog, LaunchDialog } from "../components/cloud/CloudDialogs";
import { SettingsDialog } from "../components/dialogs/SettingsDialog";
import { useUi } from "../lib/store";
import type { Batch } from "../bindings/Batch";
import type { CredentialStatus } from "../bindings/CredentialStatus";
import type { FleetChange } from "../bindings/FleetChange";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { LaunchChecks } from "../bindings/LaunchChecks";
import type { LaunchPreview } from "../bindings/LaunchPreview";
import type { NodeLive } from "../bindings/NodeLive";
import type { OperationStatus } from "../bindings/OperationStatus";
import type { PreviewNode } from "../bindings/PreviewNode";
import { backendMock, resetBackend } from "./backendMock";
import { account, item, securityGroups, view } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

type Handler = (payload: unknown) => void;
const { listeners, on } = vi.hoisted(() => {
  const listeners: Record<string, ((payload: unknown) => void)[]> = {};
  const on = (name: string) => (h: (payload: unknown) => void) => {
    (listeners[name] ??= []).push(h);
    return Promise.resolve(() => {});
  };
  return { listeners, on };
});
function emit(name: string, payload: unknown) {
  act(() => (listeners[name] ?? []).forEach((h: Handler) => h(payload)));
}

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return {
    ...actual,
    backend: backendMock,
    events: {
      onRepoChanged: on("repo"),
      onCloudEvent: on("cloud"),
      onOperationProgress: on("progress"),
      onOperationFinished: on("finished"),
      onFleetChanged: on("fleet"),
    },
  };
});

const drumbo = view([
  item("drumbo1", "node", { region: "us-east-1", instance: "i-4c92cd21" }),
  item("drumbo2", "node", { region: "us-east-1", cloneOf: "drumbo1" }),
  item("drumbo3", "node", { region: "us-east-1", cloneOf: "drumbo1" }),
]);

function previewNode(node: string, extra: Partial<PreviewNode> = {}): PreviewNode {
  return {
    node,
    action: "launch",
    batch: 0,
    region: "us-east-1",
    image: "ami-12c6146b",
    instanceType: "t3.micro",
    instanceTypes: ["t3.micro"],
    keyPair: "my-keypair",
    user: "ubuntu",
    vmName: node,
    elasticIp: null,
    instanceId: null,
    skip: null,
    skipReason: null,
    problems: [],
    keyFile: "~/.ssh/my-keypair.pem",
    keyFileExists: true,
    settings: {
      billing: { kind: "on-demand" },
      instanceProfile: null,
      disableApiTermination: false,
      monitoring: false,
      ebsOptimized: null,
      privateIp: null,
      tenancy: null,
      placementGroup: null,
      kernelId: null,
      ramdiskId: null,
    },
    checkHealth: true,
    ...extra,
  };
}

function batch(nodes: string[]): Batch {
  return { region: "us-east-1", nodes, image: "ami-12c6146b", instanceTypes: ["t3.micro"], keyPair: "my-keypair", key: "0123456789ab" };
}

/** A preview in which every node launches, in us-east-1, in one batch. */
function launchable(nodes: PreviewNode[], warnings: string[] = []): LaunchPreview {
  const names = nodes.map((n) => n.node);
  return { nodes, launchCount: nodes.length, skipCount: 0, invalidCount: 0, batches: [batch(names)], regions: [{ region: "us-east-1", count: nodes.length }], canLaunch: true, warnings, reinit: false };
}

function live(node: string, extra: Partial<NodeLive> = {}): NodeLive {
  return {
    node,
    region: "us-east-1",
    instanceId: "i-4c92cd21",
    state: "pending",
    since: "2024-05-01T10:02:11Z",
    checkedAt: "2024-05-01T10:02:11Z",
    timeline: [{ at: "2024-05-01T10:02:11Z", instanceId: "i-4c92cd21", from: null, to: "pending" }],
    addresses: { host: null, privateIp: null, privateDns: null },
    missing: false,
    lastError: null,
    problems: [],
    operationId: null,
    ...extra,
  };
}

function itemDetail(name: string): ItemDetail {
  return { name, kind: "node", file: `/tmp/repo/${name}/node.json`, props: {}, computed: { index: 0, depth: 1 }, inherited: [], cloneOf: null, clones: [], problem: null, keyPair: null, keyPairKey: "cloud.key-pair" };
}

function operation(extra: Partial<OperationStatus> = {}): OperationStatus {
  return {
    id: "op-1",
    action: "launch",
    scope: { kind: "all" },
    label: "launch all nodes",
    nodes: ["drumbo1", "drumbo2", "drumbo3", "drumbo4"],
    total: 4,
    done: 1,
    phase: "waiting for running",
    state: "running",
    succeeded: 1,
    failed: 0,
    startedAt: "2024-05-01T10:02:11Z",
    finishedAt: null,
    error: null,
    reports: [],
    ...extra,
  };
}

describe("cloud UI", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    for (const k of Object.keys(listeners)) delete listeners[k];
  });

  it("launch preview: problems point to the node and block the launch; skipped nodes say why", async () => {
    const preview: LaunchPreview = {
      nodes: [
        previewNode("drumbo1", { action: "skip", instanceId: "i-4c92cd21", skipReason: "it has an instance already" }),
        previewNode("drumbo2", { action: "invalid", image: null, problems: [{ property: "cloud.image", code: "node.missing_property", message: "cloud.image is not set" }] }),
        previewNode("drumbo3"),
      ],
      launchCount: 1,
      skipCount: 1,
      invalidCount: 1,
      batches: [batch(["drumbo3"])],
      regions: [{ region: "us-east-1", count: 1 }],
      canLaunch: false,
      warnings: [],
      reinit: false,
    };
    backendMock.cloudPreview.mockResolvedValue(preview);
    useUi.setState({ dialog: { kind: "launch", scope: { kind: "all" } } });
    renderWithProviders(<LaunchDialog scope={{ kind: "all" }} />);

    const problem = await screen.findByTestId("preview-problem-drumbo2");
    expect(problem).toHaveTextContent("cloud.image: cloud.image is not set");
    expect(screen.getByTestId("preview-skip-drumbo1")).toHaveTextContent("Skipped: it has an instance already (i-4c92cd21)");
    expect(screen.getByTestId("preview-node-drumbo3")).toHaveTextContent("ami-12c6146b");
    expect(screen.getByTestId("launch-blocked")).toHaveTextContent("nothing is launched");
    const confirm = screen.getByTestId("launch-confirm");
    expect(confirm).toBeDisabled();
    expect(confirm).toHaveTextContent("Fix 1 node to launch");
    fireEvent.click(confirm);
    expect(backendMock.cloudStart).not.toHaveBeenCalled();

    // Fix opens the node's editor.
    fireEvent.click(screen.getByTestId("preview-fix-drumbo2"));
    expect(useUi.getState().current).toBe("drumbo2");
    expect(useUi.getState().tab).toBe("node");
    expect(useUi.getState().dialog).toBeNull();
  });

  it("launch preview: a clean preview launches the scope and closes", async () => {
    backendMock.cloudPreview.mockResolvedValue(
      launchable([previewNode("drumbo2"), previewNode("drumbo3", { elasticIp: "203.0.113.7" })], ["~/.ssh/my-keypair.pem is not there: you need it to log in"]),
    );
    backendMock.cloudStart.mockResolvedValue(operation({ label: "launch 2 nodes", total: 2, done: 0 }));
    const scope = { kind: "nodes" as const, names: ["drumbo2", "drumbo3"] };
    useUi.setState({ dialog: { kind: "launch", scope } });
    renderWithProviders(<LaunchDialog scope={scope} />);
    await screen.findByTestId("preview-node-drumbo3");
    expect(screen.getByTestId("launch-batches")).toHaveTextContent("2 instances in one request to EC2");
    expect(screen.getByTestId("preview-eip-drumbo3")).toHaveTextContent("203.0.113.7");
    expect(await screen.findByTestId("launch-account")).toHaveTextContent("Launching into: AWS account 123456789012 (arn:aws:iam::123456789012:user/ann)");
    expect(backendMock.launchChecks).toHaveBeenCalledWith(scope);
    const confirm = screen.getByTestId("launch-confirm");
    expect(confirm).toHaveTextContent("Launch 2 nodes");
    expect(screen.getByTestId("launch-warnings")).toHaveTextContent("my-keypair.pem");
    fireEvent.click(confirm);
    await waitFor(() => expect(backendMock.cloudStart).toHaveBeenCalledWith({ action: "launch", scope }));
    await waitFor(() => expect(useUi.getState().dialog).toBeNull());
  });

  it("launch preview: an account that cannot be reached blocks the launch and offers its fix; warnings name their nodes", async () => {
    const scope = { kind: "nodes" as const, names: ["drumbo2", "drumbo3"] };
    backendMock.cloudPreview.mockResolvedValue(launchable([previewNode("drumbo2"), previewNode("drumbo3", { elasticIp: "203.0.113.7" })]));
    backendMock.launchChecks.mockResolvedValue({
      account: { ...account, identity: null, error: { code: "credentials.sso_expired", message: "the SSO sign-in of 'work' has expired" }, fix: { kind: "signIn", profile: "work" }, label: "AWS profile 'work' (not signed in)" },
      warnings: [
        { kind: "sshClosed", nodes: ["drumbo2", "drumbo3"], message: "no security group of these nodes lets SSH (port 22) in" },
        { kind: "notInAccount", nodes: ["drumbo3"], message: "the image ami-daf615b3 is not in this account" },
      ],
    } satisfies LaunchChecks);
    useUi.setState({ dialog: { kind: "launch", scope } });
    renderWithProviders(<LaunchDialog scope={scope} />);
    expect(await screen.findByTestId("launch-account")).toHaveTextContent("Launching into: AWS profile 'work' (not signed in)");
    expect(screen.getByTestId("launch-account-error")).toHaveTextContent("The SSO sign-in of 'work' has expired");
    await screen.findByTestId("preview-node-drumbo3");
    const confirm = screen.getByTestId("launch-confirm");
    expect(confirm).toBeDisabled();
    fireEvent.click(confirm);
    expect(backendMock.cloudStart).not.toHaveBeenCalled();

    const ssh = screen.getByTestId("launch-warning-sshClosed");
    expect(ssh).toHaveTextContent("SSH closed: no security group of these nodes lets SSH (port 22) in");
    expect(within(ssh).getByTestId("launch-warning-nodes-sshClosed")).toHaveTextContent("drumbo2, drumbo3");
    expect(screen.getByTestId("launch-warning-notInAccount")).toHaveTextContent("the image ami-daf615b3 is not in this account");

    const fix = screen.getByTestId("launch-account-fix");
    expect(fix).toHaveTextContent("Sign in again (work)");
    fireEvent.click(fix);
    expect(useUi.getState().dialog).toEqual({ kind: "settings", signIn: "work" });
  });

  it("launch preview: SSH closed is fixed in place, from this computer's address, and the warning goes", async () => {
    const scope = { kind: "nodes" as const, names: ["drumbo2", "drumbo3"] };
    backendMock.cloudPreview.mockResolvedValue(launchable([previewNode("drumbo2"), previewNode("drumbo3")]));
    const closed = { kind: "sshClosed" as const, nodes: ["drumbo2", "drumbo3"], message: "No security group of drumbo2, drumbo3 lets SSH (port 22) in" };
    backendMock.launchChecks.mockResolvedValue({ account, warnings: [closed] } satisfies LaunchChecks);
    const group = securityGroups[0];
    backendMock.allowSshFromHere.mockImplementation(async () => {
      // From now on the account's groups let SSH in: the checks say nothing more.
      backendMock.launchChecks.mockResolvedValue({ account, warnings: [] } satisfies LaunchChecks);
      return { cidr: "203.0.113.7/32", opened: [{ region: "us-east-1", group: { ...group, allowsSsh: true }, warning: null }], notFound: [] };
    });
    useUi.setState({ dialog: { kind: "launch", scope } });
    renderWithProviders(<LaunchDialog scope={scope} />);
    const warning = await screen.findByTestId("launch-warning-sshClosed");
    fireEvent.click(within(warning).getByTestId("launch-allow-ssh-here"));
    await waitFor(() => expect(screen.queryByTestId("launch-warning-sshClosed")).not.toBeInTheDocument());
    expect(backendMock.allowSshFromHere).toHaveBeenCalledWith(["drumbo2", "drumbo3"]);
    expect(useUi.getState().activity.at(-1)?.text).toBe(`SSH allowed from 203.0.113.7/32 in the security group ${group.name} (${group.id}), us-east-1`);
    expect(screen.getByTestId("launch-confirm")).toBeEnabled();
  });

  it("launch preview: the sandbox fix starts it in place and the account is checked again", async () => {
    const scope = { kind: "all" as const };
    backendMock.cloudPreview.mockResolvedValue({ nodes: [previewNode("drumbo2")], launchCount: 1, skipCount: 0, invalidCount: 0, batches: [batch(["drumbo2"])], regions: [], canLaunch: true, warnings: [], reinit: false } satisfies LaunchPreview);
    backendMock.launchChecks.mockResolvedValue({ account: { ...account, identity: null, error: { code: "account.unreachable", message: "the endpoint does not answer" }, fix: { kind: "startSandbox" }, label: "Local endpoint http://127.0.0.1:5000" }, warnings: [] });
    backendMock.sandboxStart.mockImplementation(async () => {
      backendMock.launchChecks.mockResolvedValue({ account: { ...account, identity: null, sandbox: true, label: "Practice sandbox at http://127.0.0.1:41234" }, warnings: [] });
      return { phase: "running", endpoint: "http://127.0.0.1:41234", detail: null, error: null };
    });
    renderWithProviders(<LaunchDialog scope={scope} />);
    const fix = await screen.findByTestId("launch-account-fix");
    expect(fix).toHaveTextContent("Start practice sandbox");
    expect(screen.getByTestId("launch-confirm")).toBeDisabled();
    fireEvent.click(fix);
    expect(await screen.findByText("Practice sandbox at http://127.0.0.1:41234")).toBeInTheDocument();
    expect(backendMock.sandboxStart).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("launch-account")).toHaveAttribute("data-sandbox", "true");
    expect(screen.queryByTestId("launch-account-error")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("launch-confirm")).toBeEnabled());
  });

  it("terminate confirmation lists exactly the nodes and instance ids", async () => {
    backendMock.cloudAffected.mockResolvedValue({
      action: "terminate",
      instances: [
        { node: "drumbo1", instanceId: "i-4c92cd21", region: "us-east-1", state: "running", host: "ec2-1.compute-1.amazonaws.com" },
        { node: "drumbo2", instanceId: "i-4692cd2b", region: "us-east-1", state: "running", host: null },
      ],
      withoutInstance: ["drumbo3"],
      summary: "Terminate 2 instances of all nodes? This cannot be undone.",
    });
    backendMock.cloudStart.mockResolvedValue(operation({ action: "terminate", label: "terminate all nodes" }));
    renderWithProviders(<ConfirmCloudDialog scope={{ kind: "all" }} action="terminate" />);
    const summary = await screen.findByTestId("cloud-confirm-summary");
    expect(summary).toHaveTextContent("Terminate 2 instances of all nodes? This cannot be undone.");
    expect(within(summary).getByTestId("affected-drumbo1")).toHaveTextContent("drumbo1i-4c92cd21us-east-1");
    expect(within(summary).getByTestId("affected-drumbo2")).toHaveTextContent("i-4692cd2b");
    expect(screen.getByTestId("cloud-confirm-without")).toHaveTextContent("Left alone (no instance): drumbo3");
    const confirm = screen.getByTestId("terminate-confirm");
    expect(confirm).toHaveTextContent("Terminate 2 instances");
    expect(backendMock.cloudStart).not.toHaveBeenCalled();
    fireEvent.click(confirm);
    await waitFor(() => expect(backendMock.cloudStart).toHaveBeenCalledWith({ action: "terminate", scope: { kind: "all" } }));
  });

  it("badges, timeline and addresses follow the fleet data", async () => {
    backendMock.loadTree.mockResolvedValue(drumbo);
    backendMock.getItem.mockImplementation(async (name: string) => ({
      name,
      kind: "node",
      file: `/tmp/repo/system/${name}/node.json`,
      props: {},
      computed: { index: 0, depth: 1 },
      inherited: [],
      cloneOf: null,
      clones: [],
      problem: null,
      keyPair: null,
    }));
    backendMock.fleetNodes.mockResolvedValue([live("drumbo1")]);
    useUi.setState({ current: "drumbo1", selected: ["drumbo1"] });
    renderWithProviders(<App />);
    const row = await screen.findByTestId("tree-row-drumbo1");
    await waitFor(() => expect(row).toHaveAttribute("data-state", "pending"));
    expect(screen.getByTestId("tree-row-drumbo2")).toHaveAttribute("data-state", "not-launched");
    expect(screen.getByTestId("inspector-state")).toHaveAttribute("data-state", "pending");

    const change: FleetChange = {
      nodes: [
        live("drumbo1", {
          state: "running",
          since: "2024-05-01T10:02:40Z",
          timeline: [
            { at: "2024-05-01T10:02:11Z", instanceId: "i-4c92cd21", from: null, to: "pending" },
            { at: "2024-05-01T10:02:40Z", instanceId: "i-4c92cd21", from: "pending", to: "running" },
          ],
          addresses: { host: "ec2-54-1-2-3.compute-1.amazonaws.com", privateIp: "10.0.0.5", privateDns: "ip-10-0-0-5.ec2.internal" },
        }),
      ],
      removed: [],
    };
    emit("fleet", change);
    await waitFor(() => expect(screen.getByTestId("tree-row-drumbo1")).toHaveAttribute("data-state", "running"));
    expect(screen.getByTestId("inspector-state")).toHaveAttribute("data-state", "running");
    expect(screen.getByTestId("inspector-host")).toHaveTextContent("ec2-54-1-2-3.compute-1.amazonaws.com");
    expect(screen.getByTestId("inspector-private-ip")).toHaveTextContent("10.0.0.5");
    const entries = within(screen.getByTestId("inspector-timeline")).getAllByTestId("timeline-entry");
    expect(entries.map((e) => e.getAttribute("data-state"))).toEqual(["running", "pending"]);

    // Engine events become log lines, in the core's words (worded in poni_app::cloud::event_line).
    emit("cloud", {
      operationId: "op-1",
      event: { kind: "stateChanged", node: "drumbo3", instanceId: "i-4692cd2b", from: "pending", to: "running", at: "2024-05-01T10:02:40Z" },
      line: { text: "drumbo3 pending -> running (i-4692cd2b)", tone: "info" },
    });
    expect(screen.getByTestId("activity-last")).toHaveTextContent("drumbo3 pending -> running (i-4692cd2b)");
    emit("cloud", { operationId: "op-1", event: { kind: "waitProgress", state: "running", ready: 2, total: 4 }, line: { text: "[2/4] instances 'running'", tone: "info" } });
    expect(screen.getByTestId("activity-last")).toHaveTextContent("[2/4] instances 'running'");
  });

  it("an idle window animates nothing: the fleet's state chips and a timeline of past transitions stay still", async () => {
    // Four nodes, one of them launched and terminated: its timeline went through pending and
    // shutting-down. Nothing is in transition now, so nothing on the page may pulse or spin
    // (one running animation keeps WebKit repainting the window every frame).
    backendMock.loadTree.mockResolvedValue(view([...drumbo.items, item("drumbo4", "node", { region: "us-east-1" })]));
    backendMock.fleetOverview.mockResolvedValue({
      nodes: 4,
      withInstance: 1,
      byState: (["pending", "running", "stopping", "stopped", "shutting-down", "terminated", "unknown"] as const).map((state) => ({ state, count: state === "terminated" ? 1 : 0 })),
      byRegion: [],
      noInstance: ["drumbo2", "drumbo3", "drumbo4"],
      missing: [],
      transitional: [],
      withProblems: [],
      lastErrors: [],
      refreshing: false,
    });
    backendMock.fleetNodes.mockResolvedValue([
      live("drumbo1", {
        state: "terminated",
        timeline: [
          { at: "2024-05-01T10:02:11Z", instanceId: "i-4c92cd21", from: null, to: "pending" },
          { at: "2024-05-01T10:02:40Z", instanceId: "i-4c92cd21", from: "pending", to: "running" },
          { at: "2024-05-01T10:05:00Z", instanceId: "i-4c92cd21", from: "running", to: "shutting-down" },
          { at: "2024-05-01T10:05:30Z", instanceId: "i-4c92cd21", from: "shutting-down", to: "terminated" },
        ],
      }),
    ]);
    backendMock.getItem.mockImplementation(async (name: string) => itemDetail(name));
    useUi.setState({ current: "drumbo1", selected: ["drumbo1"] });
    const { container } = renderWithProviders(<App />);
    await screen.findByTestId("fleet-state-pending");
    await waitFor(() => expect(within(screen.getByTestId("inspector-timeline")).getAllByTestId("timeline-entry")).toHaveLength(4));
    expect(within(screen.getByTestId("fleet-state-pending")).getByRole("img")).toHaveAttribute("data-state", "pending");
    expect(container.ownerDocument.querySelectorAll(".animate-pulse, .animate-spin, [data-moving]")).toHaveLength(0);
  });

  it("a node in transition pulses only while an operation or the automatic refresh watches it", async () => {
    backendMock.loadTree.mockResolvedValue(drumbo);
    backendMock.fleetNodes.mockResolvedValue([live("drumbo1")]);
    backendMock.getItem.mockImplementation(async (name: string) => itemDetail(name));
    useUi.setState({ current: "drumbo1", selected: ["drumbo1"] });
    renderWithProviders(<App />);
    const dot = () => within(screen.getByTestId("tree-row-drumbo1")).getByRole("img");
    const badgeDot = () => within(screen.getByTestId("inspector-state")).getByRole("img");
    await waitFor(() => expect(dot()).toHaveAttribute("data-state", "pending"));
    // Pending, but nothing follows it (the refresh stopped on a credentials error): still.
    expect(dot()).not.toHaveClass("animate-pulse");
    expect(badgeDot()).not.toHaveClass("animate-pulse");

    // A launch watches it.
    emit("fleet", { nodes: [live("drumbo1", { operationId: "op-1" })], removed: [] });
    await waitFor(() => expect(dot()).toHaveClass("animate-pulse"));
    expect(badgeDot()).toHaveClass("animate-pulse");

    // The launch is over; the automatic refresh takes over (its start comes as an empty diff).
    backendMock.fleetOverview.mockResolvedValue({ ...(await backendMock.fleetOverview()), transitional: ["drumbo1"], refreshing: true });
    emit("fleet", { nodes: [live("drumbo1")], removed: [] });
    await waitFor(() => expect(screen.getByTestId("fleet-refreshing")).toBeInTheDocument());
    expect(dot()).toHaveClass("animate-pulse");

    // The refresh stops: nothing moves any more.
    backendMock.fleetOverview.mockResolvedValue({ ...(await backendMock.fleetOverview()), transitional: [], refreshing: false });
    emit("fleet", { nodes: [], removed: [] });
    await waitFor(() => expect(screen.queryByTestId("fleet-refreshing")).not.toBeInTheDocument());
    expect(dot()).not.toHaveClass("animate-pulse");
    expect(document.querySelectorAll(".animate-pulse, [data-moving]")).toHaveLength(0);
  });

  it("shows an operation's k of N, cancels it, and shows the result", async () => {
    backendMock.loadTree.mockResolvedValue(drumbo);
    backendMock.listOperations.mockResolvedValue([operation()]);
    backendMock.cancelOperation.mockResolvedValue(true);
    renderWithProviders(<App />);
    const bar = await screen.findByTestId("op-progress-op-1");
    expect(bar).toHaveTextContent("1/4");
    emit("progress", operation({ done: 2, succeeded: 2 }));
    await waitFor(() => expect(screen.getByTestId("op-progress-op-1")).toHaveTextContent("2/4"));
    expect(screen.getByTestId("op-progress-op-1")).toHaveAttribute("aria-valuenow", "2");

    fireEvent.click(screen.getByTestId("op-cancel-op-1"));
    await waitFor(() => expect(backendMock.cancelOperation).toHaveBeenCalledWith("op-1"));

    emit("finished", operation({ done: 4, succeeded: 2, failed: 0, state: "cancelled", phase: "cancelled", finishedAt: "2024-05-01T10:03:00Z" }));
    await waitFor(() => expect(screen.getByTestId("operation-op-1")).toHaveAttribute("data-state", "cancelled"));
    expect(screen.getByTestId("operation-op-1")).toHaveTextContent("2 ok, cancelled");
    expect(screen.queryByTestId("op-cancel-op-1")).toBeNull();

    // The strip opens into the full log.
    fireEvent.click(screen.getByTestId("activity-toggle"));
    expect(screen.getByTestId("activity-log")).toHaveTextContent("Cancelling launch all nodes");
  });

  it("settings: the secret is write-only and never shown after saving", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let sets: { name: string; accessKeyId: string | null; problem: null }[] = [];
    const status = (): CredentialStatus => ({
      choice: { kind: "automatic" },
      source: sets.length ? { kind: "storedSet", name: "work", accessKeyId: "AKIAIOSFODNN7EXAMPLE", chosenExplicitly: false, description: "stored credential set 'work' (access key AKIAIOSFODNN7EXAMPLE)" } : null,
      error: sets.length ? null : { code: "credentials.missing", message: "no AWS credentials were found" },
      endpoint: "http://127.0.0.1:5055",
      endpointError: null,
      profiles: [{ name: "default", kind: "keys", region: null, sso: null }],
      sets: sets.map((s) => s.name),
      setsError: null,
      sandbox: { phase: "off", endpoint: null, detail: null, error: null },
    });
    backendMock.getSettings.mockResolvedValue({ recentRepositories: [], ec2Endpoint: "http://127.0.0.1:5055", theme: null });
    backendMock.credentialsStatus.mockImplementation(async () => status());
    backendMock.listCredentialSets.mockImplementation(async () => sets);
    backendMock.saveCredentialSet.mockImplementation(async (s: { name: string; accessKeyId: string }) => {
      sets = [{ name: s.name, accessKeyId: s.accessKeyId, problem: null }];
      return sets[0];
    });
    const { container } = renderWithProviders(<SettingsDialog />);
    const error = await screen.findByTestId("settings-credentials-error");
    expect(error).toHaveTextContent("No AWS credentials were found");
    expect(error).toHaveTextContent("Store a credential set in Settings");
    expect(screen.getByTestId("settings-endpoint-in-use")).toHaveTextContent("http://127.0.0.1:5055");

    fireEvent.change(screen.getByTestId("settings-credentials-name"), { target: { value: "work" } });
    fireEvent.change(screen.getByTestId("settings-credentials-key-id"), { target: { value: "AKIAIOSFODNN7EXAMPLE" } });
    const secretField = screen.getByTestId("settings-credentials-secret") as HTMLInputElement;
    expect(secretField.type).toBe("password");
    fireEvent.change(secretField, { target: { value: secret } });
    fireEvent.click(screen.getByTestId("settings-credentials-save"));
    await waitFor(() => expect(backendMock.saveCredentialSet).toHaveBeenCalledWith({ name: "work", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret }));

    expect(await screen.findByTestId("settings-set-work")).toHaveTextContent("AKIAIOSFODNN7EXAMPLE");
    expect(await screen.findByTestId("settings-credentials-source")).toHaveTextContent("stored credential set 'work'");
    expect((screen.getByTestId("settings-credentials-secret") as HTMLInputElement).value).toBe("");
    // Nowhere in the dialog: not in text, not in any field's value.
    const dialog = screen.getByTestId("settings-dialog");
    expect(dialog.textContent).not.toContain(secret);
    expect([...document.querySelectorAll("input")].some((i) => i.value.includes(secret))).toBe(false);
    expect(container.innerHTML).not.toContain(secret);
    expect(document.body.innerHTML).not.toContain(secret);
  });
});
