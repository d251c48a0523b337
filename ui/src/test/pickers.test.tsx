// The editor's Cloud section fed from the account: pickers list the region's things and write
// the same properties as before; values the account does not have are kept; key pairs and SSH
// access are made from the editor.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ItemEditor } from "../components/editor/ItemEditor";
import { BackendError } from "../lib/backend";
import { useUi } from "../lib/store";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { SecurityGroupInfo } from "../bindings/SecurityGroupInfo";
import { backendMock, resetBackend } from "./backendMock";
import { detail, keyPair } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const reference = { regions: [], instanceTypes: [], providers: ["aws-ec2"], defaultInstanceType: "t3.micro", keyFileTemplate: "/home/me/.ssh/{name}.pem" };

function node(props: ItemDetail["props"], extra: Partial<ItemDetail> = {}) {
  return detail("web1", props, extra);
}

const inUsEast = (cloud: Record<string, string> = {}, more: ItemDetail["props"] = {}) => node({ cloud: { provider: "aws-ec2", region: "us-east-1", ...cloud }, ...more });

/** Opens a combobox's list and returns the options' test ids in order. */
async function openList(testId: string) {
  await userEvent.click(screen.getByTestId(testId));
  const list = await screen.findByTestId(`${testId}-list`);
  return { list, ids: within(list).queryAllByRole("option").map((o) => o.getAttribute("data-testid")) };
}

