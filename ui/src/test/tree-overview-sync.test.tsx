// A new node shows in the tree and in the overview together: the backend's fleet follows an
// edit at once (a fleet diff, a cheap overview) while the tree is read from disk, so the
// overview waits for the tree's read instead of naming the node first.
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { FleetChange } from "../bindings/FleetChange";
import type { FleetOverview } from "../bindings/FleetOverview";
import type { NodeLive } from "../bindings/NodeLive";
import type { TreeView } from "../bindings/TreeView";
import { treeIsBehind } from "../lib/cloud";
import { makeQueryClient } from "../lib/queries";
import { cloudKeys, keys } from "../lib/queryKeys";
import { useUi } from "../lib/store";
import { backendMock, resetBackend } from "./backendMock";
import { item, view } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

const { listeners, on } = vi.hoisted(() => {
  const listeners: Record<string, ((payload: unknown) => void)[]> = {};
  const on = (name: string) => (h: (payload: unknown) => void) => {
    (listeners[name] ??= []).push(h);
    return Promise.resolve(() => {});
  };
  return { listeners, on };
});
const emit = (name: string, payload: unknown) => (listeners[name] ?? []).forEach((h) => h(payload));

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: on("repo"), onFleetChanged: on("fleet") } };
});

function live(node: string): NodeLive {
  return { node, region: null, instanceId: null, state: null, since: null, checkedAt: null, timeline: [], addresses: { host: null, privateIp: null, privateDns: null }, missing: false, lastError: null, problems: [], operationId: null };
}

function overviewOf(names: string[]): FleetOverview {
  return {
    nodes: names.length,
    withInstance: 0,
    byState: (["pending", "running", "stopping", "stopped", "shutting-down", "terminated", "unknown"] as const).map((state) => ({ state, count: 0 })),
    byRegion: [{ region: null, nodes: names.length, instances: 0, byState: [] }],
    noInstance: names,
    missing: [],
    transitional: [],
    withProblems: [],
    lastErrors: [],
    refreshing: false,
  };
}

const before = view([item("drumbo1", "node")]);
const after = view([item("drumbo1", "node"), item("drumbo4", "node")]);

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("tree and overview", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    for (const k of Object.keys(listeners)) delete listeners[k];
    backendMock.loadTree.mockResolvedValue(before);
    backendMock.fleetOverview.mockResolvedValue(overviewOf(["drumbo1"]));
    backendMock.fleetNodes.mockResolvedValue([live("drumbo1")]);
    backendMock.getItem.mockImplementation(async (name: string) => ({ name, kind: "node", file: `/tmp/repo/system/${name}/node.json`, props: {}, computed: {}, inherited: [], cloneOf: null, clones: [], problem: null, keyPair: null }));
    backendMock.planNodes.mockImplementation(async () => ({ parent: null, nodes: [{ name: "drumbo4", host: "", clash: null }] }));
  });

  it("knows when a fleet diff names nodes the tree does not have", () => {
    const client = makeQueryClient();
    const change = (nodes: string[], removed: string[] = []): FleetChange => ({ nodes: nodes.map(live), removed });
    expect(treeIsBehind(client, change(["drumbo4"]))).toBe(false); // no tree yet: nothing to be behind
    client.setQueryData<TreeView>(keys.tree, before);
    expect(treeIsBehind(client, change(["drumbo1"]))).toBe(false);
    expect(treeIsBehind(client, change(["drumbo4"]))).toBe(true);
    expect(treeIsBehind(client, change([], ["drumbo1"]))).toBe(true);
    expect(treeIsBehind(client, change([], ["gone"]))).toBe(false);
  });

  it("a new node appears in the overview no sooner than in the tree", async () => {
    const { client } = renderWithProviders(<App />);
    expect(await screen.findByTestId("fleet-no-instance-drumbo1")).toBeInTheDocument();
    expect(await screen.findByTestId("tree-row-drumbo1")).toBeInTheDocument();

    // The tree's read is slow (a big repository); the fleet answers at once. add_nodes does
    // what the backend does: the fleet follows the edit, the repository-changed event goes out.
    const slowTree = deferred<TreeView>();
    backendMock.addNodes.mockImplementation(async () => {
      backendMock.loadTree.mockReturnValue(slowTree.promise);
      backendMock.fleetOverview.mockResolvedValue(overviewOf(["drumbo1", "drumbo4"]));
      backendMock.fleetNodes.mockResolvedValue([live("drumbo1"), live("drumbo4")]);
      emit("fleet", { nodes: [live("drumbo4")], removed: [] } satisfies FleetChange);
      emit("repo", undefined);
      return ["drumbo4"];
    });
    act(() => useUi.getState().openDialog({ kind: "new-node", system: null }));
    await userEvent.type(await screen.findByTestId("nodes-template"), "drumbo4");
    await waitFor(() => expect(screen.getByTestId("nodes-submit")).toBeEnabled());
    const overviewCalls = backendMock.fleetOverview.mock.calls.length;
    fireEvent.click(screen.getByTestId("nodes-submit"));
    await waitFor(() => expect(backendMock.addNodes).toHaveBeenCalledTimes(1));

    // The fleet's overview has been asked (and answered with drumbo4) well past its 150 ms
    // debounce, but while the tree is still being read nothing shows the new node.
    await waitFor(() => expect(backendMock.fleetOverview.mock.calls.length).toBeGreaterThan(overviewCalls));
    await act(() => new Promise((r) => setTimeout(r, 400)));
    expect(backendMock.loadTree).toHaveBeenCalled();
    expect(screen.queryByTestId("tree-row-drumbo4")).not.toBeInTheDocument();
    expect(screen.queryByTestId("fleet-no-instance-drumbo4")).not.toBeInTheDocument();
    expect(screen.getByTestId("fleet-no-instance-count")).toHaveTextContent("1 node without an instance");
    expect(client.getQueryData<FleetOverview>(cloudKeys.fleetOverview)?.noInstance).toEqual(["drumbo1"]);
    // The dialog stays until the tree has the node, so it can select it at once.
    expect(screen.getByTestId("new-node-dialog")).toBeInTheDocument();

    // The tree's read lands: the tree and the overview show drumbo4 together.
    await act(async () => slowTree.resolve(after));
    expect(await screen.findByTestId("tree-row-drumbo4")).toBeInTheDocument();
    await waitFor(() => expect(client.getQueryData<FleetOverview>(cloudKeys.fleetOverview)?.noInstance).toEqual(["drumbo1", "drumbo4"]));
    expect(screen.queryByTestId("new-node-dialog")).not.toBeInTheDocument();
    expect(useUi.getState()).toMatchObject({ current: "drumbo4", tab: "node" });
    act(() => useUi.getState().setTab("overview"));
    expect(await screen.findByTestId("fleet-no-instance-drumbo4")).toBeInTheDocument();
    expect(screen.getByTestId("stat-nodes-value")).toHaveTextContent("2");
  });
});
