// Lifting termination protection from the app (issue 22): where a terminate was refused with
// cloud.termination_protected, "Lift protection…" asks first (naming the node), then calls the
// core, and offers the terminate that can follow. Other errors get no such button.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { NodeCloudPanel } from "../components/cloud/NodeCloud";
import { useUi } from "../lib/store";
import type { FleetError } from "../bindings/FleetError";
import type { NodeLive } from "../bindings/NodeLive";
import { backendMock, resetBackend } from "./backendMock";
import { item } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const refused = (code: FleetError["code"], message: string): FleetError => ({
  at: "2024-05-01T10:05:00Z",
  severity: "error",
  node: "drumbo1",
  instanceId: "i-4c92cd21",
  code,
  message,
  operationId: "op-3",
});

function live(lastError: FleetError): NodeLive {
  return {
    node: "drumbo1",
    region: "us-east-1",
    instanceId: "i-4c92cd21",
    state: "running",
    since: "2024-05-01T10:02:40Z",
    checkedAt: "2024-05-01T10:05:00Z",
    timeline: [],
    addresses: { host: null, privateIp: null, privateDns: null },
    missing: false,
    lastError,
    problems: [],
    operationId: null,
  };
}

const drumbo1 = item("drumbo1", "node", { region: "us-east-1", instance: "i-4c92cd21" });
const protectedMessage = "drumbo1 is protected from termination (cloud.disable_api_termination is true), so instance i-4c92cd21 was not terminated.";

describe("lift termination protection", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("asks, naming the node, then lifts the protection and offers the terminate", async () => {
    backendMock.fleetNodes.mockResolvedValue([live(refused("cloud.termination_protected", protectedMessage))]);
    backendMock.liftTerminationProtection.mockResolvedValue({ node: "drumbo1", instanceId: "i-4c92cd21", propertyChanged: true });
    renderWithProviders(<NodeCloudPanel item={drumbo1} />);
    const error = await screen.findByTestId("inspector-last-error");
    expect(error).toHaveTextContent("protected from termination");

    // Cancelling changes nothing.
    await userEvent.click(within(error).getByTestId("lift-protection"));
    expect(screen.getByTestId("lift-protection-dialog")).toHaveTextContent("Lift termination protection of drumbo1?");
    await userEvent.click(screen.getByTestId("lift-protection-cancel"));
    expect(screen.queryByTestId("lift-protection-dialog")).not.toBeInTheDocument();
    expect(backendMock.liftTerminationProtection).not.toHaveBeenCalled();

    await userEvent.click(within(error).getByTestId("lift-protection"));
    await userEvent.click(screen.getByTestId("lift-protection-confirm"));
    await waitFor(() => expect(screen.queryByTestId("lift-protection-dialog")).not.toBeInTheDocument());
    expect(backendMock.liftTerminationProtection).toHaveBeenCalledWith("drumbo1");
    expect(backendMock.liftTerminationProtection).toHaveBeenCalledTimes(1);
    expect(useUi.getState().activity.at(-1)?.text).toBe(
      "Termination protection of drumbo1 lifted (instance i-4c92cd21 and cloud.disable_api_termination of the node): it can be terminated now.",
    );

    await userEvent.click(screen.getByTestId("lift-protection-terminate"));
    expect(useUi.getState().dialog).toEqual({ kind: "cloud-confirm", scope: { kind: "node", name: "drumbo1" }, action: "terminate" });
  });

  it("a refusal of the lift stays in the dialog, in the core's words", async () => {
    backendMock.fleetNodes.mockResolvedValue([live(refused("cloud.termination_protected", protectedMessage))]);
    backendMock.liftTerminationProtection.mockRejectedValue({ code: "cloud.unauthorized", message: "not allowed to ModifyInstanceAttribute" });
    renderWithProviders(<NodeCloudPanel item={drumbo1} />);
    await userEvent.click(await screen.findByTestId("lift-protection"));
    await userEvent.click(screen.getByTestId("lift-protection-confirm"));
    expect(await screen.findByTestId("lift-protection-error")).toHaveTextContent("ModifyInstanceAttribute");
    expect(screen.getByTestId("lift-protection-dialog")).toBeInTheDocument();
    expect(screen.queryByTestId("lift-protection-done")).not.toBeInTheDocument();
  });

  it("other errors offer no lift", async () => {
    backendMock.fleetNodes.mockResolvedValue([live(refused("cloud.unauthorized", "not allowed to TerminateInstances"))]);
    renderWithProviders(<NodeCloudPanel item={drumbo1} />);
    expect(await screen.findByTestId("inspector-last-error")).toHaveTextContent("TerminateInstances");
    expect(screen.queryByTestId("lift-protection")).not.toBeInTheDocument();
  });
});
