// The SSO profiles of ~/.aws/config with their sign-in state; one whose sign-in is missing or
// expired offers "Sign in".
import { LogIn } from "lucide-react";
import type { ProfileInfo } from "../../../bindings/ProfileInfo";
import type { SsoTokenState } from "../../../bindings/SsoTokenState";
import type { SsoControls } from "../../../lib/account";
import { Button, cx } from "../../ui";

function tokenText(t: SsoTokenState): string {
  switch (t.state) {
    case "valid": {
      const d = new Date(t.expiresAt);
      return Number.isNaN(d.getTime()) ? "signed in" : `signed in until ${d.toLocaleString([], { hour12: false, dateStyle: "short", timeStyle: "short" })}`;
    }
    case "expired":
      return "sign-in expired";
    case "missing":
      return "not signed in";
  }
}

export function SsoProfiles({ profiles, sso }: { profiles: ProfileInfo[]; sso: SsoControls }) {
  const list = profiles.filter((p) => p.sso);
  if (!list.length) return null;
  const busy = sso.phase === "starting" || sso.phase === "waiting";
  return (
    <div>
      <p className="mb-1 text-[12px] font-medium text-muted">Single sign-on (SSO) profiles</p>
      <ul className="flex flex-col divide-y divide-line rounded-md border border-line" data-testid="sso-profiles">
        {list.map((p) => {
          const t = p.sso!.token;
          return (
            <li key={p.name} className="flex items-center gap-2 px-2.5 py-1.5 text-[13px]" data-testid={`sso-profile-${p.name}`} data-token={t.state}>
              <span className="font-medium">{p.name}</span>
              <span className="min-w-0 flex-1 truncate text-[12px] text-muted" title={p.sso!.startUrl}>
                {[p.sso!.accountId, p.sso!.roleName].filter(Boolean).join(" · ") || p.sso!.startUrl}
              </span>
              <span className={cx("shrink-0 text-[12px]", t.state === "valid" ? "text-ok" : "text-warn")} data-testid={`sso-state-${p.name}`}>
                {tokenText(t)}
              </span>
              {t.state !== "valid" && (
                <Button size="sm" icon={<LogIn size={13} />} disabled={busy} onClick={() => void sso.start(p.name)} data-testid={`sso-signin-${p.name}`}>
                  Sign in
                </Button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
