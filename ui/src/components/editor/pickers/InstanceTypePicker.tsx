// Instance type: the region's types for the picked image's architecture, searchable,
// "t3.micro — 2 vCPU, 1 GiB". Several types separated by commas can still be typed.
import { useMemo } from "react";
import type { InstanceTypeInfo } from "../../../bindings/InstanceTypeInfo";
import type { AccountList } from "../../../lib/account";
import { splitList } from "../../../lib/props";
import { Combobox, type ComboOption } from "../../ui/Combobox";
import { gib, NotFound, PickerRow } from "./common";

export function typeLabel(t: InstanceTypeInfo): string {
  return `${t.name} — ${t.vcpus} vCPU, ${gib(t.memoryMib)}`;
}

export function InstanceTypePicker({
  id,
  region,
  architecture,
  value,
  placeholder,
  list,
  onChange,
}: {
  id: string;
  region: string | null;
  architecture: string | null;
  value: string;
  placeholder: string;
  list: AccountList<InstanceTypeInfo[]>;
  onChange: (value: string) => void;
}) {
  const types = list.data;
  const options = useMemo<ComboOption[]>(
    () =>
      [...(types ?? [])]
        // Smallest first: sizes are what people compare.
        .sort((a, b) => a.vcpus - b.vcpus || a.memoryMib - b.memoryMib || a.name.localeCompare(b.name, undefined, { numeric: true }))
        .map((t) => ({ value: t.name, search: `${t.name} ${t.architectures.join(" ")}`, label: typeLabel(t), testId: `type-option-${t.name}` })),
    [types],
  );
  const missing = types ? splitList(value).filter((v) => !types.some((t) => t.name === v)) : [];
  return (
    <>
      <PickerRow list={list} what="instance types" testId="cloud-type">
        <Combobox id={id} value={value} onChange={onChange} options={options} placeholder={placeholder} testId="cloud-type" />
      </PickerRow>
      {missing.length > 0 && <NotFound value={missing.join(", ")} where={[region, architecture].filter(Boolean).join(", ")} testId="cloud-type-not-found" />}
    </>
  );
}