describe("cloud pickers", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("lists quick-start images first, searches them, and picking one writes cloud.image and fills the empty user", async () => {
    backendMock.editProperties.mockResolvedValue(3);
    renderWithProviders(<ItemEditor detail={inUsEast()} reference={reference} />);
    await waitFor(() => expect(backendMock.accountImages).toHaveBeenCalledWith("us-east-1", false));

    const { list, ids } = await openList("cloud-image");
    expect(ids).toEqual(["image-option-ami-0aa11bb22cc33dd44", "image-option-ami-0bb22cc33dd44ee55", "image-option-ami-12c6146b"]);
    expect(list).toHaveTextContent("Quick start");
    expect(list).toHaveTextContent("Your images");
    expect(within(list).getByTestId("image-option-ami-0aa11bb22cc33dd44")).toHaveTextContent("Amazon Linux 2023x86_64");
    expect(within(list).getByTestId("image-option-ami-0aa11bb22cc33dd44")).toHaveTextContent("2024-07-01");

    // Typing filters by name (or id).
    await userEvent.type(screen.getByTestId("cloud-image"), "ubuntu");
    expect(within(screen.getByTestId("cloud-image-list")).getAllByRole("option").map((o) => o.getAttribute("data-testid"))).toEqual(["image-option-ami-0bb22cc33dd44ee55"]);
    await userEvent.click(screen.getByTestId("image-option-ami-0bb22cc33dd44ee55"));
    expect(screen.getByTestId("cloud-image")).toHaveValue("ami-0bb22cc33dd44ee55");
    expect(screen.getByTestId("cloud-user")).toHaveValue("ubuntu");
    expect(screen.getByTestId("cloud-image-info")).toHaveTextContent("Ubuntu 24.04 LTS · arm64 · logs in as ubuntu");

    // The instance types follow the image's architecture.
    await waitFor(() => expect(backendMock.accountInstanceTypes).toHaveBeenCalledWith("us-east-1", "arm64", false));
    await waitFor(async () => expect((await openList("cloud-type")).ids).toEqual(["type-option-t4g.micro"]));
    expect(screen.getByTestId("type-option-t4g.micro")).toHaveTextContent("t4g.micro — 2 vCPU, 1 GiB");
    await userEvent.click(screen.getByTestId("type-option-t4g.micro"));
    expect(screen.getByTestId("cloud-type")).toHaveValue("t4g.micro");

    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() =>
      expect(backendMock.editProperties).toHaveBeenCalledWith("web1", [
        { key: "cloud.image", value: "ami-0bb22cc33dd44ee55" },
        { key: "cloud.type", value: "t4g.micro" },
        { key: "user", value: "ubuntu" },
      ], []),
    );
  });

  it("keeps one status line while the lists load and after, so the fields below never move", async () => {
    let arrive: () => void = () => undefined;
    const images = backendMock.accountImages.getMockImplementation();
    backendMock.accountImages.mockImplementation((...args: Parameters<typeof backendMock.accountImages>) => new Promise((resolve) => (arrive = () => resolve(images!(...args)))));
    renderWithProviders(<ItemEditor detail={inUsEast()} reference={reference} />);
    const loading = await screen.findByTestId("cloud-lists-loading");
    expect(loading).toHaveTextContent("Reading the account's lists for us-east-1");
    expect(loading.className).toContain("h-[18px]");
    arrive();
    const ready = await screen.findByTestId("cloud-lists-ready");
    expect(ready).toHaveTextContent("read from the account (us-east-1)");
    expect(ready.className).toContain("h-[18px]");
    expect(screen.queryByTestId("cloud-lists-loading")).toBeNull();
  });

  it("does not touch a login user that is set or inherited", async () => {
    const withUser = inUsEast({}, { user: "root" });
    const { unmount } = renderWithProviders(<ItemEditor detail={withUser} reference={reference} />);
    await openList("cloud-image");
    await userEvent.click(await screen.findByTestId("image-option-ami-0aa11bb22cc33dd44"));
    expect(screen.getByTestId("cloud-user")).toHaveValue("root");
    unmount();

    renderWithProviders(<ItemEditor detail={node({ cloud: { provider: "aws-ec2", region: "us-east-1" } }, { inherited: [{ key: "user", value: "admin", from: "webshop" }] })} reference={reference} />);
    await openList("cloud-image");
    await userEvent.click(await screen.findByTestId("image-option-ami-0aa11bb22cc33dd44"));
    expect(screen.getByTestId("cloud-image")).toHaveValue("ami-0aa11bb22cc33dd44");
    expect(screen.getByTestId("cloud-user")).toHaveValue("");
  });

  it("keeps values the account does not have, with a warning, and saves nothing it did not change", async () => {
    backendMock.editProperties.mockResolvedValue(1);
    const other = node({
      cloud: { provider: "aws-ec2", region: "ap-south-2", image: "ami-daf615b3", "key-pair": "old-key", type: "m1.small", security_groups: ["default", "sg-gone"], subnet: "subnet-0ff" },
      user: "root",
    });
    renderWithProviders(<ItemEditor detail={other} reference={reference} />);
    expect(await screen.findByTestId("cloud-region-not-found")).toHaveTextContent("ap-south-2 is not found in this account/region");
    expect(screen.getByTestId("cloud-region")).toHaveValue("ap-south-2");
    expect(screen.getByRole("option", { name: "ap-south-2 (not found in this account)" })).toBeInTheDocument();
    expect(await screen.findByTestId("cloud-image-not-found")).toHaveTextContent("ami-daf615b3 is not found in this account/region (ap-south-2). It is kept as it is.");
    expect(await screen.findByTestId("cloud-key-pair-not-found")).toHaveTextContent("old-key");
    expect(await screen.findByTestId("cloud-type-not-found")).toHaveTextContent("m1.small");
    expect(await screen.findByTestId("cloud-subnet-not-found")).toHaveTextContent("subnet-0ff");
    const sg = await screen.findByTestId("cloud-security-groups-not-found");
    expect(sg).toHaveTextContent("sg-gone");
    expect(sg).not.toHaveTextContent("default,");
    expect(screen.getByTestId("cloud-sg-chosen-default")).toHaveTextContent("all traffic from sg-0def");
    // Nothing is rejected: the editor has nothing to save and nothing to fix.
    expect(screen.getByTestId("cloud-image")).toHaveValue("ami-daf615b3");
    expect(screen.getByTestId("editor-save")).toHaveTextContent("Saved");

    await userEvent.clear(screen.getByTestId("cloud-user"));
    await userEvent.type(screen.getByTestId("cloud-user"), "admin");
    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() => expect(backendMock.editProperties).toHaveBeenCalledWith("web1", [{ key: "user", value: "admin" }], []));
  });

  it("suggests aws-ec2 and the account's region for a node without them, saved only on Save", async () => {
    backendMock.editProperties.mockResolvedValue(2);
    renderWithProviders(<ItemEditor detail={node({ host: "" })} reference={reference} />);
    await waitFor(() => expect(screen.getByTestId("cloud-region")).toHaveValue("eu-west-1"));
    expect(screen.getByTestId("cloud-provider")).toHaveValue("aws-ec2");
    expect(screen.getByRole("option", { name: "Europe (Ireland) — eu-west-1" })).toBeInTheDocument();
    expect(screen.getByTestId("region-option-us-east-1")).toHaveTextContent("US East (N. Virginia) — us-east-1");
    expect(screen.getByTestId("cloud-prefilled")).toHaveTextContent("Suggested: provider aws-ec2, region eu-west-1");
    expect(backendMock.editProperties).not.toHaveBeenCalled();
    // The lists follow the suggested region.
    await waitFor(() => expect(backendMock.accountKeyPairs).toHaveBeenCalledWith("eu-west-1", false));
    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() =>
      expect(backendMock.editProperties).toHaveBeenCalledWith("web1", [
        { key: "cloud.provider", value: "aws-ec2" },
        { key: "cloud.region", value: "eu-west-1" },
      ], []),
    );
  });

  it("does not suggest a region when a system above sets one", async () => {
    renderWithProviders(<ItemEditor detail={node({}, { inherited: [{ key: "cloud.region", value: "us-east-1", from: "webshop" }] })} reference={reference} />);
    await waitFor(() => expect(backendMock.accountImages).toHaveBeenCalledWith("us-east-1", false));
    expect(screen.getByTestId("cloud-region")).toHaveValue("");
    expect(screen.getByTestId("cloud-prefilled")).toHaveTextContent("Suggested: provider aws-ec2.");
  });

  it("while the lists fail (no credentials) every field is free text, with one note and the way to Settings", async () => {
    const missing = new BackendError({ code: "credentials.missing", message: "no AWS credentials were found" });
    backendMock.accountRegions.mockRejectedValue(missing);
    backendMock.accountImages.mockRejectedValue(missing);
    backendMock.accountKeyPairs.mockRejectedValue(missing);
    backendMock.accountInstanceTypes.mockRejectedValue(missing);
    backendMock.accountSecurityGroups.mockRejectedValue(missing);
    backendMock.accountSubnets.mockRejectedValue(missing);
    backendMock.editProperties.mockResolvedValue(1);
    renderWithProviders(<ItemEditor detail={inUsEast({}, { user: "root" })} reference={reference} />);
    const note = await screen.findByTestId("cloud-lists-note");
    await waitFor(() => expect(backendMock.accountSubnets).toHaveBeenCalled());
    expect(screen.getAllByTestId("cloud-lists-note")).toHaveLength(1);
    expect(note).toHaveAttribute("data-code", "credentials.missing");
    expect(note).toHaveTextContent("No AWS credentials were found");

    // The region is a text field now, the image too; typing writes the property as before.
    expect(screen.getByTestId("cloud-region").tagName).toBe("INPUT");
    await userEvent.type(screen.getByTestId("cloud-image"), "ami-12c6146b");
    expect(screen.getByTestId("cloud-image")).toHaveValue("ami-12c6146b");
    expect(screen.queryByTestId("cloud-image-list")).toBeNull();
    await userEvent.type(screen.getByTestId("cloud-key-pair"), "my-keypair");
    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() =>
      expect(backendMock.editProperties).toHaveBeenCalledWith("web1", [
        { key: "cloud.image", value: "ami-12c6146b" },
        { key: "cloud.key-pair", value: "my-keypair" },
      ], []),
    );

    await userEvent.click(screen.getByTestId("cloud-lists-open-settings"));
    expect(useUi.getState().dialog).toEqual({ kind: "settings", focus: "credentials" });
  });

  it("a refresh button asks the account again", async () => {
    renderWithProviders(<ItemEditor detail={inUsEast()} reference={reference} />);
    await waitFor(() => expect(backendMock.accountSubnets).toHaveBeenCalledWith("us-east-1", false));
    backendMock.accountSubnets.mockResolvedValue([
      { id: "subnet-0c3", vpcId: "vpc-2", zone: "us-east-1c", name: "fresh", cidr: "10.0.0.0/24", publicIpOnLaunch: true, defaultForZone: false, availableIps: 250 },
    ]);
    await userEvent.click(screen.getByTestId("cloud-subnet-refresh"));
    await waitFor(() => expect(backendMock.accountSubnets).toHaveBeenCalledWith("us-east-1", true));
    await waitFor(async () => expect((await openList("cloud-subnet")).ids).toEqual(["subnet-option-subnet-0c3"]));
  });

  it("subnets show their Name tag, id, zone, VPC and public IP; picking writes the id", async () => {
    backendMock.editProperties.mockResolvedValue(1);
    renderWithProviders(<ItemEditor detail={inUsEast()} reference={reference} />);
    await waitFor(() => expect(backendMock.accountSubnets).toHaveBeenCalled());
    const { ids } = await openList("cloud-subnet");
    expect(ids).toEqual(["subnet-option-subnet-0a1", "subnet-option-subnet-0b2"]);
    const a = screen.getByTestId("subnet-option-subnet-0a1");
    expect(a).toHaveTextContent("public-a");
    expect(a).toHaveTextContent("public IP");
    expect(a).toHaveTextContent("subnet-0a1 · us-east-1a · vpc-1");
    expect(screen.getByTestId("subnet-option-subnet-0b2")).not.toHaveTextContent("public IP");
    await userEvent.click(a);
    expect(screen.getByTestId("cloud-subnet")).toHaveValue("subnet-0a1");
    expect(screen.getByTestId("cloud-subnet-info")).toHaveTextContent("public-a · us-east-1a · vpc-1 · public IP");
    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() => expect(backendMock.editProperties).toHaveBeenCalledWith("web1", [{ key: "cloud.subnet", value: "subnet-0a1" }], []));
  });

  it("key pairs show whether the private key is here; picking writes cloud.key_pair when the node uses that key", async () => {
    backendMock.editProperties.mockResolvedValue(1);
    renderWithProviders(<ItemEditor detail={node({ cloud: { provider: "aws-ec2", region: "us-east-1", key_pair: "my-keypair" } })} reference={reference} />);
    await waitFor(() => expect(backendMock.accountKeyPairs).toHaveBeenCalled());
    await openList("cloud-key-pair");
    expect(screen.getByTestId("keypair-option-my-keypair")).toHaveTextContent("no private key at /home/me/.ssh/my-keypair.pem");
    expect(screen.getByTestId("keypair-option-ops")).toHaveTextContent("private key found: /home/me/.ssh/ops.pem");
    expect(screen.getByTestId("keypair-option-my-keypair")).toHaveAttribute("aria-selected", "true");
    await userEvent.click(screen.getByTestId("keypair-option-ops"));
    expect(screen.getByTestId("key-pair-status")).toHaveAttribute("data-status", "found");
    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() => expect(backendMock.editProperties).toHaveBeenCalledWith("web1", [{ key: "cloud.key_pair", value: "ops" }], []));
  });

  it("creates a key pair: explains a refusal, then selects the new one and says where its private key is", async () => {
    renderWithProviders(<ItemEditor detail={inUsEast()} reference={reference} />);
    await waitFor(() => expect(backendMock.accountKeyPairs).toHaveBeenCalled());
    backendMock.createKeyPair.mockRejectedValueOnce(new BackendError({ code: "keypair.file_exists", message: "/home/me/.ssh/web.pem exists already" }));
    await userEvent.click(screen.getByTestId("cloud-key-pair-create"));
    const dialog = await screen.findByTestId("keypair-create-dialog");
    expect(within(dialog).getByTestId("keypair-create-confirm")).toBeDisabled();
    await userEvent.type(within(dialog).getByTestId("keypair-name"), "web");
    expect(await within(dialog).findByText("The private key goes to /home/me/.ssh/web.pem")).toBeInTheDocument();
    await userEvent.click(within(dialog).getByTestId("keypair-create-confirm"));
    const error = await within(dialog).findByTestId("keypair-create-error");
    expect(error).toHaveTextContent("/home/me/.ssh/web.pem exists already");
    expect(error).toHaveTextContent("never overwritten");
    expect(screen.getByTestId("cloud-key-pair")).toHaveValue("");

    backendMock.createKeyPair.mockResolvedValueOnce(keyPair("web2", true));
    await userEvent.clear(within(dialog).getByTestId("keypair-name"));
    await userEvent.type(within(dialog).getByTestId("keypair-name"), "web2");
    await userEvent.click(within(dialog).getByTestId("keypair-create-confirm"));
    expect(await within(dialog).findByTestId("keypair-created")).toHaveTextContent("Created the key pair web2 in us-east-1");
    expect(within(dialog).getByTestId("keypair-made-path")).toHaveTextContent("/home/me/.ssh/web2.pem");
    expect(backendMock.createKeyPair).toHaveBeenLastCalledWith("us-east-1", "web2");
    await userEvent.click(within(dialog).getByTestId("keypair-done"));
    await waitFor(() => expect(screen.queryByTestId("keypair-create-dialog")).toBeNull());
    expect(screen.getByTestId("cloud-key-pair")).toHaveValue("web2");
    expect(screen.getByTestId("key-pair-status")).toHaveAttribute("data-status", "found");
    expect(screen.getByTestId("key-pair-status")).toHaveTextContent("/home/me/.ssh/web2.pem");
  });

  it("imports one of the ~/.ssh public keys as a key pair", async () => {
    backendMock.localPublicKeys.mockResolvedValue([{ name: "id_ed25519.pub", path: "/home/me/.ssh/id_ed25519.pub" }]);
    backendMock.importKeyPair.mockResolvedValue(keyPair("id_ed25519", false));
    renderWithProviders(<ItemEditor detail={inUsEast()} reference={reference} />);
    await userEvent.click(screen.getByTestId("cloud-key-pair-import"));
    const dialog = await screen.findByTestId("keypair-import-dialog");
    await waitFor(() => expect(within(dialog).getByTestId("keypair-import-name")).toHaveValue("id_ed25519"));
    expect(within(dialog).getByTestId("keypair-import-file")).toHaveValue("/home/me/.ssh/id_ed25519.pub");
    await userEvent.click(within(dialog).getByTestId("keypair-import-confirm"));
    expect(await within(dialog).findByTestId("keypair-imported")).toHaveTextContent("Imported the key pair id_ed25519");
    expect(backendMock.importKeyPair).toHaveBeenCalledWith("us-east-1", "id_ed25519", "/home/me/.ssh/id_ed25519.pub");
    expect(screen.getByTestId("cloud-key-pair")).toHaveValue("id_ed25519");
  });

  it("security groups: several are picked from the list with their rules; Allow SSH warns about 0.0.0.0/0 and selects the group", async () => {
    backendMock.editProperties.mockResolvedValue(1);
    renderWithProviders(<ItemEditor detail={inUsEast({}, { cloud: { provider: "aws-ec2", region: "us-east-1", security_groups: ["default"] } })} reference={reference} />);
    await waitFor(() => expect(backendMock.accountSecurityGroups).toHaveBeenCalled());
    await openList("cloud-security-groups");
    expect(screen.getByTestId("sg-option-sg-0def")).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("sg-option-sg-0web")).toHaveTextContent("web sg-0web");
    expect(screen.getByTestId("sg-option-sg-0web")).toHaveTextContent("HTTP from 0.0.0.0/0 · SSH from 203.0.113.0/24");
    await userEvent.click(screen.getByTestId("sg-option-sg-0web"));
    expect(screen.getByTestId("cloud-security-groups")).toHaveValue("default, web");
    // The list stays open for more; clicking a chosen one takes it out.
    await userEvent.click(screen.getByTestId("sg-option-sg-0def"));
    expect(screen.getByTestId("cloud-security-groups")).toHaveValue("web");
    expect(screen.getByTestId("cloud-sg-chosen-web")).toHaveTextContent("SSH");

    const made: SecurityGroupInfo = {
      id: "sg-0new",
      name: "ssh-in",
      description: "SSH",
      vpcId: "vpc-1",
      inbound: [],
      summary: ["SSH from 0.0.0.0/0"],
      allowsSsh: true,
    };
    backendMock.allowSsh.mockResolvedValue({ group: made, created: true, warning: "SSH is open to the whole internet" });
    await userEvent.click(screen.getByTestId("cloud-allow-ssh"));
    const dialog = await screen.findByTestId("allow-ssh-dialog");
    // The node's group is offered first; a new group can be made instead.
    expect(within(dialog).getByTestId("allow-ssh-group")).toHaveValue("sg-0web");
    fireEvent.change(within(dialog).getByTestId("allow-ssh-group"), { target: { value: "" } });
    await userEvent.clear(within(dialog).getByTestId("allow-ssh-name"));
    await userEvent.type(within(dialog).getByTestId("allow-ssh-name"), "ssh-in");
    expect(within(dialog).getByTestId("allow-ssh-cidr")).toHaveValue("");
    expect(within(dialog).getByTestId("allow-ssh-confirm")).toBeDisabled();
    await userEvent.type(within(dialog).getByTestId("allow-ssh-cidr"), "198.51.100.7/32");
    expect(within(dialog).queryByTestId("allow-ssh-open-warning")).toBeNull();
    await userEvent.clear(within(dialog).getByTestId("allow-ssh-cidr"));
    await userEvent.type(within(dialog).getByTestId("allow-ssh-cidr"), "0.0.0.0/0");
    expect(within(dialog).getByTestId("allow-ssh-open-warning")).toHaveTextContent("0.0.0.0/0 is the whole internet");
    await userEvent.click(within(dialog).getByTestId("allow-ssh-confirm"));
    await waitFor(() => expect(backendMock.allowSsh).toHaveBeenCalledWith({ region: "us-east-1", groupId: null, name: "ssh-in", cidr: "0.0.0.0/0" }));
    expect(await within(dialog).findByTestId("allow-ssh-result")).toHaveTextContent("the new group ssh-in");
    expect(within(dialog).getByTestId("allow-ssh-warning")).toHaveTextContent("SSH is open to the whole internet");
    expect(screen.getByTestId("cloud-security-groups")).toHaveValue("web, ssh-in");
    await userEvent.click(within(dialog).getByTestId("allow-ssh-done"));
    expect(await screen.findByTestId("cloud-sg-chosen-ssh-in")).toHaveTextContent("SSH from 0.0.0.0/0");

    await userEvent.click(screen.getByTestId("editor-save"));
    await waitFor(() => expect(backendMock.editProperties).toHaveBeenCalledWith("web1", [{ key: "cloud.security_groups", value: ["web", "ssh-in"] }], []));
  });
});
