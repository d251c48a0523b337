// An SSO sign-in in progress: the code to confirm (big), the page the browser was opened on
// (with a copy button, for when it did not open), and Cancel. The core does the waiting.
import { useState } from "react";
import { Check, CheckCircle2, Copy, Loader2, RotateCcw, X } from "lucide-react";
import type { SsoControls } from "../../../lib/account";
import { Button, ErrorNote } from "../../ui";

export function SsoSignIn({ sso }: { sso: SsoControls }) {
  const [copied, setCopied] = useState(false);
  const profile = sso.profile ?? "";
  const dismiss = (
    <Button size="sm" variant="ghost" icon={<X size={13} />} onClick={sso.dismiss} data-testid="sso-dismiss">
      Close
    </Button>
  );
  if (sso.phase === "starting") {
    return (
      <p className="flex items-center gap-2 text-[13px] text-muted" data-testid="sso-panel" data-phase="starting">
        <Loader2 size={14} className="animate-spin" /> Starting the sign-in for {profile}…
      </p>
    );
  }
  if (sso.phase === "waiting" && sso.login) {
    const url = sso.login.verificationUriComplete ?? sso.login.verificationUri;
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(url);
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      } catch {
        setCopied(false);
      }
    };
    return (
      <div className="flex flex-col gap-2 rounded-md border border-accent/40 bg-accent-soft p-3 text-[13px]" data-testid="sso-panel" data-phase="waiting">
        <p>
          Your browser was opened to sign in with <b>{profile}</b>. Check that the page shows this code, then allow the access:
        </p>
        <p className="text-center font-mono text-[28px] leading-tight font-semibold tracking-[0.2em]" data-testid="sso-code" data-selectable>
          {sso.login.userCode}
        </p>
        <div className="flex min-w-0 items-center gap-2 text-[12px]">
          <span className="shrink-0 text-muted">Not opened? Go to</span>
          <span className="min-w-0 flex-1 truncate font-mono" title={url} data-testid="sso-url" data-selectable>
            {sso.login.verificationUri}
          </span>
          <Button size="sm" variant="ghost" icon={copied ? <Check size={13} /> : <Copy size={13} />} onClick={() => void copy()} data-testid="sso-copy">
            {copied ? "Copied" : "Copy address"}
          </Button>
        </div>
        <div className="flex items-center gap-2">
          <span className="flex flex-1 items-center gap-1.5 text-[12px] text-muted" data-testid="sso-waiting">
            <Loader2 size={12} className="animate-spin" /> Waiting for you to allow it in the browser…
          </span>
          <Button size="sm" icon={<X size={13} />} onClick={sso.cancel} data-testid="sso-cancel">
            Cancel
          </Button>
        </div>
      </div>
    );
  }
  if (sso.phase === "done") {
    return (
      <div className="flex items-center gap-2 text-[13px]" data-testid="sso-panel" data-phase="done">
        <CheckCircle2 size={15} className="shrink-0 text-ok" />
        <span className="flex-1" data-testid="sso-done">
          Signed in with {profile}.
        </span>
        {dismiss}
      </div>
    );
  }
  if (sso.phase === "cancelled") {
    return (
      <div className="flex items-center gap-2 text-[13px] text-muted" data-testid="sso-panel" data-phase="cancelled">
        <span className="flex-1" data-testid="sso-cancelled">
          Sign-in cancelled.
        </span>
        {dismiss}
      </div>
    );
  }
  if (sso.phase === "failed") {
    return (
      <div className="flex flex-col gap-2" data-testid="sso-panel" data-phase="failed">
        <ErrorNote error={sso.error} testId="sso-error" />
        <div className="flex gap-2">
          <Button size="sm" icon={<RotateCcw size={13} />} onClick={() => void sso.start(profile)} data-testid="sso-retry">
            Try again
          </Button>
          {dismiss}
        </div>
      </div>
    );
  }
  return null;
}
