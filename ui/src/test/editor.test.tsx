import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ItemEditor } from "../components/editor/ItemEditor";
import { BackendError } from "../lib/backend";
import { cloudFromProps, rowsFromProps, savePayload, type Props } from "../lib/props";
import type { CloudReference } from "../bindings/CloudReference";
import { backendMock, fakeCheckEdit, resetBackend } from "./backendMock";
import { detail } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const reference: CloudReference = { regions: [{ code: "us-east-1", name: "US East (N. Virginia)" }, { code: "eu-west-1", name: "Europe (Ireland)" }], instanceTypes: ["t3.micro"], providers: ["aws-ec2"], defaultInstanceType: "t3.micro", keyFileTemplate: "/home/me/.ssh/{name}.pem" };

const drumbo1 = detail("drumbo1", {
  host: "",
  port: 80,
  cloud: { provider: "aws-ec2", region: "us-east-1", image: "ami-daf615b3", "key-pair": "my-keypair" },
  user: "root",
  private: { ip: null, dns: "" },
}, { keyPair: { name: "my-keypair", path: "/home/me/.ssh/my-keypair.pem", exists: false }, inherited: [{ key: "env", value: "prod", from: "webshop" }] });

describe("property model", () => {
  it("splits cloud fields from the other properties and builds the save payload", () => {
    const props = drumbo1.props as Props;
    const rows = rowsFromProps(props);
    expect(rows.map((r) => [r.key, r.type])).toEqual([
      ["host", "string"],
      ["port", "number"],
      ["private", "json"],
    ]);
    const cloud = cloudFromProps(props);
    expect(cloud).toMatchObject({ provider: "aws-ec2", region: "us-east-1", image: "ami-daf615b3", keyPair: "my-keypair", user: "root" });
    expect(savePayload(props, rows, cloud)).toEqual({ set: [], unset: [] });

    const edited = rows.filter((r) => r.key !== "host").map((r) => (r.key === "port" ? { ...r, text: "8080" } : r));
    edited.push({ id: "x", key: "app.debug", type: "boolean", text: "true" });
    const payload = savePayload(props, edited, { ...cloud, securityGroups: "default, web", region: "" });
    expect(payload.set).toEqual([
      { key: "port", value: 8080 },
      { key: "app.debug", value: true },
      { key: "cloud.security_groups", value: ["default", "web"] },
    ]);
    expect(payload.unset).toEqual(["host", "cloud.region"]);
  });
});

