import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { ConnectQuestion } from "../bindings/ConnectQuestion";
import type { ConnectRequest } from "../bindings/ConnectRequest";
import type { TerminalEnd } from "../bindings/TerminalEnd";
import type { TerminalOpened } from "../bindings/TerminalOpened";
import { BackendError } from "../lib/ipc";
import { useUi } from "../lib/store";
import { backendMock, resetBackend } from "./backendMock";
import type { FakeChannel } from "./fakeChannel";
import { demoTree, detail } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  const none = () => Promise.resolve(() => {});
  return {
    ...actual,
    backend: backendMock,
    events: { onRepoChanged: none, onCloudEvent: none, onOperationProgress: none, onOperationFinished: none, onFleetChanged: none },
  };
});

const NODE = "drumbo1";

function opened(id: number, hostKey: "known" | "verifiedByConsole" | "acceptedByUser" = "verifiedByConsole"): TerminalOpened {
  return { kind: "open", terminal: { id, node: NODE, address: "ubuntu@203.0.113.7", hostKey } };
}

const question = (q: ConnectQuestion): TerminalOpened => ({ kind: "question", question: q });

/** The n-th terminalOpen call: its request and its two channels. */
function openCall(n: number) {
  const [request, cols, rows, output, ended] = backendMock.terminalOpen.mock.calls[n] as [ConnectRequest, number, number, FakeChannel<ArrayBuffer>, FakeChannel<TerminalEnd>];
  return { request, cols, rows, output, ended };
}

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** The App with drumbo1 shown in the inspector; Connect clicked there. */
async function connect() {
  renderWithProviders(<App />);
  act(() => useUi.getState().select([NODE], NODE));
  const inspector = await screen.findByTestId("inspector");
  fireEvent.click(await within(inspector).findByTestId("node-connect"));
  await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalled());
}

const rows = () => screen.getByTestId("terminal-view").querySelector(".xterm-rows")?.textContent ?? "";

