// The node's snapshots in the app: the dialog lists what EC2 has (name, device, state, date),
// making one sends its name and description, and Revert / Remove open the cloud confirmation
// with their action and name; nothing starts before it is confirmed.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ConfirmCloudDialog } from "../components/cloud/CloudDialogs";
import { CloudButtons } from "../components/cloud/NodeCloud";
import { SnapshotsDialog } from "../components/cloud/SnapshotsDialog";
import { DialogHost } from "../components/dialogs/DialogHost";
import { useUi } from "../lib/store";
import type { NodeSnapshot } from "../bindings/NodeSnapshot";
import type { OperationStatus } from "../bindings/OperationStatus";
import type { Scope } from "../bindings/Scope";
import { backendMock, resetBackend } from "./backendMock";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const web1: Scope = { kind: "node", name: "web1" };

function snap(id: string, name: string | null, device: string | null, state: NodeSnapshot["snapshot"]["state"], startTime: string): NodeSnapshot {
  return {
    node: "web1",
    instanceId: "i-0abc",
    name,
    device,
    snapshot: { id, volumeId: "vol-1", state, startTime, description: null, sizeGib: 8, tags: name ? { "poni:snapshot": name } : {} },
  };
}

const list = {
  snapshots: [
    snap("snap-1", "before", "/dev/xvda", "completed", "2026-12-01T10:00:00Z"),
    snap("snap-2", "before", "/dev/sdf", "completed", "2026-12-01T10:00:01Z"),
    snap("snap-3", "nightly", null, "pending", "2026-12-02T03:00:00Z"),
  ],
  failed: [],
};

function operation(extra: Partial<OperationStatus>): OperationStatus {
  return {
    id: "op-1",
    action: "createSnapshot",
    scope: web1,
    label: "snapshot web1 ('before')",
    nodes: ["web1"],
    total: 1,
    done: 0,
    phase: "making snapshots",
    state: "running",
    succeeded: 0,
    failed: 0,
    startedAt: "2026-12-08T10:00:00Z",
    finishedAt: null,
    error: null,
    reports: [],
    ...extra,
  };
}

function affected(action: "createSnapshot" | "revertToSnapshot" | "removeSnapshot", summary: string) {
  return { action, instances: [{ node: "web1", instanceId: "i-0abc", region: "us-east-1", state: "running" as const, host: null }], withoutInstance: [], summary };
}

