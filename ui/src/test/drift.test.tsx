// Drift (issue 11): a mark in the tree, a list in the Overview, and a node's difference with
// "take the instance's values into the node" (refresh, for addresses). The tree and the Overview
// only read what the Fleet tab or the node's panel fetched: they ask the cloud nothing.
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { RepoTree } from "../components/tree/RepoTree";
import { Overview } from "../components/Overview";
import { NodeCloudPanel } from "../components/cloud/NodeCloud";
import { FleetTable } from "../components/cloud/FleetTable";
import type { Drift } from "../bindings/Drift";
import { fleetKeys } from "../lib/queryKeys";
import { useUi } from "../lib/store";
import { buildModel } from "../lib/treeModel";
import { backendMock, resetBackend } from "./backendMock";
import { demoTree, item } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const drift = (node: string, field: Drift["field"], nodeValue: string, instanceValue: string): Drift => ({ node, instanceId: "i-4c92cd21", field, nodeValue, instanceValue });

const drumbo1 = [
  drift("drumbo1", "instanceType", "t3.micro", "t3.large"),
  drift("drumbo1", "keyPair", "", "ops"),
  drift("drumbo1", "host", "1.2.3.4", "5.6.7.8"),
];
const drumbo1Item = item("drumbo1", "node", { region: "us-east-1", instance: "i-4c92cd21" });

