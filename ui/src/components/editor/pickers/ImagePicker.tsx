// Image: type to search the region's images by id or name; quick-start images (Amazon Linux,
// Ubuntu, Debian...) first, then the account's own. Free text stays possible (any AMI id).
import { useMemo } from "react";
import type { ImageInfo } from "../../../bindings/ImageInfo";
import type { AccountList } from "../../../lib/account";
import { Combobox, type ComboOption } from "../../ui/Combobox";
import { day, NotFound, PickerRow } from "./common";

function option(image: ImageInfo): ComboOption {
  const quick = image.source === "quickStart";
  return {
    value: image.id,
    search: [image.id, image.name, image.family, image.architecture, image.description].filter(Boolean).join(" "),
    group: quick ? "Quick start" : "Your images",
    label: (
      <span title={image.name}>
        <span className="font-medium">{quick ? (image.family ?? image.name) : image.name}</span>
        <span className="ml-1.5 text-[11px] opacity-80">{image.architecture}</span>
      </span>
    ),
    detail: <span className="font-mono">{[image.id, day(image.creationDate), quick ? image.name : image.description].filter(Boolean).join(" · ")}</span>,
    testId: `image-option-${image.id}`,
  };
}

export function ImagePicker({
  id,
  region,
  value,
  placeholder,
  invalid,
  list,
  onChange,
  onPick,
}: {
  id: string;
  region: string | null;
  value: string;
  placeholder: string;
  invalid?: boolean;
  list: AccountList<ImageInfo[]>;
  onChange: (value: string) => void;
  /** An image was picked from the list (the editor also fills the login user from it). */
  onPick: (image: ImageInfo) => void;
}) {
  const images = list.data;
  const options = useMemo(() => {
    const all = images ?? [];
    return [...all.filter((i) => i.source === "quickStart"), ...all.filter((i) => i.source !== "quickStart")].map(option);
  }, [images]);
  const picked = value.trim() ? images?.find((i) => i.id === value.trim()) : undefined;
  return (
    <>
      <PickerRow list={list} what="images" testId="cloud-image">
        <Combobox
          id={id}
          value={value}
          onChange={onChange}
          onPick={(o) => {
            const image = images?.find((i) => i.id === o.value);
            if (image) onPick(image);
          }}
          options={options}
          placeholder={placeholder}
          invalid={invalid}
          testId="cloud-image"
        />
      </PickerRow>
      {picked ? (
        <p className="truncate text-[12px] text-muted" data-testid="cloud-image-info" title={picked.name}>
          {picked.family ?? picked.name} · {picked.architecture}
          {picked.loginUser && <> · logs in as <span className="font-mono">{picked.loginUser}</span></>}
        </p>
      ) : (
        images && value.trim() && !invalid && <NotFound value={value.trim()} where={region ?? ""} testId="cloud-image-not-found" />
      )}
    </>
  );
}