describe("snapshots", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    backendMock.cloudSnapshots.mockResolvedValue(list);
  });

  it("lists the node's snapshots by name with device, state and date", async () => {
    renderWithProviders(<SnapshotsDialog scope={web1} />);
    const table = await screen.findByTestId("snapshots-list");
    expect(backendMock.cloudSnapshots).toHaveBeenCalledWith(web1);
    const first = within(table).getByTestId("snapshot-snap-1");
    expect(first).toHaveAttribute("data-name", "before");
    expect(first).toHaveTextContent("before");
    expect(first).toHaveTextContent("/dev/xvda");
    expect(first).toHaveTextContent("completed");
    expect(first).toHaveTextContent(new Date("2026-12-01T10:00:00Z").toLocaleString());
    expect(within(table).getByTestId("snapshot-snap-2")).toHaveTextContent("/dev/sdf");
    const nightly = within(table).getByTestId("snapshot-snap-3");
    expect(nightly).toHaveTextContent("nightly");
    expect(nightly).toHaveTextContent("root");
    expect(within(table).getByTestId("snapshot-state-snap-3")).toHaveTextContent("pending");
    // One Revert and one Remove per name, not per volume.
    expect(within(table).getAllByText("Revert…")).toHaveLength(2);
    expect(within(table).getAllByText("Remove…")).toHaveLength(2);
  });

  it("says so when there are none, and shows a node EC2 could not be asked about", async () => {
    backendMock.cloudSnapshots.mockResolvedValue({
      snapshots: [],
      failed: [{ node: "web1", outcome: "failed", instanceId: "i-0abc", state: null, error: { code: "cloud.unauthorized", message: "not allowed to describe snapshots" } }],
    });
    renderWithProviders(<SnapshotsDialog scope={web1} />);
    expect(await screen.findByTestId("snapshots-empty")).toHaveTextContent("No snapshots of web1 yet.");
    expect(screen.getByTestId("snapshots-failed")).toHaveTextContent("web1");
  });

  it("create asks for confirmation, then sends the name and description", async () => {
    renderWithProviders(<SnapshotsDialog scope={web1} />);
    const create = screen.getByTestId("snapshot-create");
    expect(create).toBeDisabled();
    fireEvent.change(screen.getByTestId("snapshot-name"), { target: { value: "  before-upgrade " } });
    fireEvent.change(screen.getByTestId("snapshot-description"), { target: { value: "before the 2.0 upgrade" } });
    fireEvent.click(create);
    expect(backendMock.cloudStart).not.toHaveBeenCalled();
    const dialog = useUi.getState().dialog;
    expect(dialog).toEqual({ kind: "cloud-confirm", scope: web1, action: "createSnapshot", snapshot: { name: "before-upgrade", description: "before the 2.0 upgrade" } });

    backendMock.cloudAffected.mockResolvedValue(affected("createSnapshot", "Snapshot every EBS volume of 1 instance of node web1?"));
    backendMock.cloudStart.mockResolvedValue(operation({}));
    renderWithProviders(<DialogHost model={null} />);
    const summary = await screen.findByTestId("cloud-confirm-summary");
    expect(backendMock.cloudAffected).toHaveBeenCalledWith(web1, "createSnapshot");
    expect(within(summary).getByTestId("cloud-confirm-snapshot")).toHaveTextContent("before-upgrade (before the 2.0 upgrade)");
    fireEvent.click(screen.getByTestId("create-snapshot-confirm"));
    await waitFor(() =>
      expect(backendMock.cloudStart).toHaveBeenCalledWith({ action: "createSnapshot", scope: web1, snapshot: "before-upgrade", description: "before the 2.0 upgrade" }),
    );
  });

  it("revert opens the confirmation with its action and name, which says what happens", async () => {
    renderWithProviders(<SnapshotsDialog scope={web1} />);
    fireEvent.click(await screen.findByTestId("snapshot-revert-web1-before"));
    expect(useUi.getState().dialog).toEqual({ kind: "cloud-confirm", scope: web1, action: "revertToSnapshot", snapshot: { name: "before" } });
    expect(backendMock.cloudStart).not.toHaveBeenCalled();

    backendMock.cloudAffected.mockResolvedValue(
      affected("revertToSnapshot", "Revert 1 instance of node web1 to the snapshot? This stops the instance, swaps its volumes for new ones made from the snapshot, and starts it; the old volumes are deleted once it runs."),
    );
    backendMock.cloudStart.mockResolvedValue(operation({ action: "revertToSnapshot" }));
    renderWithProviders(<ConfirmCloudDialog scope={web1} action="revertToSnapshot" snapshot={{ name: "before" }} />);
    const summary = await screen.findByTestId("cloud-confirm-summary");
    expect(summary).toHaveTextContent("stops the instance, swaps its volumes");
    expect(within(summary).getByTestId("affected-web1")).toHaveTextContent("i-0abc");
    const confirm = screen.getByTestId("revert-snapshot-confirm");
    expect(confirm).toHaveTextContent("Revert 1 instance");
    fireEvent.click(confirm);
    await waitFor(() => expect(backendMock.cloudStart).toHaveBeenCalledWith({ action: "revertToSnapshot", scope: web1, snapshot: "before" }));
  });

  it("remove opens the confirmation with its action and name", async () => {
    renderWithProviders(<SnapshotsDialog scope={web1} />);
    fireEvent.click(await screen.findByTestId("snapshot-remove-web1-nightly"));
    expect(useUi.getState().dialog).toEqual({ kind: "cloud-confirm", scope: web1, action: "removeSnapshot", snapshot: { name: "nightly" } });

    backendMock.cloudAffected.mockResolvedValue(affected("removeSnapshot", "Delete the snapshots of that name of 1 instance of node web1? This cannot be undone."));
    backendMock.cloudStart.mockResolvedValue(operation({ action: "removeSnapshot" }));
    renderWithProviders(<ConfirmCloudDialog scope={web1} action="removeSnapshot" snapshot={{ name: "nightly" }} />);
    await screen.findByTestId("cloud-confirm-summary");
    fireEvent.click(screen.getByTestId("remove-snapshot-confirm"));
    await waitFor(() => expect(backendMock.cloudStart).toHaveBeenCalledWith({ action: "removeSnapshot", scope: web1, snapshot: "nightly" }));
  });

  it("the node's cloud actions offer Snapshots… (not for a terminated instance)", () => {
    const { unmount } = renderWithProviders(<CloudButtons scope={web1} hasInstance state="running" />);
    fireEvent.click(screen.getByTestId("inspector-snapshots"));
    expect(useUi.getState().dialog).toEqual({ kind: "snapshots", scope: web1 });
    unmount();
    renderWithProviders(<CloudButtons scope={web1} hasInstance state="terminated" />);
    expect(screen.queryByTestId("inspector-snapshots")).toBeNull();
  });
});