describe("drift", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("marks a drifting node in the tree from the cached answer, without asking the cloud", async () => {
    const { client } = renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    expect(screen.queryByTestId("tree-drift-drumbo1")).not.toBeInTheDocument();
    act(() => client.setQueryData(fleetKeys.drift, drumbo1));
    const mark = await screen.findByTestId("tree-drift-drumbo1");
    expect(within(screen.getByTestId("tree-row-drumbo1")).getByTestId("tree-drift-drumbo1")).toBe(mark);
    expect(mark).toHaveAttribute("title", "Differs from its instance i-4c92cd21: Instance type, Key pair, Public address");
    expect(mark).toHaveTextContent("3");
    expect(screen.queryByTestId("tree-drift-drumbo2")).not.toBeInTheDocument();
    expect(backendMock.cloudDrift).not.toHaveBeenCalled();
  });

  it("a node's own newer check replaces what the fleet's check said about it", async () => {
    backendMock.cloudDrift.mockResolvedValue([]);
    const { client } = renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    act(() => client.setQueryData(fleetKeys.drift, drumbo1));
    await screen.findByTestId("tree-drift-drumbo1");
    await act(async () => {
      await client.fetchQuery({ queryKey: fleetKeys.nodeDrift("drumbo1"), queryFn: () => backendMock.cloudDrift({ kind: "node", name: "drumbo1" }) });
    });
    await waitFor(() => expect(screen.queryByTestId("tree-drift-drumbo1")).not.toBeInTheDocument());
  });

  it("shows the node's difference field by field and takes one instance value into the node", async () => {
    backendMock.cloudDrift.mockResolvedValue(drumbo1);
    renderWithProviders(<NodeCloudPanel item={drumbo1Item} />);
    const panel = await screen.findByTestId("node-drift");
    expect(backendMock.cloudDrift).toHaveBeenCalledWith({ kind: "node", name: "drumbo1" });
    const type = within(panel).getByTestId("node-drift-instanceType");
    expect(type).toHaveTextContent("Instance type");
    expect(type).toHaveTextContent("t3.micro");
    expect(type).toHaveTextContent("t3.large");
    expect(within(panel).getByTestId("node-drift-keyPair")).toHaveTextContent("Key pair(nothing)ops");
    expect(within(panel).getByTestId("node-drift-host")).toHaveTextContent("Public address1.2.3.45.6.7.8");
    expect(within(panel).getByText("Node says")).toBeInTheDocument();
    expect(within(panel).getByText("Instance has")).toBeInTheDocument();
    // Addresses are refreshed, not written: one button for them, none per address field.
    expect(within(panel).queryByTestId("node-drift-take-host")).not.toBeInTheDocument();

    // The core took it; the next check finds the rest.
    backendMock.cloudDrift.mockResolvedValue(drumbo1.slice(1));
    await userEvent.click(within(panel).getByTestId("node-drift-take-instanceType"));
    expect(backendMock.cloudTakeDrift).toHaveBeenCalledWith("drumbo1", ["instanceType"]);
    await waitFor(() => expect(screen.queryByTestId("node-drift-instanceType")).not.toBeInTheDocument());
    expect(screen.getByTestId("node-drift-keyPair")).toBeInTheDocument();
    expect(useUi.getState().activity.at(-1)?.text).toBe("drumbo1: took the instance's instance type (1 property changed)");

    await userEvent.click(screen.getByTestId("node-drift-take-addresses"));
    expect(backendMock.cloudTakeDrift).toHaveBeenLastCalledWith("drumbo1", ["host"]);
  });

  it("takes all fields at once", async () => {
    backendMock.cloudDrift.mockResolvedValue(drumbo1);
    backendMock.cloudTakeDrift.mockResolvedValue(2);
    renderWithProviders(<NodeCloudPanel item={drumbo1Item} />);
    const panel = await screen.findByTestId("node-drift");
    backendMock.cloudDrift.mockResolvedValue([]);
    await userEvent.click(within(panel).getByTestId("node-drift-take-all"));
    expect(backendMock.cloudTakeDrift).toHaveBeenCalledTimes(1);
    expect(backendMock.cloudTakeDrift).toHaveBeenCalledWith("drumbo1", ["instanceType", "keyPair", "host"]);
    await waitFor(() => expect(screen.queryByTestId("node-drift")).not.toBeInTheDocument());
  });

  it("says why a take failed", async () => {
    backendMock.cloudDrift.mockResolvedValue(drumbo1);
    backendMock.cloudTakeDrift.mockRejectedValue({ code: "cloud.instance_not_found", message: "the instance is gone" });
    renderWithProviders(<NodeCloudPanel item={drumbo1Item} />);
    await userEvent.click(await screen.findByTestId("node-drift-take-keyPair"));
    expect(await screen.findByTestId("node-drift-error")).toHaveTextContent(/the instance is gone/i);
    expect(screen.getByTestId("node-drift-keyPair")).toBeInTheDocument();
  });

  it("asks the cloud nothing for a node without an instance", async () => {
    renderWithProviders(<NodeCloudPanel item={item("drumbo2", "node", { region: "us-east-1" })} />);
    await screen.findByTestId("inspector-cloud");
    expect(backendMock.cloudDrift).not.toHaveBeenCalled();
    expect(screen.queryByTestId("node-drift")).not.toBeInTheDocument();
  });

  it("lists drifting nodes in the Overview from the cache, each opening the node", async () => {
    const { client } = renderWithProviders(<Overview model={buildModel(demoTree)} />);
    expect(screen.queryByTestId("overview-drift")).not.toBeInTheDocument();
    act(() => client.setQueryData(fleetKeys.drift, [...drumbo1.slice(0, 2), drift("gone-node", "image", "ami-1", "ami-2")]));
    const list = await screen.findByTestId("overview-drift");
    // A node the tree does not have (removed since the check) is not listed.
    expect(list).toHaveTextContent("1 node differs from its instance");
    expect(within(list).getByTestId("overview-drift-drumbo1")).toHaveTextContent("drumbo12 fields: Instance type, Key pair");
    expect(within(list).queryByTestId("overview-drift-gone-node")).not.toBeInTheDocument();
    await userEvent.click(within(list).getByTestId("overview-drift-drumbo1"));
    expect(useUi.getState().current).toBe("drumbo1");
    await userEvent.dblClick(within(list).getByTestId("overview-drift-drumbo1"));
    expect(useUi.getState().tab).toBe("node");
    expect(backendMock.cloudDrift).not.toHaveBeenCalled();
  });

  it("takes a value from the fleet table's drift list", async () => {
    backendMock.cloudDrift.mockResolvedValue([drift("web1", "instanceType", "t3.micro", "t3.large"), drift("web1", "privateIp", "", "10.0.0.9")]);
    renderWithProviders(<FleetTable />);
    expect(await screen.findByTestId("drift-web1-privateIp")).toHaveTextContent("web1: Private IP is (nothing), instance i-4c92cd21 has 10.0.0.9");
    expect(screen.getByTestId("drift-take-web1-privateIp")).toHaveTextContent("Refresh addresses");
    await userEvent.click(screen.getByTestId("drift-take-web1-instanceType"));
    expect(backendMock.cloudTakeDrift).toHaveBeenCalledWith("web1", ["instanceType"]);
  });
});
