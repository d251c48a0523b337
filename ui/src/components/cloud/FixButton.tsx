// The button that fixes an account error. Which one is the core's choice (AccountStatus.fix,
// decided from the error code); the UI only says it in words and does it.
import { FlaskConical, KeyRound, Loader2, LogIn } from "lucide-react";
import type { FixAction } from "../../bindings/FixAction";
import { useSandbox, useSandboxControls } from "../../lib/account";
import { useUi } from "../../lib/store";
import { Button } from "../ui";

export interface FixHandlers {
  openCredentials: () => void;
  signIn: (profile: string) => void;
  startSandbox: () => void;
  /** True while the fix is under way (the sandbox starting). */
  busy?: boolean;
}

export function fixLabel(fix: FixAction): string {
  switch (fix.kind) {
    case "openCredentials":
      return "Set up credentials";
    case "signIn":
      return `Sign in again (${fix.profile})`;
    case "startSandbox":
      return "Start practice sandbox";
  }
}

export function FixButton({ fix, handlers, testId, variant = "primary" }: { fix: FixAction; handlers: FixHandlers; testId: string; variant?: "primary" | "secondary" }) {
  const icon =
    handlers.busy ? <Loader2 size={13} className="animate-spin" /> : fix.kind === "signIn" ? <LogIn size={13} /> : fix.kind === "startSandbox" ? <FlaskConical size={13} /> : <KeyRound size={13} />;
  const run = () => {
    if (fix.kind === "openCredentials") handlers.openCredentials();
    else if (fix.kind === "signIn") handlers.signIn(fix.profile);
    else handlers.startSandbox();
  };
  return (
    <Button size="sm" variant={variant} icon={icon} disabled={handlers.busy} onClick={run} data-testid={testId} data-fix={fix.kind}>
      {fixLabel(fix)}
    </Button>
  );
}

/**
 * The fixes outside Settings (launch preview, banner): credentials and sign-in open Settings
 * there; the sandbox starts in place, its progress in `detail`.
 */
export function useFixElsewhere(): FixHandlers & { detail: string | null; error: unknown } {
  const { start } = useSandboxControls();
  const sandbox = useSandbox();
  const open = useUi((s) => s.openDialog);
  return {
    openCredentials: () => open({ kind: "settings", focus: "credentials" }),
    signIn: (profile) => open({ kind: "settings", signIn: profile }),
    startSandbox: () => start.mutate(),
    busy: start.isPending,
    detail: start.isPending ? (sandbox.data?.detail ?? "Starting the practice sandbox…") : null,
    error: start.error,
  };
}
