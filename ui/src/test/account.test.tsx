// Settings' account card and its fix buttons, SSO sign-in, the practice sandbox with its banner,
// and an account change dropping what the old account showed.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ReactNode } from "react";
import type { Settings } from "../bindings/Settings";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SandboxBanner } from "../components/cloud/SandboxBanner";
import { SettingsDialog } from "../components/dialogs/SettingsDialog";
import { ItemEditor } from "../components/editor/ItemEditor";
import { BackendError } from "../lib/backend";
import { useCloudEvents } from "../lib/cloud";
import type { AccountStatus } from "../bindings/AccountStatus";
import type { CredentialStatus } from "../bindings/CredentialStatus";
import type { ProfileInfo } from "../bindings/ProfileInfo";
import type { SandboxStatus } from "../bindings/SandboxStatus";
import { backendMock, resetBackend } from "./backendMock";
import { account, detail, images, sandboxOff } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

const { listeners, on } = vi.hoisted(() => {
  const listeners: Record<string, ((payload: unknown) => void)[]> = {};
  const on = (name: string) => (h: (payload: unknown) => void) => {
    (listeners[name] ??= []).push(h);
    return Promise.resolve(() => {});
  };
  return { listeners, on };
});
function emit(name: string, payload?: unknown) {
  act(() => (listeners[name] ?? []).forEach((h) => h(payload)));
}

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return {
    ...actual,
    backend: backendMock,
    events: { onRepoChanged: on("repo"), onSandboxChanged: on("sandbox"), onAccountChanged: on("account") },
  };
});

