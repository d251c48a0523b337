// Pieces every account picker shares: the control with its refresh button, and the line saying
// a value is kept although this account/region does not list it.
import type { ReactNode } from "react";
import { Loader2, RefreshCw, TriangleAlert } from "lucide-react";
import type { AccountList } from "../../../lib/account";
import { IconButton } from "../../ui";

/** The control, then a small button that asks the account again (refresh=true). */
export function PickerRow({ list, what, testId, children }: { list: AccountList<unknown>; what: string; testId: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 items-center gap-1">
      {children}
      {list.enabled && (
        <IconButton
          size="sm"
          label={`Read the ${what} from the account again`}
          icon={list.fetching ? <Loader2 size={13} className="animate-spin" /> : <RefreshCw size={13} />}
          disabled={list.fetching}
          onClick={list.refresh}
          className="text-muted"
          data-testid={`${testId}-refresh`}
          data-loading={list.fetching || undefined}
        />
      )}
    </div>
  );
}

/** A value the account's list does not have: it stays (it may belong to another account), with a warning. */
export function NotFound({ value, where, testId }: { value: string; where: string; testId: string }) {
  return (
    <p className="flex items-start gap-1 text-[12px] text-warn" data-testid={testId}>
      <TriangleAlert size={12} className="mt-0.5 shrink-0" />
      <span>
        <span className="font-mono">{value}</span> is not found in this account/region ({where}). It is kept as it is.
      </span>
    </p>
  );
}

/** "1 GiB", "0.5 GiB", "16 GiB". */
export function gib(mib: number): string {
  return `${Number((mib / 1024).toFixed(2))} GiB`;
}

/** The day of an ISO date, for lists (full date in the title). */
export function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : "";
}
