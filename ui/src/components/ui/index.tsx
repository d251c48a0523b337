// Small building blocks with one look: buttons, fields, dialogs, menus, state badges.
import { forwardRef, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import { Dialog as RDialog, Tooltip as RTooltip } from "radix-ui";
import { AlertCircle, X } from "lucide-react";
import type { Explained } from "../../lib/errors";

export function cx(...parts: (string | false | null | undefined)[]) {
  return parts.filter(Boolean).join(" ");
}

type Variant = "primary" | "secondary" | "ghost" | "danger";
const variants: Record<Variant, string> = {
  primary: "bg-accent text-accent-fg hover:brightness-110 border border-transparent",
  secondary: "bg-panel text-fg border border-line-strong hover:bg-hover",
  ghost: "bg-transparent text-fg border border-transparent hover:bg-hover",
  danger: "bg-danger text-white border border-transparent hover:brightness-110 dark:text-black",
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: "sm" | "md";
  icon?: ReactNode;
  /** Square, for a button that shows only its icon. */
  iconOnly?: boolean;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = "secondary", size = "md", icon, iconOnly, className, children, type = "button", ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      className={cx(
        "inline-flex shrink-0 items-center justify-center gap-1.5 rounded-md font-medium whitespace-nowrap transition-colors select-none [&_svg]:shrink-0",
        "disabled:cursor-not-allowed disabled:opacity-50 disabled:hover:brightness-100",
        size === "sm" ? "h-7 text-[12px]" : "h-8 text-[13px]",
        iconOnly ? (size === "sm" ? "w-7" : "w-8") : size === "sm" ? "px-2" : "px-3",
        variants[variant],
        className,
      )}
      {...rest}
    >
      {icon}
      {children}
    </button>
  );
});

export function Tooltip({ label, children, side = "bottom" }: { label: ReactNode; children: ReactNode; side?: "top" | "bottom" | "left" | "right" }) {
  return (
    <RTooltip.Root delayDuration={400}>
      <RTooltip.Trigger asChild>{children}</RTooltip.Trigger>
      <RTooltip.Portal>
        <RTooltip.Content
          side={side}
          sideOffset={6}
          className="z-50 max-w-xs rounded-md bg-fg px-2 py-1 text-[12px] text-bg shadow-pop"
        >
          {label}
        </RTooltip.Content>
      </RTooltip.Portal>
    </RTooltip.Root>
  );
}

/** An icon button that always has a name: shown as a tooltip, and as a label when `showLabel`. */
export const IconButton = forwardRef<HTMLButtonElement, ButtonProps & { label: string; shortcut?: string; showLabel?: boolean }>(
  function IconButton({ label, shortcut, showLabel, icon, variant = "ghost", size = "md", className, ...rest }, ref) {
    return (
      <Tooltip label={shortcut ? `${label} (${shortcut})` : label}>
        <Button
          ref={ref}
          variant={variant}
          size={size}
          icon={icon}
          aria-label={label}
          iconOnly={!showLabel}
          className={className}
          {...rest}
        >
          {showLabel ? label : null}
        </Button>
      </Tooltip>
    );
  },
);

const fieldBase =
  "w-full rounded-md border bg-panel px-2.5 text-[13px] text-fg placeholder:text-faint outline-none transition-colors focus:border-accent focus:ring-2 focus:ring-accent/25 disabled:opacity-60";

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }>(function Input(
  { invalid, className, ...rest },
  ref,
) {
  return <input ref={ref} spellCheck={false} autoComplete="off" aria-invalid={invalid || undefined} className={cx(fieldBase, "h-8", invalid ? "border-danger" : "border-line-strong", className)} {...rest} />;
});

export const TextArea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement> & { invalid?: boolean }>(function TextArea(
  { invalid, className, ...rest },
  ref,
) {
  return (
    <textarea
      ref={ref}
      spellCheck={false}
      aria-invalid={invalid || undefined}
      className={cx(fieldBase, "min-h-16 py-1.5 font-mono text-[12px] leading-snug", invalid ? "border-danger" : "border-line-strong", className)}
      {...rest}
    />
  );
});

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }>(function Select(
  { invalid, className, children, ...rest },
  ref,
) {
  return (
    <select ref={ref} aria-invalid={invalid || undefined} className={cx(fieldBase, "field-select h-8 truncate pr-7", invalid ? "border-danger" : "border-line-strong", className)} {...rest}>
      {children}
    </select>
  );
});