describe("terminal tabs", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    backendMock.loadTree.mockResolvedValue(demoTree);
    backendMock.getItem.mockImplementation(async (name: string) => detail(name, {}));
  });

  it("opens a tab from Connect, writes the channel's output, says how the host key was trusted, reconnects and closes", async () => {
    backendMock.terminalOpen.mockResolvedValueOnce(opened(7));
    await connect();
    const tab = screen.getByTestId("terminal-tab");
    expect(tab).toHaveAttribute("data-node", NODE);
    expect(useUi.getState().tab).toMatch(/^session:/);
    const first = openCall(0);
    expect(first.request).toEqual({ node: NODE });
    expect(first.cols).toBeGreaterThan(0);
    expect(first.rows).toBeGreaterThan(0);

    expect(await screen.findByTestId("terminal-address")).toHaveTextContent("ubuntu@203.0.113.7");
    expect(screen.getByTestId("terminal-hostkey")).toHaveTextContent("Host key verified against the instance's console output");
    expect(screen.getByTestId("terminal-view").querySelector(".xterm")).not.toBeNull();

    first.output.send(bytes("Welcome to drumbo1\r\n$ "));
    await waitFor(() => expect(rows()).toContain("Welcome to drumbo1"));

    // Another tab shows: the terminal stays (hidden), with its scrollback.
    act(() => useUi.getState().setTab("overview"));
    expect(screen.getByTestId("terminal-pane").closest("[role=tabpanel]")).toHaveAttribute("hidden");
    expect(rows()).toContain("Welcome to drumbo1");

    // The shell exits: a dim line, and Reconnect in the tab header opens a new session in the same tab.
    first.ended.send({ kind: "exited", status: 3 });
    await waitFor(() => expect(rows()).toContain("[session ended: exit status 3]"));
    expect(tab).toHaveAttribute("data-status", "ended");
    backendMock.terminalOpen.mockResolvedValueOnce(opened(8, "known"));
    fireEvent.click(within(tab).getByTestId("terminal-reconnect"));
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(2));
    expect(openCall(1).request).toEqual({ node: NODE });
    await waitFor(() => expect(screen.getByTestId("terminal-tab")).toHaveAttribute("data-status", "open"));
    expect(screen.queryByTestId("terminal-reconnect")).toBeNull();
    // A host key simply known says nothing.
    expect(screen.queryByTestId("terminal-hostkey")).toBeNull();
    openCall(1).output.send(bytes("back again\r\n"));
    await waitFor(() => expect(rows()).toContain("back again"));
    expect(rows()).toContain("Welcome to drumbo1");

    fireEvent.click(screen.getByTestId("terminal-close"));
    await waitFor(() => expect(backendMock.terminalClose).toHaveBeenCalledWith(8));
    expect(screen.queryByTestId("terminal-tab")).toBeNull();
    expect(useUi.getState().tab).toBe("overview");
  });

  it("sends what is typed and pasted, finds with Ctrl+Shift+F, and a connection lost says so", async () => {
    backendMock.terminalOpen.mockResolvedValueOnce(opened(4));
    await connect();
    await waitFor(() => expect(screen.getByTestId("terminal-tab")).toHaveAttribute("data-status", "open"));
    const textarea = screen.getByTestId("terminal-view").querySelector("textarea")!;
    fireEvent.keyDown(textarea, { key: "l", code: "KeyL", keyCode: 76 });
    fireEvent.keyPress(textarea, { key: "l", code: "KeyL", charCode: 108, keyCode: 108 });
    await waitFor(() => expect(backendMock.terminalInput).toHaveBeenCalledWith(4, "l"));

    // Ctrl+Shift+V pastes the clipboard into the session; Ctrl+Shift+F opens the search box.
    const readText = vi.fn().mockResolvedValue("echo pasted");
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { readText, writeText: vi.fn().mockResolvedValue(undefined) } });
    fireEvent.keyDown(textarea, { key: "V", code: "KeyV", ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(backendMock.terminalInput).toHaveBeenCalledWith(4, "echo pasted"));
    expect(screen.queryByTestId("terminal-search")).toBeNull();
    fireEvent.keyDown(textarea, { key: "F", code: "KeyF", ctrlKey: true, shiftKey: true });
    expect(await screen.findByTestId("terminal-search-input")).toHaveFocus();
    fireEvent.keyDown(screen.getByTestId("terminal-search-input"), { key: "Escape" });
    expect(screen.queryByTestId("terminal-search")).toBeNull();
    // The window's own shortcuts stay out of the terminal: Ctrl+D is the shell's, not Clone.
    fireEvent.keyDown(textarea, { key: "d", code: "KeyD", ctrlKey: true });
    expect(useUi.getState().dialog).toBeNull();
    openCall(0).ended.send({ kind: "dropped" });
    await waitFor(() => expect(rows()).toContain("[connection lost]"));
    expect(screen.getByTestId("terminal-reconnect")).toBeInTheDocument();
  });

  it("shows an unknown host key's fingerprint and accepts it by re-asking with it", async () => {
    backendMock.terminalOpen.mockResolvedValueOnce(question({ kind: "hostKeyUnknown", host: "203.0.113.7", port: 22, fingerprint: "SHA256:Zm9vYmFy" }));
    await connect();
    expect(await screen.findByTestId("hostkey-fingerprint")).toHaveTextContent("SHA256:Zm9vYmFy");
    backendMock.terminalOpen.mockResolvedValueOnce(opened(9, "acceptedByUser"));
    fireEvent.click(screen.getByTestId("hostkey-accept"));
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(2));
    expect(openCall(1).request).toEqual({ node: NODE, acceptFingerprint: "SHA256:Zm9vYmFy" });
    expect(await screen.findByTestId("terminal-hostkey")).toHaveTextContent("Host key accepted by you");
    expect(screen.queryByTestId("hostkey-unknown")).toBeNull();
  });

  it("refuses a changed host key, and offers to replace it only when the core says it may be replaced", async () => {
    const changed = { kind: "hostKeyChanged" as const, host: "203.0.113.7", port: 22, saved: "SHA256:b2xk", offered: "SHA256:bmV3", console: "silent" as const };
    backendMock.terminalOpen.mockResolvedValueOnce(question({ ...changed, savedInstance: "i-0aaa", currentInstance: null, replaceable: false }));
    await connect();
    const refused = await screen.findByTestId("hostkey-changed");
    expect(refused).toHaveTextContent("this can be an attack");
    expect(screen.queryByTestId("hostkey-replace")).toBeNull();
    fireEvent.click(screen.getByTestId("connect-cancel"));
    expect(screen.queryByTestId("terminal-tab")).toBeNull();

    // Same instance on both sides: still refused, nothing to replace.
    backendMock.terminalOpen.mockResolvedValueOnce(question({ ...changed, savedInstance: "i-0aaa", currentInstance: "i-0aaa", replaceable: false }));
    fireEvent.click(within(screen.getByTestId("inspector")).getByTestId("node-connect"));
    await screen.findByTestId("hostkey-changed");
    expect(screen.queryByTestId("hostkey-replace")).toBeNull();
    fireEvent.click(screen.getByTestId("connect-cancel"));

    backendMock.terminalOpen.mockResolvedValueOnce(question({ ...changed, savedInstance: "i-0aaa", currentInstance: "i-0bbb", replaceable: true }));
    fireEvent.click(within(screen.getByTestId("inspector")).getByTestId("node-connect"));
    const replace = await screen.findByTestId("hostkey-replace");
    expect(screen.getByTestId("hostkey-changed-console")).toHaveAttribute("data-witness", "silent");
    expect(replace).toHaveTextContent("i-0aaa");
    expect(replace).toHaveTextContent("i-0bbb");
    backendMock.terminalOpen.mockResolvedValueOnce(opened(5));
    fireEvent.click(replace);
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(4));
    expect(openCall(3).request).toEqual({ node: NODE, replaceFingerprint: "SHA256:bmV3" });
  });

  it("says what the new instance's console output says of a replaceable key", async () => {
    const changed = { kind: "hostKeyChanged" as const, host: "203.0.113.7", port: 22, saved: "SHA256:b2xk", offered: "SHA256:bmV3", savedInstance: "i-0aaa", currentInstance: "i-0bbb", replaceable: true };
    backendMock.terminalOpen.mockResolvedValueOnce(question({ ...changed, console: "confirms" }));
    await connect();
    expect(await screen.findByTestId("hostkey-changed-console")).toHaveTextContent("printed this key when it booted");
    fireEvent.click(screen.getByTestId("connect-cancel"));
    backendMock.terminalOpen.mockResolvedValueOnce(question({ ...changed, console: "listsOthers" }));
    fireEvent.click(within(screen.getByTestId("inspector")).getByTestId("node-connect"));
    expect(await screen.findByTestId("hostkey-changed-console")).toHaveTextContent("printed other host keys");
    expect(screen.getByTestId("hostkey-replace")).toBeInTheDocument();
  });

  it("offers Start when the instance is not running", async () => {
    backendMock.terminalOpen.mockRejectedValueOnce(new BackendError({ code: "remote.not_running", message: "'web/a': its instance i-0aaa is stopped, not running" }));
    await connect();
    expect(await screen.findByTestId("terminal-fix-start")).toHaveTextContent("Start instance");
    expect(screen.queryByTestId("terminal-allow-ssh-here")).toBeNull();
  });

  it("asks a key file's passphrase in a password field, sends it once and keeps it nowhere", async () => {
    backendMock.terminalOpen.mockResolvedValueOnce(question({ kind: "passphrase", keyFile: "/home/me/.ssh/ops.pem", wrong: false }));
    await connect();
    const input = (await screen.findByTestId("passphrase-input")) as HTMLInputElement;
    expect(input).toHaveAttribute("type", "password");
    expect(screen.getByTestId("passphrase-question")).toHaveTextContent("/home/me/.ssh/ops.pem");
    expect(screen.getByTestId("passphrase-submit")).toBeDisabled();

    backendMock.terminalOpen.mockResolvedValueOnce(question({ kind: "passphrase", keyFile: "/home/me/.ssh/ops.pem", wrong: true }));
    fireEvent.change(input, { target: { value: "not-it" } });
    fireEvent.click(screen.getByTestId("passphrase-submit"));
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(2));
    expect(openCall(1).request).toEqual({ node: NODE, passphrase: "not-it" });
    expect(await screen.findByTestId("passphrase-error")).toHaveTextContent("does not open the key file");
    expect(screen.getByTestId("passphrase-input")).toHaveValue("");

    backendMock.terminalOpen.mockResolvedValueOnce(opened(6));
    fireEvent.change(screen.getByTestId("passphrase-input"), { target: { value: "s3cret" } });
    fireEvent.submit(screen.getByTestId("passphrase-input").closest("form")!);
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(3));
    expect(openCall(2).request).toEqual({ node: NODE, passphrase: "s3cret" });
    await waitFor(() => expect(screen.getByTestId("terminal-tab")).toHaveAttribute("data-status", "open"));

    // A new session asks again: the passphrase was not kept.
    openCall(2).ended.send({ kind: "closed" });
    backendMock.terminalOpen.mockResolvedValueOnce(opened(7));
    fireEvent.click(await screen.findByTestId("terminal-reconnect"));
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(4));
    expect(openCall(3).request).toEqual({ node: NODE });
  });

  it("offers the private address when it is the only one", async () => {
    backendMock.terminalOpen.mockResolvedValueOnce(question({ kind: "privateAddressOnly", address: "10.0.3.7" }));
    await connect();
    backendMock.terminalOpen.mockResolvedValueOnce(question({ kind: "hostKeyUnknown", host: "10.0.3.7", port: 22, fingerprint: "SHA256:cHJpdg" }));
    fireEvent.click(await screen.findByTestId("private-address-connect"));
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(2));
    expect(openCall(1).request).toEqual({ node: NODE, usePrivateAddress: true });
    // The answer holds for the next question.
    backendMock.terminalOpen.mockResolvedValueOnce(opened(3));
    fireEvent.click(await screen.findByTestId("hostkey-accept"));
    await waitFor(() => expect(backendMock.terminalOpen).toHaveBeenCalledTimes(3));
    expect(openCall(2).request).toEqual({ node: NODE, usePrivateAddress: true, acceptFingerprint: "SHA256:cHJpdg" });
  });

  it("picks what helps by the error's code", async () => {
    backendMock.allowSshFromHere.mockResolvedValue({ cidr: "198.51.100.7/32", opened: [], notFound: [] });
    backendMock.terminalOpen.mockRejectedValueOnce(new BackendError({ code: "remote.timeout", message: "203.0.113.7 (port 22) did not answer within 10 s" }));
    await connect();
    const timeout = await screen.findByTestId("terminal-error");
    expect(timeout).toHaveAttribute("data-code", "remote.timeout");
    expect(timeout).toHaveTextContent("did not answer within 10 s");
    expect(screen.queryByTestId("terminal-fix-key")).toBeNull();
    fireEvent.click(within(timeout).getByTestId("terminal-allow-ssh-here"));
    await waitFor(() => expect(backendMock.allowSshFromHere).toHaveBeenCalledWith([NODE]));
    // Try again starts over.
    backendMock.terminalOpen.mockRejectedValueOnce({ code: "remote.key_missing", message: "'drumbo1' uses the key pair 'ops', whose private key is not on this computer" });
    fireEvent.click(screen.getByTestId("terminal-retry"));
    await waitFor(() => expect(screen.getByTestId("terminal-error")).toHaveAttribute("data-code", "remote.key_missing"));
    expect(screen.getByTestId("terminal-error")).toHaveTextContent("whose private key is not on this computer");
    expect(screen.queryByTestId("terminal-allow-ssh-here")).toBeNull();
    fireEvent.click(screen.getByTestId("terminal-fix-key"));
    expect(useUi.getState().tab).toBe("node");
    expect(useUi.getState().current).toBe(NODE);
  });

  it("says the practice sandbox has nothing to connect to, without a way that cannot work", async () => {
    backendMock.terminalOpen.mockRejectedValueOnce({ code: "remote.sandbox", message: "'drumbo1' runs in the practice sandbox, where instances have no machine behind them" });
    await connect();
    const error = await screen.findByTestId("terminal-error");
    expect(error).toHaveTextContent("practice sandbox");
    expect(within(error).queryByRole("button")).toBeNull();
  });

  it("opens the node in the user's own terminal, and shows why not when it cannot", async () => {
    renderWithProviders(<App />);
    act(() => useUi.getState().select([NODE], NODE));
    const inspector = await screen.findByTestId("inspector");
    backendMock.openInTerminal.mockResolvedValueOnce("gnome-terminal");
    fireEvent.click(await within(inspector).findByTestId("node-open-terminal"));
    await waitFor(() => expect(useUi.getState().activity.at(-1)?.text).toBe("Opened drumbo1 in gnome-terminal"));
    backendMock.openInTerminal.mockRejectedValueOnce({ code: "node.no_address", message: "'drumbo1' has no address to connect to yet" });
    fireEvent.click(within(inspector).getByTestId("node-open-terminal"));
    expect(await screen.findByTestId("undo-error")).toHaveTextContent("'drumbo1' has no address to connect to yet");
    expect(backendMock.openInTerminal).toHaveBeenCalledWith(NODE);
  });

  it("connects from the tree's menu and from the Overview's list", async () => {
    backendMock.terminalOpen.mockResolvedValue(opened(2));
    renderWithProviders(<App />);
    fireEvent.contextMenu(await screen.findByTestId("tree-row-drumbo1"));
    fireEvent.click(await within(await screen.findByTestId("tree-menu")).findByTestId("node-connect"));
    await waitFor(() => expect(screen.getAllByTestId("terminal-tab")).toHaveLength(1));
    act(() => useUi.getState().setTab("overview"));
    // Only drumbo1 has an instance.
    expect(screen.queryByTestId("overview-connect-drumbo2")).toBeNull();
    fireEvent.click(await screen.findByTestId("overview-connect-drumbo1"));
    await waitFor(() => expect(screen.getAllByTestId("terminal-tab")).toHaveLength(2));
    expect(backendMock.terminalOpen).toHaveBeenCalledTimes(2);
  });
});
