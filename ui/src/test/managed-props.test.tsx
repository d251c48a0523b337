// cloud.instance and parent are managed by the app: read-only in the editor, with what manages
// them and the action that changes them; the core refuses a save that names them.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ItemEditor } from "../components/editor/ItemEditor";
import type { NodeLive } from "../bindings/NodeLive";
import { cloudFromProps, managedFromProps, rowsFromProps, savePayload, type Props } from "../lib/props";
import type { CloudReference } from "../bindings/CloudReference";
import { useUi } from "../lib/store";
import { backendMock, fakeCheckEdit, resetBackend } from "./backendMock";
import { detail } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const reference: CloudReference = { regions: [{ code: "us-east-1", name: "US East (N. Virginia)" }], instanceTypes: ["t3.micro"], providers: ["aws-ec2"], defaultInstanceType: "t3.micro", keyFileTemplate: "/home/me/.ssh/{name}.pem" };

const props: Props = {
  host: "",
  parent: "drumbo1",
  port: 80,
  cloud: { provider: "aws-ec2", region: "us-east-1", image: "ami-daf615b3", "key-pair": "my-keypair", instance: "i-0abc1234" },
  user: "root",
};
const drumbo2 = detail("drumbo2", props, { cloneOf: "drumbo1" });

function live(state: NodeLive["state"]): NodeLive {
  return {
    node: "drumbo2",
    region: "us-east-1",
    instanceId: "i-0abc1234",
    state,
    since: null,
    checkedAt: null,
    timeline: [],
    addresses: { host: null, privateIp: null, privateDns: null },
    missing: false,
    lastError: null,
    problems: [],
    operationId: null,
  };
}

describe("managed properties: the model", () => {
  it("keeps cloud.instance and parent out of the generic rows and out of the removals", () => {
    const rows = rowsFromProps(props);
    expect(rows.map((r) => r.key)).toEqual(["host", "port"]);
    expect(managedFromProps(props)).toEqual([
      { key: "cloud.instance", value: "i-0abc1234" },
      { key: "parent", value: "drumbo1" },
    ]);
    const cloud = cloudFromProps(props);
    // Removing every generic row unsets those, not the managed keys.
    expect(savePayload(props, [], cloud)).toEqual({ set: [], unset: ["host", "port"] });
    // A row that names a managed key (typed by hand) goes to the core's check, which refuses it.
    const forged = [...rows, { id: "x", key: "cloud.instance", type: "string" as const, text: "i-other" }, { id: "y", key: "parent", type: "string" as const, text: "" }];
    expect(savePayload(props, forged, cloud)).toEqual({
      set: [
        { key: "cloud.instance", value: "i-other" },
        { key: "parent", value: "" },
      ],
      unset: [],
    });
  });
});

describe("managed properties: the editor", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("shows them read-only, with what manages them, and not as editable rows", () => {
    renderWithProviders(<ItemEditor detail={drumbo2} reference={reference} />);
    const managed = screen.getByTestId("props-managed");
    const instance = within(managed).getByTestId("prop-managed-cloud.instance");
    expect(within(instance).getByTestId("prop-managed-cloud.instance-value")).toHaveTextContent("i-0abc1234");
    expect(instance).toHaveTextContent("Set by Launch; cleared by re-launch.");
    const parent = within(managed).getByTestId("prop-managed-parent");
    expect(within(parent).getByTestId("prop-managed-parent-value")).toHaveTextContent("drumbo1");
    expect(parent).toHaveTextContent("Set by Clone.");
    // Nothing to type into and nothing to remove.
    expect(within(managed).queryAllByRole("textbox")).toHaveLength(0);
    expect(screen.queryByDisplayValue("i-0abc1234")).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue("drumbo1")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove parent" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove cloud.instance" })).not.toBeInTheDocument();
    // The generic rows are the other properties only.
    expect(screen.getByTestId("prop-row-0")).toHaveAttribute("data-key", "host");
    expect(screen.getByTestId("prop-row-1")).toHaveAttribute("data-key", "port");
    expect(screen.queryByTestId("prop-row-2")).not.toBeInTheDocument();
    expect(screen.getByTestId("editor-save")).toHaveTextContent("Saved");
  });

  it("offers their own actions: re-launch and terminate the instance, open the parent", async () => {
    renderWithProviders(<ItemEditor detail={drumbo2} reference={reference} />);
    await userEvent.click(screen.getByTestId("prop-managed-relaunch"));
    expect(useUi.getState().dialog).toEqual({ kind: "launch", scope: { kind: "node", name: "drumbo2" }, reinit: true });
    useUi.getState().closeDialog();
    await userEvent.click(screen.getByTestId("prop-managed-terminate"));
    expect(useUi.getState().dialog).toEqual({ kind: "cloud-confirm", scope: { kind: "node", name: "drumbo2" }, action: "terminate" });
    useUi.getState().closeDialog();
    await userEvent.click(screen.getByTestId("prop-managed-open-parent"));
    expect(useUi.getState()).toMatchObject({ current: "drumbo1", selected: ["drumbo1"], tab: "node" });
  });

  it("does not offer to terminate an instance that is terminated already", async () => {
    backendMock.fleetNodes.mockResolvedValue([live("terminated")]);
    renderWithProviders(<ItemEditor detail={drumbo2} reference={reference} />);
    await waitFor(() => expect(screen.queryByTestId("prop-managed-terminate")).not.toBeInTheDocument());
    expect(screen.getByTestId("prop-managed-relaunch")).toBeInTheDocument();
  });

  it("saves the other edits without touching them, and the core refuses a row that names one", async () => {
    backendMock.checkEdit.mockImplementation(fakeCheckEdit);
    backendMock.editProperties.mockResolvedValue(2);
    renderWithProviders(<ItemEditor detail={drumbo2} reference={reference} />);
    await userEvent.click(screen.getByTestId("prop-add"));
    await userEvent.type(screen.getByTestId("prop-key-2"), "parent");
    await userEvent.type(screen.getByTestId("prop-value-2"), "drumbo9");
    expect(await screen.findByTestId("prop-key-error-2")).toHaveTextContent("parent is set by Clone; it cannot be edited here.");
    expect(screen.getByTestId("editor-save")).toBeDisabled();
    await userEvent.click(screen.getByTestId("prop-remove-2"));

    await userEvent.click(screen.getByTestId("prop-remove-0"));
    await userEvent.clear(screen.getByTestId("prop-value-0"));
    await userEvent.type(screen.getByTestId("prop-value-0"), "8080");
    await waitFor(() => expect(screen.getByTestId("editor-save")).toHaveTextContent("Save 2 changes"));
    await waitFor(() => expect(screen.getByTestId("editor-save")).toBeEnabled());
    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() => expect(backendMock.editProperties).toHaveBeenCalledTimes(1));
    expect(backendMock.editProperties).toHaveBeenCalledWith("drumbo2", [{ key: "port", value: 8080 }], ["host"]);
  });
});