/** The window's event wiring around what a test renders. */
function Events({ children }: { children: ReactNode }) {
  useCloudEvents();
  return <>{children}</>;
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const ssoProfile = (name: string, token: "valid" | "expired" | "missing"): ProfileInfo => ({
  name,
  kind: "sso",
  region: "eu-west-1",
  sso: {
    startUrl: "https://example.awsapps.com/start",
    session: "corp",
    accountId: "123456789012",
    roleName: "Admin",
    token: token === "valid" ? { state: "valid", expiresAt: "2030-01-01T12:00:00Z" } : { state: token },
  },
});

function credentials(extra: Partial<CredentialStatus> = {}): CredentialStatus {
  return {
    choice: { kind: "profile", name: "work" },
    source: account.source,
    error: null,
    endpoint: null,
    endpointError: null,
    profiles: [{ name: "default", kind: "keys", region: null, sso: null }, ssoProfile("work", "expired")],
    sets: [],
    setsError: null,
    sandbox: sandboxOff,
    ...extra,
  };
}

const login = { loginId: "login-1", profile: "work", verificationUri: "https://device.sso.eu-west-1.amazonaws.com/", verificationUriComplete: "https://device.sso.eu-west-1.amazonaws.com/?user_code=WXYZ-1234", userCode: "WXYZ-1234", expiresAt: "2030-01-01T12:10:00Z" };

const unreachable = (code: ErrorCode, message: string, fix: AccountStatus["fix"]): AccountStatus => ({ ...account, identity: null, error: { code, message }, fix, label: "AWS (account not reachable)" });

describe("settings: the account", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    for (const k of Object.keys(listeners)) delete listeners[k];
    backendMock.credentialsStatus.mockResolvedValue(credentials());
    backendMock.listCredentialSets.mockResolvedValue([]);
  });

  it("shows the account in one line and where the credentials come from; no shell commands to type", async () => {
    renderWithProviders(<SettingsDialog />);
    expect(await screen.findByTestId("account-label")).toHaveTextContent("AWS account 123456789012 (arn:aws:iam::123456789012:user/ann)");
    expect(screen.getByTestId("account-source")).toHaveTextContent("Credentials: AWS profile 'work'");
    expect(screen.queryByTestId("account-fix")).toBeNull();
    await screen.findByTestId("settings-credentials-choice");
    const text = screen.getByTestId("settings-dialog").textContent ?? "";
    for (const command of ["moto_server", "aws configure", "aws sso login", "export "]) expect(text).not.toContain(command);
  });

  it("an account error comes with its fix: open the credentials", async () => {
    backendMock.accountStatus.mockResolvedValue(unreachable("credentials.missing", "no AWS credentials were found", { kind: "openCredentials" }));
    renderWithProviders(<SettingsDialog />);
    expect(await screen.findByTestId("account-error")).toHaveTextContent("No AWS credentials were found");
    // Said once, about what to do here: no "open Settings" inside Settings.
    const said = screen.getByTestId("account-error").textContent ?? "";
    expect(said).toContain("Add an access key or pick an AWS profile below");
    expect(said).not.toMatch(/open settings|in settings/i);
    expect(said.match(/sandbox/g)).toHaveLength(1);
    const fix = screen.getByTestId("account-fix");
    expect(fix).toHaveTextContent("Set up credentials");
    await screen.findByTestId("settings-credentials-choice");
    await userEvent.click(fix);
    expect(screen.getByTestId("settings-credentials-choice")).toHaveFocus();
  });

  it("SSO: 'Sign in again' shows the code and the address, copies it, and Cancel ends the sign-in", async () => {
    backendMock.accountStatus.mockResolvedValue(unreachable("credentials.sso_expired", "the SSO sign-in of 'work' has expired", { kind: "signIn", profile: "work" }));
    backendMock.ssoStart.mockResolvedValue(login);
    const finish = deferred<CredentialStatus>();
    backendMock.ssoFinish.mockReturnValue(finish.promise);
    backendMock.ssoCancel.mockImplementation(async () => {
      finish.reject(new BackendError({ code: "sso.cancelled", message: "the sign-in was cancelled" }));
      return true;
    });
    renderWithProviders(<SettingsDialog />);
    const fix = await screen.findByTestId("account-fix");
    expect(fix).toHaveTextContent("Sign in again (work)");
    await userEvent.click(fix);
    expect(backendMock.ssoStart).toHaveBeenCalledWith("work");
    expect(await screen.findByTestId("sso-code")).toHaveTextContent("WXYZ-1234");
    expect(screen.getByTestId("sso-panel")).toHaveTextContent("Your browser was opened to sign in with work");
    expect(screen.getByTestId("sso-url")).toHaveTextContent("https://device.sso.eu-west-1.amazonaws.com/");
    expect(backendMock.ssoFinish).toHaveBeenCalledWith("login-1");

    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    fireEvent.click(screen.getByTestId("sso-copy"));
    expect(writeText).toHaveBeenCalledWith(login.verificationUriComplete);
    await waitFor(() => expect(screen.getByTestId("sso-copy")).toHaveTextContent("Copied")); // the label changes after the clipboard answers

    await userEvent.click(screen.getByTestId("sso-cancel"));
    expect(backendMock.ssoCancel).toHaveBeenCalledWith("login-1");
    expect(await screen.findByTestId("sso-cancelled")).toHaveTextContent("Sign-in cancelled.");
    expect(screen.queryByTestId("sso-code")).toBeNull();
    expect(screen.queryByTestId("sso-error")).toBeNull();
  });

  it("SSO: a profile's 'Sign in' waits for the browser, then everything is asked again", async () => {
    backendMock.ssoStart.mockResolvedValue(login);
    const finish = deferred<CredentialStatus>();
    backendMock.ssoFinish.mockReturnValue(finish.promise);
    renderWithProviders(<SettingsDialog />);
    const row = await screen.findByTestId("sso-profile-work");
    expect(row).toHaveAttribute("data-token", "expired");
    expect(within(row).getByTestId("sso-state-work")).toHaveTextContent("sign-in expired");
    expect(screen.queryByTestId("sso-signin-default")).toBeNull();
    await userEvent.click(within(row).getByTestId("sso-signin-work"));
    expect(await screen.findByTestId("sso-waiting")).toBeInTheDocument();
    const before = { account: backendMock.accountStatus.mock.calls.length, credentials: backendMock.credentialsStatus.mock.calls.length };
    backendMock.credentialsStatus.mockResolvedValue(credentials({ profiles: [ssoProfile("work", "valid")] }));
    await act(async () => finish.resolve(credentials()));
    expect(await screen.findByTestId("sso-done")).toHaveTextContent("Signed in with work.");
    await waitFor(() => expect(backendMock.accountStatus.mock.calls.length).toBeGreaterThan(before.account));
    await waitFor(() => expect(backendMock.credentialsStatus.mock.calls.length).toBeGreaterThan(before.credentials));
    await waitFor(() => expect(screen.getByTestId("sso-profile-work")).toHaveAttribute("data-token", "valid"));
    expect(screen.queryByTestId("sso-signin-work")).toBeNull();
  });

  it("SSO: a refusal is explained, and Settings opened to sign in starts at once", async () => {
    backendMock.ssoStart.mockResolvedValue(login);
    backendMock.ssoFinish.mockRejectedValue(new BackendError({ code: "sso.denied", message: "the sign-in was refused" }));
    renderWithProviders(<SettingsDialog signIn="work" />);
    const error = await screen.findByTestId("sso-error");
    expect(backendMock.ssoStart).toHaveBeenCalledTimes(1);
    expect(backendMock.ssoStart).toHaveBeenCalledWith("work");
    expect(error).toHaveTextContent("The sign-in was refused");
    expect(error).toHaveTextContent("Start it again and allow it.");
    expect(screen.getByTestId("sso-retry")).toBeEnabled();
  });
});