describe("editor", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("shows the cloud fields, the key-pair file and inherited and computed values", () => {
    renderWithProviders(<ItemEditor detail={drumbo1} reference={reference} />);
    expect(screen.getByTestId("cloud-region")).toHaveValue("us-east-1");
    expect(screen.getByRole("option", { name: "US East (N. Virginia) — us-east-1" })).toBeInTheDocument();
    expect(screen.getByTestId("key-pair-status")).toHaveAttribute("data-status", "missing");
    expect(screen.getByTestId("key-pair-status")).toHaveTextContent("No private key at /home/me/.ssh/my-keypair.pem");
    expect(screen.getByTestId("inherited-env")).toHaveTextContent("from webshop");
    expect(screen.getByTestId("computed-depth")).toHaveTextContent("1");
    expect(screen.getByTestId("launch-readiness")).toHaveTextContent("Ready to launch");
    expect(screen.getByTestId("editor-save")).toHaveTextContent("Saved");
    expect(screen.getByTestId("editor-save")).toBeDisabled();
  });

  it("asks the core as you type, shows each problem under its field and the Save button says what to fix", async () => {
    backendMock.checkEdit.mockImplementation(fakeCheckEdit);
    renderWithProviders(<ItemEditor detail={drumbo1} reference={reference} />);
    const image = screen.getByTestId("cloud-image");
    await userEvent.clear(image);
    await userEvent.type(image, "ami-12zz");
    expect(await screen.findByTestId("cloud-image-error")).toHaveTextContent("cloud.image 'ami-12zz' is not an AMI id (ami-…)");
    expect(backendMock.checkEdit).toHaveBeenLastCalledWith("drumbo1", [{ key: "cloud.image", value: "ami-12zz" }], []);
    expect(screen.getByTestId("editor-save")).toHaveTextContent("Fix 1 field to save");
    expect(screen.getByTestId("editor-save")).toBeDisabled();
    expect(screen.getByTestId("editor-status")).toHaveTextContent("Image (AMI):");

    // A new row without a name: the core's problem lands on that row, found by its key.
    await userEvent.click(screen.getByTestId("prop-add"));
    await waitFor(() => expect(screen.getByTestId("editor-save")).toHaveTextContent("Fix 2 fields to save"));
    expect(screen.getByTestId("prop-key-error-3")).toHaveTextContent("invalid property '': the property name is empty");
    expect(screen.getByTestId("prop-key-3")).toHaveAttribute("aria-invalid", "true");

    // Fixed: the problem goes and Save is offered again.
    await userEvent.click(screen.getByTestId("prop-remove-3"));
    await userEvent.clear(image);
    await userEvent.type(image, "ami-12c6146b");
    await waitFor(() => expect(screen.queryByTestId("cloud-image-error")).toBeNull());
    expect(screen.getByTestId("editor-save")).toHaveTextContent("Save 1 change");
    expect(screen.getByTestId("editor-save")).toBeEnabled();
    expect(backendMock.editProperties).not.toHaveBeenCalled();
  });

  it("saves typed values with dotted keys and removals in one call", async () => {
    backendMock.editProperties.mockResolvedValue(4);
    renderWithProviders(<ItemEditor detail={drumbo1} reference={reference} />);
    const image = screen.getByTestId("cloud-image");
    await userEvent.clear(image);
    await userEvent.type(image, "ami-12c6146b");
    fireEvent.change(screen.getByTestId("cloud-region"), { target: { value: "eu-west-1" } });
    await userEvent.click(screen.getByTestId("prop-add"));
    await userEvent.type(screen.getByTestId("prop-key-3"), "app.workers");
    fireEvent.change(screen.getByTestId("prop-type-3"), { target: { value: "number" } });
    await userEvent.clear(screen.getByTestId("prop-value-3"));
    await userEvent.type(screen.getByTestId("prop-value-3"), "4");
    await userEvent.click(screen.getByTestId("prop-remove-0"));
    expect(screen.getByTestId("editor-save")).toHaveTextContent("Save 4 changes");
    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() => expect(backendMock.editProperties).toHaveBeenCalledTimes(1));
    expect(backendMock.editProperties).toHaveBeenCalledWith(
      "drumbo1",
      [
        { key: "app.workers", value: 4 },
        { key: "cloud.region", value: "eu-west-1" },
        { key: "cloud.image", value: "ami-12c6146b" },
      ],
      ["host"],
    );
  });

  it("shows a backend refusal in words, marks the refused row from the core's check and keeps every typed value", async () => {
    // The check passed, then the file changed: the save is refused, and the check now says which key.
    let refused = false;
    const problem = { key: "port.sub", code: "input.invalid_property" as const, message: "invalid property 'port.sub': 'port.sub' does not exist" };
    backendMock.checkEdit.mockImplementation(async () => (refused ? [problem] : []));
    backendMock.editProperties.mockImplementation(async () => {
      refused = true;
      throw new BackendError({ code: problem.code, message: problem.message });
    });
    renderWithProviders(<ItemEditor detail={drumbo1} reference={reference} />);
    await userEvent.click(screen.getByTestId("prop-add"));
    await userEvent.type(screen.getByTestId("prop-key-3"), "port.sub");
    await userEvent.type(screen.getByTestId("prop-value-3"), "x");
    await userEvent.click(screen.getByTestId("editor-save"));
    expect(await screen.findByTestId("editor-error")).toHaveTextContent("Invalid property 'port.sub': 'port.sub' does not exist");
    expect(screen.getByTestId("editor-error")).toHaveTextContent("Check the property's name and value.");
    expect(screen.getByTestId("prop-key-3")).toHaveValue("port.sub");
    await waitFor(() => expect(screen.getByTestId("prop-key-3")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByTestId("prop-key-error-3")).toHaveTextContent("'port.sub' does not exist");
    expect(backendMock.editProperties).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("prop-value-3")).toHaveValue("x");
  });

  it("edits nested values as JSON and says when it is not valid", async () => {
    renderWithProviders(<ItemEditor detail={drumbo1} reference={reference} />);
    const privateValue = screen.getByTestId("prop-value-2");
    fireEvent.change(privateValue, { target: { value: '{"ip": "10.0.0.1",' } });
    expect(screen.getByTestId("prop-value-error-2")).toHaveTextContent("Not valid JSON");
    fireEvent.change(privateValue, { target: { value: '{"ip": "10.0.0.1", "dns": ""}' } });
    expect(screen.queryByTestId("prop-value-error-2")).toBeNull();
    expect(screen.getByTestId("editor-save")).toHaveTextContent("Save 1 change");
  });
});
