// Settings' first card: the AWS account the app works in, in one line, the credentials it came
// from, and when it cannot be reached, why and the one button that fixes it.
import type { ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { AlertCircle, Building2, CheckCircle2, FlaskConical, Loader2, RefreshCw } from "lucide-react";
import { useAccountStatus, type SsoControls } from "../../../lib/account";
import { accountKeys } from "../../../lib/queryKeys";
import { explain, type Explained } from "../../../lib/errors";
import type { ErrorCode } from "../../../bindings/ErrorCode";
import { cx, ErrorNote, IconButton } from "../../ui";
import { FixButton, type FixHandlers } from "../../cloud/FixButton";
import { SsoSignIn } from "./SsoSignIn";

/** Advice said in Settings itself: what to do here, not "open Settings". */
const adviceHere: Partial<Record<ErrorCode, string>> = {
  "credentials.missing": "Add an access key or pick an AWS profile below, or start the practice sandbox below to try everything without an AWS account.",
};

function explainHere(error: unknown): Explained {
  const explained = explain(error);
  const here = explained.code === "unknown" ? undefined : adviceHere[explained.code];
  return here ? { ...explained, hint: here } : explained;
}

export function AccountCard({ handlers, sso }: { handlers: FixHandlers; sso: SsoControls }) {
  const client = useQueryClient();
  const status = useAccountStatus();
  const s = status.data;
  let body: ReactNode;
  if (status.isPending) {
    body = (
      <p className="flex items-center gap-2 text-[13px] text-muted" data-testid="account-loading">
        <Loader2 size={14} className="animate-spin" /> Asking AWS which account these credentials belong to…
      </p>
    );
  } else if (status.error) {
    body = <ErrorNote error={explain(status.error)} testId="account-status-error" />;
  } else if (s) {
    const Icon = s.error ? AlertCircle : s.sandbox ? FlaskConical : CheckCircle2;
    body = (
      <div className="flex flex-col gap-2">
        <p className="flex items-start gap-2 text-[13px]">
          <Icon size={16} className={cx("mt-0.5 shrink-0", s.error ? "text-danger" : s.sandbox ? "text-warn" : "text-ok")} />
          <span className="min-w-0 font-medium break-words" data-testid="account-label" data-selectable data-sandbox={s.sandbox || undefined}>
            {s.label}
          </span>
        </p>
        {s.source && (
          <p className="text-[12px] text-muted" data-testid="account-source" data-kind={s.source.kind}>
            Credentials: {s.source.description}
            {!s.source.chosenExplicitly && " (found automatically)"}
          </p>
        )}
        {s.error && (
          <div className="flex flex-col gap-2">
            <ErrorNote error={explainHere(s.error)} testId="account-error" />
            {s.fix && !(s.fix.kind === "signIn" && (sso.phase === "starting" || sso.phase === "waiting")) && (
              <div>
                <FixButton fix={s.fix} handlers={handlers} testId="account-fix" />
              </div>
            )}
          </div>
        )}
      </div>
    );
  }
  return (
    <section className="rounded-lg border border-line bg-panel-2 p-3" data-testid="settings-account">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h3 className="flex items-center gap-1.5 text-[11px] font-semibold tracking-wide text-muted uppercase">
          <Building2 size={13} /> Account
        </h3>
        <IconButton
          size="sm"
          label="Check the account again"
          icon={<RefreshCw size={13} className={cx(status.isFetching && "animate-spin")} />}
          onClick={() => void client.invalidateQueries({ queryKey: accountKeys.status })}
          data-testid="account-refresh"
        />
      </div>
      {body}
      {sso.phase !== "idle" && (
        <div className="mt-3">
          <SsoSignIn sso={sso} />
        </div>
      )}
    </section>
  );
}
