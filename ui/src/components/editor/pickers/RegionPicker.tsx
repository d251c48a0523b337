// Region: a select of the account's regions ("US East (N. Virginia) — us-east-1"), else the
// core's reference list, else free text. A region the list does not have is kept, with a warning.
import type { RegionList } from "../../../bindings/RegionList";
import type { AccountList } from "../../../lib/account";
import type { RegionInfo as Region } from "../../../bindings/RegionInfo";
import { Input, Select } from "../../ui";
import { NotFound, PickerRow } from "./common";

export function RegionPicker({
  id,
  value,
  inherit,
  invalid,
  list,
  fallback,
  onChange,
}: {
  id: string;
  value: string;
  /** The inherited value, for the empty option. */
  inherit?: string;
  invalid?: boolean;
  list: AccountList<RegionList>;
  /** The core's reference list, used while the account's is not there. */
  fallback: Region[];
  onChange: (value: string) => void;
}) {
  const fromAccount = !!list.data?.regions.length;
  const regions: Region[] = fromAccount ? list.data!.regions : fallback;
  const code = value.trim();
  const known = !code || regions.some((r) => r.code === code);
  return (
    <>
      <PickerRow list={list} what="regions" testId="cloud-region">
        {regions.length ? (
          <Select id={id} value={value} onChange={(e) => onChange(e.target.value)} invalid={invalid} data-testid="cloud-region">
            <option value="">{inherit ? `(inherit: ${inherit})` : "(not set)"}</option>
            {!known && <option value={value}>{fromAccount ? `${value} (not found in this account)` : `${value} (unknown)`}</option>}
            {regions.map((r) => (
              <option key={r.code} value={r.code} data-testid={`region-option-${r.code}`}>
                {r.name ? `${r.name} — ${r.code}` : r.code}
              </option>
            ))}
          </Select>
        ) : (
          <Input id={id} value={value} onChange={(e) => onChange(e.target.value)} placeholder={inherit ?? "us-east-1"} invalid={invalid} data-testid="cloud-region" />
        )}
      </PickerRow>
      {fromAccount && !known && !invalid && <NotFound value={code} where="its regions" testId="cloud-region-not-found" />}
    </>
  );
}