describe("practice sandbox", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    for (const k of Object.keys(listeners)) delete listeners[k];
    backendMock.credentialsStatus.mockResolvedValue(credentials());
    backendMock.listCredentialSets.mockResolvedValue([]);
  });

  it("starts with one button showing its progress, puts up the banner, and 'Back to AWS' ends it", async () => {
    const started = deferred<SandboxStatus>();
    backendMock.sandboxStart.mockReturnValue(started.promise);
    const running: SandboxStatus = { phase: "running", endpoint: "http://127.0.0.1:41234", detail: null, error: null };
    renderWithProviders(
      <Events>
        <SandboxBanner />
        <SettingsDialog />
      </Events>,
    );
    const start = await screen.findByTestId("sandbox-start");
    expect(screen.queryByTestId("sandbox-banner")).toBeNull();
    await userEvent.click(start);
    expect(backendMock.sandboxStart).toHaveBeenCalledTimes(1);
    emit("sandbox", { phase: "installing", endpoint: null, detail: "Installing moto (first use, about a minute)...", error: null });
    expect(await screen.findByTestId("sandbox-detail")).toHaveTextContent("Installing moto (first use, about a minute)...");
    expect(screen.getByTestId("sandbox-start")).toBeDisabled();
    emit("sandbox", { phase: "starting", endpoint: null, detail: "Starting the server...", error: null });
    await waitFor(() => expect(screen.getByTestId("sandbox-detail")).toHaveTextContent("Starting the server..."));

    backendMock.accountStatus.mockResolvedValue({ ...account, identity: null, sandbox: true, endpoint: running.endpoint, label: "Practice sandbox at http://127.0.0.1:41234" });
    backendMock.sandboxStatus.mockResolvedValue(running);
    emit("sandbox", running);
    await act(async () => started.resolve(running));
    const banner = await screen.findByTestId("sandbox-banner");
    expect(banner).toHaveTextContent("Practice sandbox — nothing here touches AWS");
    expect(await screen.findByTestId("sandbox-state")).toHaveTextContent("Running at http://127.0.0.1:41234");
    await waitFor(() => expect(screen.getByTestId("account-label")).toHaveTextContent("Practice sandbox at http://127.0.0.1:41234"));

    backendMock.sandboxStop.mockResolvedValue(sandboxOff);
    backendMock.sandboxStatus.mockResolvedValue(sandboxOff);
    backendMock.accountStatus.mockResolvedValue(account);
    await userEvent.click(screen.getByTestId("sandbox-stop"));
    expect(backendMock.sandboxStop).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByTestId("sandbox-banner")).toBeNull());
    expect(screen.getByTestId("sandbox-start")).toBeEnabled();
    await waitFor(() => expect(screen.getByTestId("account-label")).toHaveTextContent("AWS account 123456789012"));
  });

  it("the sandbox takes EC2's usual time unless 'Fast' is switched on, which is saved with the settings", async () => {
    backendMock.sandboxStatus.mockResolvedValue(sandboxOff);
    // The settings file as the backend keeps it.
    backendMock.saveSettings.mockImplementation(async (saved: Settings) => {
      backendMock.getSettings.mockResolvedValue(saved);
      return null;
    });
    renderWithProviders(<SettingsDialog />);
    const pace = await screen.findByTestId("sandbox-pace");
    await waitFor(() => expect(pace).toHaveTextContent("about 20 seconds pending, stopping or shutting down"));
    expect(screen.getByTestId("sandbox-fast")).not.toBeChecked();
    await userEvent.click(screen.getByTestId("sandbox-fast"));
    await waitFor(() => expect(backendMock.saveSettings).toHaveBeenCalledWith({ recentRepositories: [], ec2Endpoint: null, theme: null, sandboxFast: true }));
    await waitFor(() => expect(screen.getByTestId("sandbox-pace")).toHaveTextContent("running the moment they are launched"));
    expect(screen.getByTestId("sandbox-fast")).toBeChecked();
  });

  it("the banner's 'Back to AWS' stops the sandbox; the banner follows sandbox-changed events", async () => {
    backendMock.sandboxStatus.mockResolvedValue({ phase: "running", endpoint: "http://127.0.0.1:41234", detail: null, error: null });
    backendMock.sandboxStop.mockImplementation(async () => {
      backendMock.sandboxStatus.mockResolvedValue(sandboxOff);
      return sandboxOff;
    });
    renderWithProviders(
      <Events>
        <SandboxBanner />
      </Events>,
    );
    const banner = await screen.findByTestId("sandbox-banner");
    expect(banner).toHaveTextContent("http://127.0.0.1:41234");
    await userEvent.click(within(banner).getByTestId("sandbox-banner-stop"));
    expect(backendMock.sandboxStop).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByTestId("sandbox-banner")).toBeNull());

    // Started elsewhere (another window, the command line): the event brings the banner back.
    emit("sandbox", { phase: "running", endpoint: "http://127.0.0.1:5001", detail: null, error: null });
    expect(await screen.findByTestId("sandbox-banner")).toHaveTextContent("http://127.0.0.1:5001");
  });

  it("says which package is missing when Python cannot run it", async () => {
    backendMock.sandboxStart.mockRejectedValue(new BackendError({ code: "sandbox.python_missing", message: "the sandbox needs Python's venv module: install the Debian package python3-venv" }));
    renderWithProviders(<SettingsDialog focus="sandbox" />);
    await userEvent.click(await screen.findByTestId("sandbox-start"));
    const error = await screen.findByTestId("sandbox-error");
    expect(error).toHaveTextContent("install the Debian package python3-venv");
    expect(screen.getByTestId("sandbox-start")).toBeEnabled();
  });

  it("the account fix can be the sandbox itself", async () => {
    backendMock.accountStatus.mockResolvedValue(unreachable("cloud.unreachable", "the endpoint does not answer", { kind: "startSandbox" }));
    const running: SandboxStatus = { phase: "running", endpoint: "http://127.0.0.1:41234", detail: null, error: null };
    backendMock.sandboxStart.mockImplementation(async () => {
      backendMock.sandboxStatus.mockResolvedValue(running);
      return running;
    });
    renderWithProviders(<SettingsDialog />);
    const fix = await screen.findByTestId("account-fix");
    expect(fix).toHaveTextContent("Start practice sandbox");
    await userEvent.click(fix);
    expect(backendMock.sandboxStart).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId("sandbox-stop")).toHaveTextContent("Back to AWS");
  });
});

