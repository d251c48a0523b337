// Status checks shown live (issue 22): the inspector and the editor's live bar read EC2's
// checks from the node's live state, with a spinner while they initialise (only while an
// operation follows the node) and a clear mark when one is impaired.
import { act, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { EditorLiveBar, LiveRows } from "../components/cloud/NodeCloud";
import type { FleetMap } from "../lib/cloud";
import { cloudKeys } from "../lib/queryKeys";
import type { NodeLive } from "../bindings/NodeLive";
import { backendMock, resetBackend } from "./backendMock";
import { item } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

function live(extra: Partial<NodeLive> = {}): NodeLive {
  return {
    node: "drumbo1",
    region: "us-east-1",
    instanceId: "i-4c92cd21",
    state: "running",
    since: "2024-05-01T10:02:40Z",
    checkedAt: "2024-05-01T10:02:40Z",
    timeline: [],
    addresses: { host: null, privateIp: null, privateDns: null },
    missing: false,
    lastError: null,
    problems: [],
    operationId: null,
    ...extra,
  };
}

const drumbo1 = item("drumbo1", "node", { region: "us-east-1", instance: "i-4c92cd21" });

describe("status checks", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("the inspector shows the checks as a wait reports them, spinning while they initialise under an operation", async () => {
    backendMock.fleetNodes.mockResolvedValue([live({ operationId: "op-1", checks: { instanceId: "i-4c92cd21", system: "ok", instance: "initializing", events: [] } })]);
    const { client } = renderWithProviders(
      <dl>
        <LiveRows item={drumbo1} fileHost={null} fileIp={null} fileDns={null} />
      </dl>,
    );
    const checks = await screen.findByTestId("inspector-checks");
    expect(checks).toHaveTextContent("system ok · instance initializing");
    expect(within(checks).getByTestId("checks-instance")).toHaveAttribute("data-status", "initializing");
    expect(within(checks).getByTestId("checks-instance").querySelector("svg")).toHaveClass("animate-spin");
    expect(checks).not.toHaveAttribute("data-impaired");

    // The wait is over and the checks passed: no spinner left.
    act(() => client.setQueryData<FleetMap>(cloudKeys.fleetNodes, new Map([["drumbo1", live({ checks: { instanceId: "i-4c92cd21", system: "ok", instance: "ok", events: [] } })]])));
    await waitFor(() => expect(screen.getByTestId("inspector-checks")).toHaveTextContent("system ok · instance ok"));
    expect(document.querySelectorAll(".animate-spin")).toHaveLength(0);

    // A stop ends the checks: the row goes.
    act(() => client.setQueryData<FleetMap>(cloudKeys.fleetNodes, new Map([["drumbo1", live({ state: "stopped" })]])));
    await waitFor(() => expect(screen.queryByTestId("inspector-checks")).not.toBeInTheDocument());
  });

  it("initialising checks nothing follows stay still", async () => {
    backendMock.fleetNodes.mockResolvedValue([live({ checks: { instanceId: "i-4c92cd21", system: "initializing", instance: "initializing", events: [] } })]);
    renderWithProviders(
      <dl>
        <LiveRows item={drumbo1} fileHost={null} fileIp={null} fileDns={null} />
      </dl>,
    );
    const checks = await screen.findByTestId("inspector-checks");
    expect(checks).toHaveTextContent("system initializing · instance initializing");
    expect(document.querySelectorAll(".animate-spin")).toHaveLength(0);
  });

  it("an impaired check is marked clearly in the editor's live bar", async () => {
    backendMock.fleetNodes.mockResolvedValue([live({ checks: { instanceId: "i-4c92cd21", system: "ok", instance: "impaired", events: [] } })]);
    renderWithProviders(<EditorLiveBar name="drumbo1" instance="i-4c92cd21" problem={null} />);
    const checks = await screen.findByTestId("editor-checks");
    expect(checks).toHaveTextContent("Status checks: system ok · instance impaired");
    expect(checks).toHaveAttribute("data-impaired", "true");
    expect(within(checks).getByTestId("checks-instance")).toHaveClass("text-danger");
    expect(within(checks).getByTestId("checks-system")).not.toHaveClass("text-danger");
  });
});
