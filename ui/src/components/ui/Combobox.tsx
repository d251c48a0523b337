// A text field with a searchable list under it (ARIA combobox). The text is the value: what is
// typed is kept even when no option matches (a value from another account, a list that failed
// to load; the list then simply closes), and picking an option writes its value. With `multiple`, the text is a
// comma-separated list and options toggle in it; the filter uses the last entry being typed.
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { Popover } from "radix-ui";
import { Check, ChevronDown } from "lucide-react";
import { cx, Input, menuContent } from "./index";

export interface ComboOption {
  /** What picking it writes (single) or toggles (multiple). */
  value: string;
  /** The text the filter looks in (id, name, family...). */
  search: string;
  label: ReactNode;
  /** A second line: details. */
  detail?: ReactNode;
  /** Options of one group are listed together, under this heading. */
  group?: string;
  testId: string;
}

/** How many options are drawn at once; the rest are reached by typing. */
const LIMIT = 150;

function lastEntry(text: string): string {
  const parts = text.split(",");
  return parts[parts.length - 1].trim();
}

export function matches(option: ComboOption, query: string): boolean {
  const hay = option.search.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => hay.includes(word));
}

export function Combobox({
  id,
  value,
  onChange,
  onPick,
  options,
  placeholder,
  invalid,
  disabled,
  testId,
  multiple,
  isSelected,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** Called with the option picked and the filter typed (if any); by default (single) the value becomes option.value. */
  onPick?: (option: ComboOption, query: string) => void;
  options: ComboOption[];
  placeholder?: string;
  invalid?: boolean;
  disabled?: boolean;
  /** On the text field; the list is `${testId}-list`, the open button `${testId}-toggle`. */
  testId: string;
  multiple?: boolean;
  isSelected?: (option: ComboOption) => boolean;
}) {
  const listId = useId();
  const anchor = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  // The list is filtered only by what was typed since it opened: opening it on a picked value shows everything.
  const [typed, setTyped] = useState(false);
  const [active, setActive] = useState(0);

  const query = typed ? (multiple ? lastEntry(value) : value.trim()) : "";
  const filtered = useMemo(() => (query ? options.filter((o) => matches(o, query)) : options), [options, query]);
  const shown = filtered.slice(0, LIMIT);
  const selected = (o: ComboOption) => (isSelected ? isSelected(o) : o.value === value.trim());
  const canOpen = options.length > 0 && !disabled;
  // Nothing to offer (no match, or exactly the one option typed in full): no list over the fields below.
  const visible = open && canOpen && shown.length > 0 && !(query && shown.length === 1 && shown[0].value === query);

  // The active option stays in view (on opening at the current value, and with the arrow keys).
  useEffect(() => {
    if (visible) document.getElementById(`${listId}-o${active}`)?.scrollIntoView({ block: "nearest" });
  }, [visible, active, listId]);

  const show = () => {
    if (!canOpen) return;
    setTyped(false);
    const i = options.findIndex(selected);
    setActive(i >= 0 && i < LIMIT ? i : 0);
    setOpen(true);
  };
  const pick = (o: ComboOption) => {
    if (onPick) onPick(o, query);
    else onChange(o.value);
    setTyped(false);
    if (!multiple) setOpen(false);
    input.current?.focus();
  };

  const optionId = (i: number) => `${listId}-o${i}`;
  let lastGroup: string | undefined;

  return (
    <Popover.Root open={visible} onOpenChange={setOpen}>
      <Popover.Anchor asChild>
        <div ref={anchor} className="relative flex min-w-0 flex-1">
          <Input
            ref={input}
            id={id}
            role="combobox"
            aria-expanded={visible}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={visible && shown[active] ? optionId(active) : undefined}
            value={value}
            placeholder={placeholder}
            invalid={invalid}
            disabled={disabled}
            className={cx(canOpen && "pr-7")}
            data-testid={testId}
            onChange={(e) => {
              onChange(e.target.value);
              setTyped(true);
              setActive(0);
              if (canOpen) setOpen(true);
            }}
            onClick={() => !visible && show()}
            onKeyDown={(e) => {
              if (e.key === "ArrowDown") {
                e.preventDefault();
                if (!visible) show();
                else setActive((a) => Math.min(a + 1, shown.length - 1));
              } else if (e.key === "ArrowUp") {
                e.preventDefault();
                setActive((a) => Math.max(a - 1, 0));
              } else if (e.key === "Enter" && visible && shown[active]) {
                e.preventDefault();
                pick(shown[active]);
              } else if (e.key === "Escape" && visible) {
                e.preventDefault();
                e.stopPropagation();
                setOpen(false);
              } else if (e.key === "Tab") {
                setOpen(false);
              }
            }}
          />
          {canOpen && (
            <button
              type="button"
              tabIndex={-1}
              aria-label="Show the list"
              className="absolute top-0 right-0 flex h-8 w-7 items-center justify-center text-muted hover:text-fg"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => (visible ? setOpen(false) : (show(), input.current?.focus()))}
              data-testid={`${testId}-toggle`}
            >
              <ChevronDown size={14} />
            </button>
          )}
        </div>
      </Popover.Anchor>
      <Popover.Portal>
        <Popover.Content
          align="start"
          sideOffset={4}
          collisionPadding={8}
          // The text field keeps the focus: typing goes on filtering while the list is open.
          onOpenAutoFocus={(e) => e.preventDefault()}
          onCloseAutoFocus={(e) => e.preventDefault()}
          onInteractOutside={(e) => {
            if (anchor.current?.contains(e.target as Node)) e.preventDefault();
          }}
          className={cx(
            menuContent,
            "max-h-[min(340px,var(--radix-popover-content-available-height))] w-max max-w-[min(560px,calc(100vw-24px))] min-w-[var(--radix-popover-trigger-width)] overflow-y-auto",
          )}
        >
          <div role="listbox" id={listId} aria-multiselectable={multiple || undefined} data-testid={`${testId}-list`}>
            {shown.map((o, i) => {
              const heading = o.group !== lastGroup ? o.group : undefined;
              lastGroup = o.group;
              const on = selected(o);
              return (
                <div key={`${o.group ?? ""}:${o.value}`}>
                  {heading && (
                    <div role="presentation" className="px-2 pt-1.5 pb-0.5 text-[11px] font-semibold tracking-wide text-faint uppercase">
                      {heading}
                    </div>
                  )}
                  <div
                    id={optionId(i)}
                    role="option"
                    aria-selected={on}
                    data-testid={o.testId}
                    data-active={i === active || undefined}
                    className={cx("flex cursor-default items-start gap-2 rounded px-2 py-1 select-none", i === active ? "bg-accent text-accent-fg" : "")}
                    onMouseDown={(e) => e.preventDefault()}
                    onMouseEnter={() => setActive(i)}
                    onClick={() => pick(o)}
                  >
                    <Check size={13} className={cx("mt-0.5 shrink-0", on ? "" : "invisible")} aria-hidden />
                    <div className="min-w-0">
                      <div className="truncate">{o.label}</div>
                      {o.detail && <div className={cx("truncate text-[11px]", i === active ? "text-accent-fg/85" : "text-muted")}>{o.detail}</div>}
                    </div>
                  </div>
                </div>
              );
            })}
            {filtered.length > shown.length && (
              <p className="px-2 py-1.5 text-[12px] text-muted" data-testid={`${testId}-more`}>
                {filtered.length - shown.length} more: type to narrow the list.
              </p>
            )}
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