export function Field({
  label,
  htmlFor,
  hint,
  error,
  children,
  className,
  testId,
}: {
  label: ReactNode;
  htmlFor?: string;
  hint?: ReactNode;
  error?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <div className={cx("flex min-w-0 flex-col gap-1", className)} data-testid={testId ? `${testId}-field` : undefined}>
      <label htmlFor={htmlFor} className="text-[12px] font-medium text-muted">
        {label}
      </label>
      {children}
      {error ? (
        <p className="flex items-start gap-1 text-[12px] text-danger" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          <AlertCircle size={13} className="mt-px shrink-0" aria-hidden />
          <span>{error}</span>
        </p>
      ) : hint ? (
        <p className="text-[12px] text-muted" data-testid={testId ? `${testId}-hint` : undefined}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A backend error in words, with what to do next. */
export function ErrorNote({ error, testId = "error-note", className }: { error: Explained | null | undefined; testId?: string; className?: string }) {
  if (!error) return null;
  return (
    <div role="alert" data-testid={testId} className={cx("flex gap-2 rounded-md border border-danger/40 bg-danger-soft px-3 py-2 text-[13px] text-fg", className)}>
      <AlertCircle size={16} className="mt-0.5 shrink-0 text-danger" aria-hidden />
      <div className="min-w-0" data-selectable>
        <p className="break-words">{error.message}</p>
        {error.hint && <p className="mt-0.5 text-muted">{error.hint}</p>}
      </div>
    </div>
  );
}

export function Modal({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  testId,
  wide,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  testId: string;
  wide?: boolean;
}) {
  return (
    <RDialog.Root open={open} onOpenChange={onOpenChange}>
      <RDialog.Portal>
        <RDialog.Overlay className="fixed inset-0 z-40 bg-black/35" />
        <RDialog.Content
          data-testid={testId}
          className={cx(
            "fixed top-1/2 left-1/2 z-50 flex max-h-[calc(100vh-32px)] w-[calc(100vw-32px)] -translate-x-1/2 -translate-y-1/2 flex-col rounded-lg border border-line bg-panel shadow-pop outline-none",
            wide ? "max-w-[640px]" : "max-w-[460px]",
          )}
        >
          <div className="flex items-start justify-between gap-3 border-b border-line px-4 py-3">
            <div className="min-w-0">
              <RDialog.Title className="text-[15px] font-semibold">{title}</RDialog.Title>
              {description ? (
                <RDialog.Description className="mt-0.5 text-[12px] text-muted">{description}</RDialog.Description>
              ) : (
                <RDialog.Description className="sr-only">{title}</RDialog.Description>
              )}
            </div>
            <RDialog.Close asChild>
              <button aria-label="Close" className="rounded-md p-1 text-muted hover:bg-hover hover:text-fg">
                <X size={16} />
              </button>
            </RDialog.Close>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto px-4 py-3">{children}</div>
          {footer && <div className="flex items-center justify-end gap-2 border-t border-line px-4 py-3">{footer}</div>}
        </RDialog.Content>
      </RDialog.Portal>
    </RDialog.Root>
  );
}

export const menuContent = "z-50 min-w-[200px] rounded-md border border-line bg-panel p-1 text-[13px] text-fg shadow-pop";
export const menuItem =
  "flex h-7 cursor-default items-center gap-2 rounded px-2 outline-none select-none data-[disabled]:opacity-45 data-[highlighted]:bg-accent data-[highlighted]:text-accent-fg";
export const menuSeparator = "my-1 h-px bg-line";
export const menuLabel = "px-2 py-1 text-[11px] font-semibold tracking-wide text-faint uppercase";

export function Kbd({ children }: { children: ReactNode }) {
  return <span className="ml-auto pl-4 text-[11px] text-faint group-data-[highlighted]:text-accent-fg/80">{children}</span>;
}

export function Switch({ checked, onChange, label, id, testId }: { checked: boolean; onChange: (v: boolean) => void; label: ReactNode; id: string; testId?: string }) {
  return (
    <label htmlFor={id} className="inline-flex cursor-pointer items-center gap-2 text-[13px]">
      <input id={id} type="checkbox" className="peer sr-only" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span
        aria-hidden
        className="relative h-[18px] w-8 shrink-0 rounded-full bg-line-strong transition-colors peer-checked:bg-accent peer-focus-visible:outline-2 peer-focus-visible:outline-accent after:absolute after:top-[2px] after:left-[2px] after:h-[14px] after:w-[14px] after:rounded-full after:bg-white after:transition-transform peer-checked:after:translate-x-[14px]"
      />
      {label}
    </label>
  );
}

export function SectionTitle({ children, right }: { children: ReactNode; right?: ReactNode }) {
  return (
    <div className="mb-2 flex items-center justify-between gap-2">
      <h3 className="text-[11px] font-semibold tracking-wide text-muted uppercase">{children}</h3>
      {right}
    </div>
  );
}

/** A label/value row of the inspector's detail lists. */
export function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="grid grid-cols-[92px_minmax(0,1fr)] gap-2 py-1 text-[12px]">
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0 break-words" data-testid={testId} data-selectable>
        {children}
      </dd>
    </div>
  );
}

/** What a detail row shows when there is no value. */
export const dash = <span className="text-faint">—</span>;
