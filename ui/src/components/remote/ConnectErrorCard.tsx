// Why a terminal could not connect, with what helps, picked by the error's code: a missing key
// file leads to the node's key pair (its Cloud section creates one), a timeout or refusal offers
// "Allow SSH from this computer", a stopped instance offers Start (the usual confirmation), a
// refused login offers the image's usual login names (UsualUsers). The message always shows;
// Try again starts over.
import { KeyRound, Play, RotateCw } from "lucide-react";
import { actions } from "../../lib/actions";
import { cloudActions } from "../../lib/cloud";
import { BackendError } from "../../lib/backend";
import { explain } from "../../lib/errors";
import { AllowSshFromHere } from "../cloud/CloudDialogs";
import { Button, ErrorNote } from "../ui";
import { UsualUsers } from "./UsualUsers";

function code(error: unknown): string | null {
  if (error instanceof BackendError) return error.code;
  return error && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : null;
}

export function ConnectErrorCard({ node, error, onRetry }: { node: string; error: unknown; onRetry: () => void }) {
  const c = code(error);
  return (
    <section className="flex flex-col gap-2" data-testid="terminal-error" data-code={c ?? undefined}>
      <ErrorNote error={explain(error)} testId="terminal-error-note" />
      {c === "remote.auth_failed" && <UsualUsers node={node} onRetry={onRetry} />}
      <div className="flex flex-wrap items-start gap-2">
        {c === "remote.key_missing" && (
          <Button size="sm" icon={<KeyRound size={12} />} onClick={() => actions.open(node)} title="The node's Cloud section picks, creates or imports its key pair" data-testid="terminal-fix-key">
            Choose or create a key pair…
          </Button>
        )}
        {c === "remote.not_running" && (
          <Button size="sm" icon={<Play size={12} />} onClick={() => cloudActions.confirm({ kind: "node", name: node }, "start")} title="Starts the node's instance (you confirm first); connect again once it runs" data-testid="terminal-fix-start">
            Start instance…
          </Button>
        )}
        {(c === "remote.timeout" || c === "remote.refused") && <AllowSshFromHere nodes={[node]} testId="terminal-allow-ssh-here" />}
        {/* The practice sandbox has no machines: trying again cannot help. */}
        {c !== "remote.sandbox" && (
          <Button size="sm" icon={<RotateCw size={12} />} onClick={onRetry} className={c === "remote.timeout" || c === "remote.refused" ? "mt-1" : undefined} data-testid="terminal-retry">
            Try again
          </Button>
        )}
      </div>
    </section>
  );
}
