// Wrong user (issue 22): a login the server refused (remote.auth_failed) offers the login names
// usual for the node's image; a click sets the node's user with the editor's property edit
// (one undoable change) and connects again.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectErrorCard } from "../components/remote/ConnectErrorCard";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { JsonValue } from "../bindings/serde_json/JsonValue";
import { backendMock, resetBackend } from "./backendMock";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

function detail(props: { [key: string]: JsonValue }, inherited: ItemDetail["inherited"] = []): ItemDetail {
  return { name: "web/1", kind: "node", file: "/tmp/repo/web/1/node.json", props, computed: { index: 0, depth: 1 }, inherited, cloneOf: null, clones: [], problem: null, keyPair: null, keyPairKey: "cloud.key-pair" };
}

const refused = { code: "remote.auth_failed", message: "web/1 refused the login of root with key ~/.ssh/ops.pem" };

describe("usual login names after a refused login", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("offers the image's own user, sets it as one property edit and connects again", async () => {
    // The image is inherited from the system; the account's list knows it as Ubuntu.
    backendMock.getItem.mockResolvedValue(detail({ user: "root", cloud: { region: "us-east-1" } }, [{ key: "cloud.image", value: "ami-0bb22cc33dd44ee55", from: "web" }]));
    backendMock.editProperties.mockResolvedValue(1);
    const retry = vi.fn();
    renderWithProviders(<ConnectErrorCard node="web/1" error={refused} onRetry={retry} />);
    const offer = await screen.findByTestId("terminal-usual-users");
    expect(offer).toHaveTextContent("Not root? Log in as");
    expect(within(offer).getAllByRole("button").map((b) => b.textContent)).toEqual(["ubuntu"]);
    expect(backendMock.accountImages).toHaveBeenCalledWith("us-east-1", false);

    await userEvent.click(screen.getByTestId("terminal-user-ubuntu"));
    await waitFor(() => expect(retry).toHaveBeenCalledTimes(1));
    expect(backendMock.editProperties).toHaveBeenCalledWith("web/1", [{ key: "user", value: "ubuntu" }], []);
  });

  it("an image the account's list does not know offers the common names, less the one refused", async () => {
    backendMock.getItem.mockResolvedValue(detail({ user: "ec2-user", cloud: { region: "us-east-1", image: "ami-0123456789abcdef0" } }));
    renderWithProviders(<ConnectErrorCard node="web/1" error={refused} onRetry={() => {}} />);
    const offer = await screen.findByTestId("terminal-usual-users");
    expect(within(offer).getAllByRole("button").map((b) => b.textContent)).toEqual(["ubuntu", "admin"]);
  });

  it("an owned image whose name tells nothing offers the common names", async () => {
    backendMock.getItem.mockResolvedValue(detail({ cloud: { region: "us-east-1", image: "ami-12c6146b" } }));
    renderWithProviders(<ConnectErrorCard node="web/1" error={refused} onRetry={() => {}} />);
    const offer = await screen.findByTestId("terminal-usual-users");
    expect(offer).toHaveTextContent("Log in as");
    expect(within(offer).getAllByRole("button").map((b) => b.textContent)).toEqual(["ec2-user", "ubuntu", "admin"]);
  });

  it("a refused edit stays on the card and does not connect again", async () => {
    backendMock.getItem.mockResolvedValue(detail({ user: "root", cloud: { region: "us-east-1", image: "ami-0aa11bb22cc33dd44" } }));
    backendMock.editProperties.mockRejectedValue({ code: "repo.conflict", message: "the node changed on disk" });
    const retry = vi.fn();
    renderWithProviders(<ConnectErrorCard node="web/1" error={refused} onRetry={retry} />);
    await userEvent.click(await screen.findByTestId("terminal-user-ec2-user"));
    expect(await screen.findByTestId("terminal-user-error")).toHaveTextContent("The node changed on disk");
    expect(retry).not.toHaveBeenCalled();
  });

  it("other errors offer no names", async () => {
    backendMock.getItem.mockResolvedValue(detail({ user: "root" }));
    renderWithProviders(<ConnectErrorCard node="web/1" error={{ code: "remote.refused", message: "connection refused" }} onRetry={() => {}} />);
    await screen.findByTestId("terminal-error");
    expect(screen.queryByTestId("terminal-usual-users")).not.toBeInTheDocument();
    expect(backendMock.getItem).not.toHaveBeenCalled();
  });
});