describe("account change", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    for (const k of Object.keys(listeners)) delete listeners[k];
  });

  it("refetches every view, so nothing of the old account stays on screen", async () => {
    const node = detail("web1", { cloud: { provider: "aws-ec2", region: "us-east-1", image: "ami-12c6146b" } });
    renderWithProviders(
      <Events>
        <ItemEditor detail={node} />
      </Events>,
    );
    expect(await screen.findByTestId("cloud-image-info")).toHaveTextContent("drumbo-base");
    expect(screen.queryByTestId("cloud-image-not-found")).toBeNull();
    const calls = { images: backendMock.accountImages.mock.calls.length, regions: backendMock.accountRegions.mock.calls.length, reference: backendMock.cloudReference.mock.calls.length };

    // Another account: it has no such image. Until its list arrives, the old one is not shown.
    const next = deferred<typeof images>();
    backendMock.accountImages.mockReturnValue(next.promise);
    emit("account");
    await waitFor(() => expect(screen.queryByTestId("cloud-image-info")).toBeNull());
    expect(screen.queryByTestId("cloud-image-not-found")).toBeNull();
    await act(async () => next.resolve(images.filter((i) => i.id !== "ami-12c6146b")));
    expect(await screen.findByTestId("cloud-image-not-found")).toHaveTextContent("ami-12c6146b is not found");
    expect(backendMock.accountImages.mock.calls.length).toBeGreaterThan(calls.images);
    expect(backendMock.accountRegions.mock.calls.length).toBeGreaterThan(calls.regions);
    await waitFor(() => expect(backendMock.cloudReference.mock.calls.length).toBeGreaterThan(calls.reference));
    expect(screen.getByTestId("cloud-image")).toHaveValue("ami-12c6146b");
  });
});
