// The runs kept in the app's folder, newest first; one opens in the panel, read-only.
import { useQuery } from "@tanstack/react-query";
import { History, TerminalSquare, Upload } from "lucide-react";
import { backend } from "../../lib/backend";
import { explain } from "../../lib/errors";
import { runKeys } from "../../lib/queryKeys";
import { cx, ErrorNote, SectionTitle } from "../ui";

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString([], { hour12: false, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
};

export function PastRuns({ shown, onOpen }: { shown: string | null; onOpen: (id: string) => void }) {
  const runs = useQuery({ queryKey: runKeys.list, queryFn: backend.runsList });
  return (
    <section className="flex min-h-0 flex-col" data-testid="past-runs">
      <SectionTitle>
        <span className="flex items-center gap-1.5">
          <History size={12} /> Past runs
        </span>
      </SectionTitle>
      <ErrorNote error={runs.error ? explain(runs.error) : null} testId="past-runs-error" />
      {runs.data?.length === 0 && <p className="text-[12px] text-muted">None yet.</p>}
      <ul className="flex flex-col gap-0.5">
        {runs.data?.map((r) => (
          <li key={r.id}>
            <button
              className={cx("flex w-full flex-col rounded px-2 py-1.5 text-left hover:bg-hover", r.id === shown && "bg-accent-soft")}
              onClick={() => onOpen(r.id)}
              data-testid="past-run"
              data-id={r.id}
            >
              <span className="flex min-w-0 items-center gap-1.5 text-[12px]">
                {r.kind === "copy" ? <Upload size={12} className="shrink-0 text-muted" /> : <TerminalSquare size={12} className="shrink-0 text-muted" />}
                <span className="truncate font-mono" title={r.command}>
                  {r.command}
                </span>
              </span>
              <span className="text-[11px] text-muted">
                {when(r.startedAt)} · {r.nodes} node{r.nodes === 1 ? "" : "s"}
                {r.failed > 0 && <span className="text-danger"> · {r.failed} failed</span>}
                {r.finishedAt === null && " · running"}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
