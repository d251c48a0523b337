import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { VcPanel } from "../components/history/VcPanel";
import { Inspector } from "../components/Inspector";
import { useUi } from "../lib/store";
import { buildModel } from "../lib/treeModel";
import type { VcStatus } from "../bindings/VcStatus";
import { backendMock, resetBackend, vcOff } from "./backendMock";
import { demoTree } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const commit = { id: "0123456789abcdef", message: "Start the history", at: new Date().toISOString(), author: "Me <me@example.com>" };
const on: VcStatus = { enabled: true, branch: "main", mode: "checkpoint", changedItems: 1, remote: "git@example.com:team/fleet.git", ahead: 2, behind: 1, conflicts: 0, lastCommit: commit };
const diff = { items: [{ name: "drumbo1", kind: "node" as const, change: "changed" as const, properties: [{ key: "cloud.type", before: "t3.micro", after: "t3.large" }] }] };
const conflict = { name: "drumbo2", mine: { cloud: { type: "t3.micro" } }, theirs: { cloud: { type: "m5.large" } }, properties: [{ key: "cloud.type", before: "t3.micro", after: "m5.large" }] };

describe("version control", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("explains git and starts it", async () => {
    backendMock.vcInit.mockResolvedValue(commit);
    renderWithProviders(<VcPanel />);
    const panel = await screen.findByTestId("vc-panel");
    expect(panel).toHaveTextContent("git can keep every version");
    backendMock.vcStatus.mockResolvedValue(on);
    fireEvent.click(screen.getByTestId("vc-init"));
    await waitFor(() => expect(backendMock.vcInit).toHaveBeenCalledTimes(1));
    expect(await screen.findByTestId("vc-last-commit")).toHaveTextContent("Last commit 0123456 “Start the history”");
    expect(screen.getByTestId("vc-panel")).toHaveTextContent("main");
  });

  it("shows why git could not start", async () => {
    backendMock.vcInit.mockRejectedValue({ code: "vc.git", message: "git is not installed" });
    renderWithProviders(<VcPanel />);
    fireEvent.click(await screen.findByTestId("vc-init"));
    expect(await screen.findByTestId("vc-error")).toHaveTextContent("Git is not installed");
  });

  it("lists the changed items with their properties, and makes a checkpoint with the message", async () => {
    backendMock.vcStatus.mockResolvedValue(on);
    backendMock.vcDiff.mockResolvedValue(diff);
    backendMock.vcCheckpoint.mockResolvedValue({ ...commit, id: "fedcba9876543210", message: "Bigger web nodes" });
    renderWithProviders(<VcPanel />);
    const row = await screen.findByTestId("vc-diff-drumbo1");
    expect(backendMock.vcDiff).toHaveBeenCalledWith(null);
    fireEvent.click(within(row).getByRole("button"));
    expect(row).toHaveTextContent('cloud.type"t3.micro"→"t3.large"');

    fireEvent.change(screen.getByTestId("vc-message"), { target: { value: "Bigger web nodes" } });
    fireEvent.click(screen.getByTestId("vc-checkpoint"));
    await waitFor(() => expect(backendMock.vcCheckpoint).toHaveBeenCalledWith("Bigger web nodes"));
    expect(await screen.findByTestId("vc-result")).toHaveTextContent("Committed fedcba9: Bigger web nodes");
    expect(screen.getByTestId("vc-message")).toHaveValue("");

    backendMock.vcCheckpoint.mockResolvedValue(null);
    fireEvent.click(screen.getByTestId("vc-checkpoint"));
    await waitFor(() => expect(backendMock.vcCheckpoint).toHaveBeenLastCalledWith(null));
    await waitFor(() => expect(screen.getByTestId("vc-result")).toHaveTextContent("Nothing to commit"));
  });

  it("switches the mode and saves the remote", async () => {
    backendMock.vcStatus.mockResolvedValue({ ...on, remote: null });
    renderWithProviders(<VcPanel />);
    const mode = await screen.findByTestId("vc-mode");
    expect(mode).toHaveValue("checkpoint");
    expect(screen.getByTestId("vc-pull")).toBeDisabled();
    fireEvent.change(mode, { target: { value: "eachChange" } });
    await waitFor(() => expect(backendMock.vcSetMode).toHaveBeenCalledWith("eachChange"));
    fireEvent.change(screen.getByTestId("vc-remote"), { target: { value: " git@example.com:team/fleet.git " } });
    fireEvent.click(screen.getByTestId("vc-remote-save"));
    await waitFor(() => expect(backendMock.vcSetRemote).toHaveBeenCalledWith("git@example.com:team/fleet.git"));
  });

  it("pulls into conflicts, shows mine and theirs side by side, and settles each node", async () => {
    backendMock.vcStatus.mockResolvedValue(on);
    backendMock.vcPull.mockImplementation(async () => {
      backendMock.vcStatus.mockResolvedValue({ ...on, conflicts: 1 });
      backendMock.vcConflicts.mockResolvedValue([conflict]);
      return { kind: "conflicts", changedItems: ["drumbo3"], conflicts: [conflict] };
    });
    backendMock.vcResolve.mockImplementation(async () => {
      backendMock.vcStatus.mockResolvedValue(on);
      backendMock.vcConflicts.mockResolvedValue([]);
      return on;
    });
    renderWithProviders(<VcPanel />);
    const pull = await screen.findByTestId("vc-pull");
    expect(pull).toHaveTextContent("Pull (1 behind)");
    expect(screen.getByTestId("vc-push")).toHaveTextContent("Push (2 ahead)");
    fireEvent.click(pull);
    const view = await screen.findByTestId("vc-conflict-drumbo2");
    expect(screen.getByTestId("vc-result")).toHaveTextContent("1 conflicted node");
    expect(view).toHaveTextContent("Mine");
    expect(view).toHaveTextContent("Theirs");
    expect(view).toHaveTextContent('cloud.type"t3.micro""m5.large"');
    expect(screen.getByTestId("vc-panel")).toHaveTextContent("the other side stays in the git history");
    await waitFor(() => expect(backendMock.vcConflicts).toHaveBeenCalled());

    fireEvent.click(screen.getByTestId("vc-take-theirs-drumbo2"));
    await waitFor(() => expect(backendMock.vcResolve).toHaveBeenCalledWith("drumbo2", "theirs"));
    await waitFor(() => expect(screen.queryByTestId("vc-conflict-drumbo2")).toBeNull());
  });

  it("asks for the core's conflicts when the status counts some, and keeps mine", async () => {
    backendMock.vcStatus.mockResolvedValue({ ...on, conflicts: 1 });
    backendMock.vcConflicts.mockResolvedValue([conflict]);
    backendMock.vcResolve.mockResolvedValue(on);
    renderWithProviders(<VcPanel />);
    fireEvent.click(await screen.findByTestId("vc-keep-mine-drumbo2"));
    await waitFor(() => expect(backendMock.vcResolve).toHaveBeenCalledWith("drumbo2", "mine"));
  });

  it("shows push errors in place", async () => {
    backendMock.vcStatus.mockResolvedValue(on);
    backendMock.vcPush.mockRejectedValue({ code: "vc.rejected", message: "the remote has commits you do not have" });
    renderWithProviders(<VcPanel />);
    fireEvent.click(await screen.findByTestId("vc-push"));
    const error = await screen.findByTestId("vc-error");
    expect(error).toHaveTextContent("The remote has commits you do not have");
    expect(error).toHaveTextContent("pull first, then push");
  });

  it("the inspector shows a node's changes since the last commit", async () => {
    backendMock.vcStatus.mockResolvedValue(on);
    backendMock.vcDiff.mockResolvedValue(diff);
    backendMock.getItem.mockResolvedValue(undefined);
    useUi.setState({ current: "drumbo1", selected: ["drumbo1"] });
    renderWithProviders(<Inspector model={buildModel(demoTree)} />);
    const section = await screen.findByTestId("inspector-vc-changes");
    expect(section).toHaveTextContent("Changes since last commit");
    expect(section).toHaveTextContent('"t3.micro"→"t3.large"');
    expect(backendMock.vcDiff).toHaveBeenCalledWith("drumbo1");
  });

  it("the inspector shows nothing for an unchanged node or without git", async () => {
    backendMock.vcStatus.mockResolvedValue(on);
    backendMock.vcDiff.mockResolvedValue(diff);
    useUi.setState({ current: "drumbo2", selected: ["drumbo2"] });
    const { unmount } = renderWithProviders(<Inspector model={buildModel(demoTree)} />);
    await waitFor(() => expect(backendMock.vcDiff).toHaveBeenCalledWith(null));
    expect(screen.queryByTestId("inspector-vc-changes")).toBeNull();
    expect(backendMock.vcDiff).not.toHaveBeenCalledWith("drumbo2");
    unmount();
    backendMock.vcStatus.mockResolvedValue(vcOff);
    backendMock.vcDiff.mockClear();
    renderWithProviders(<Inspector model={buildModel(demoTree)} />);
    await waitFor(() => expect(backendMock.vcStatus).toHaveBeenCalled());
    expect(backendMock.vcDiff).not.toHaveBeenCalled();
  });
});
