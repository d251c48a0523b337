// Across the top of the window while the practice sandbox is in use, so no one mistakes it
// for their AWS account; "Back to AWS" ends it.
import { ArrowLeftRight, FlaskConical, Loader2 } from "lucide-react";
import { useSandbox, useSandboxControls } from "../../lib/account";
import { explain } from "../../lib/errors";
import { Button } from "../ui";

export function SandboxBanner() {
  const sandbox = useSandbox();
  const { stop } = useSandboxControls();
  if (sandbox.data?.phase !== "running") return null;
  return (
    <div className="flex shrink-0 items-center gap-2 border-b border-warn/40 bg-warn-soft px-3 py-1 text-[12px]" role="status" data-testid="sandbox-banner">
      <FlaskConical size={14} className="shrink-0 text-warn" />
      <span className="min-w-0 flex-1 truncate">
        <b>Practice sandbox</b> — nothing here touches AWS
        {sandbox.data.endpoint && <span className="ml-1.5 font-mono text-muted">{sandbox.data.endpoint}</span>}
      </span>
      {stop.error && (
        <span className="max-w-[40%] truncate text-danger" title={explain(stop.error).message} data-testid="sandbox-banner-error">
          {explain(stop.error).message}
        </span>
      )}
      <Button
        size="sm"
        variant="ghost"
        className="h-6"
        icon={stop.isPending ? <Loader2 size={13} className="animate-spin" /> : <ArrowLeftRight size={13} />}
        disabled={stop.isPending}
        onClick={() => stop.mutate()}
        data-testid="sandbox-banner-stop"
      >
        Back to AWS
      </Button>
    </div>
  );
}
