// Settings: the account in use (and the button that fixes it when it cannot be reached), which
// AWS credentials to use (a set stored in the OS keyring, a profile, SSO sign-in, the
// environment, or automatic), the stored sets (name and key id only: the secret is
// write-only), the practice sandbox, and a custom EC2 endpoint (LocalStack and the like).
import { forwardRef, useEffect, useId, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, KeyRound, Loader2, Save, Trash2 } from "lucide-react";
import { backend } from "../../lib/backend";
import { useAccountStatus, useSandboxControls, useSsoLogin, type SsoControls } from "../../lib/account";
import { explain } from "../../lib/errors";
import { useSettings } from "../../lib/queries";
import { cloudKeys, keys } from "../../lib/queryKeys";
import { useUi } from "../../lib/store";
import type { CredentialChoice } from "../../bindings/CredentialChoice";
import { Button, ErrorNote, Field, Input, Modal, SectionTitle, Select } from "../ui";
import type { FixHandlers } from "../cloud/FixButton";
import { AccountCard } from "./settings/AccountCard";
import { SandboxSection } from "./settings/SandboxSection";
import { SsoProfiles } from "./settings/SsoProfiles";

function choiceValue(c: CredentialChoice | undefined): string {
  if (!c) return "automatic";
  switch (c.kind) {
    case "automatic":
    case "environment":
      return c.kind;
    case "profile":
      return `profile:${c.name}`;
    case "storedSet":
      return `storedSet:${c.name}`;
  }
}

function parseChoice(v: string): CredentialChoice {
  if (v.startsWith("profile:")) return { kind: "profile", name: v.slice(8) };
  if (v.startsWith("storedSet:")) return { kind: "storedSet", name: v.slice(10) };
  return v === "environment" ? { kind: "environment" } : { kind: "automatic" };
}

/** Brings a section into view and puts the focus in it (its first control). */
function reveal(el: HTMLElement | null) {
  if (!el) return;
  el.scrollIntoView({ block: "start", behavior: "smooth" });
  (el.querySelector("select, input, button") as HTMLElement | null)?.focus({ preventScroll: true });
}

export function SettingsDialog({ focus, signIn }: { focus?: "credentials" | "sandbox"; signIn?: string } = {}) {
  const close = useUi((s) => s.closeDialog);
  const sso = useSsoLogin();
  const sandbox = useSandboxControls();
  const credentials = useRef<HTMLElement>(null);
  const sandboxRef = useRef<HTMLElement>(null);
  const handlers: FixHandlers = {
    openCredentials: () => reveal(credentials.current),
    signIn: (profile) => void sso.start(profile),
    startSandbox: () => sandbox.start.mutate(),
    busy: sandbox.start.isPending,
  };
  // Opened to fix something (from the launch preview or the editor): do it once.
  const opened = useRef(false);
  const startSso = sso.start;
  useEffect(() => {
    if (opened.current) return;
    opened.current = true;
    if (signIn) void startSso(signIn);
    else if (focus) setTimeout(() => reveal(focus === "sandbox" ? sandboxRef.current : credentials.current), 0);
  }, [focus, signIn, startSso]);
  return (
    <Modal
      open
      wide
      onOpenChange={(o) => !o && close()}
      title="Settings"
      description="The AWS account the app works in: credentials, sign-in, the practice sandbox and the EC2 endpoint. Secrets go into the system keyring and are never shown again."
      testId="settings-dialog"
      footer={
        <Button onClick={close} data-testid="settings-close">
          Close
        </Button>
      }
    >
      <div className="flex flex-col gap-5">
        <AccountCard handlers={handlers} sso={sso} />
        <CredentialsSection ref={credentials} sso={sso} />
        <SandboxSection ref={sandboxRef} controls={sandbox} />
        <EndpointSection />
      </div>
    </Modal>
  );
}

const CredentialsSection = forwardRef<HTMLElement, { sso: SsoControls }>(function CredentialsSection({ sso }, ref) {
  const id = useId();
  const client = useQueryClient();
  const status = useQuery({ queryKey: cloudKeys.credentials, queryFn: backend.credentialsStatus, staleTime: 0 });
  const sets = useQuery({ queryKey: cloudKeys.credentialSets, queryFn: backend.listCredentialSets, staleTime: 0 });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: cloudKeys.credentials });
    void client.invalidateQueries({ queryKey: cloudKeys.credentialSets });
  };
  const choose = useMutation({
    mutationFn: (c: CredentialChoice) => backend.chooseCredentials(c),
    onSuccess: (s) => {
      client.setQueryData(cloudKeys.credentials, s);
      useUi.getState().log(s.source ? `Credentials: ${s.source.description}` : "Credentials: none usable");
      void client.invalidateQueries({ queryKey: keys.settings });
    },
  });
  const remove = useMutation({
    mutationFn: (name: string) => backend.deleteCredentialSet(name),
    onSuccess: (_r, name) => {
      useUi.getState().log(`Removed the stored credential set '${name}' from the keyring`);
      refresh();
    },
  });

  const accountError = useAccountStatus().data?.error?.code;
  const st = status.data;
  const profileNames = st?.profiles.map((p) => p.name) ?? [];
  return (
    <section ref={ref} data-testid="settings-credentials" className="scroll-mt-2">
      <SectionTitle>
        <span className="flex items-center gap-1.5">
          <KeyRound size={13} /> AWS credentials
        </span>
      </SectionTitle>
      {status.isPending ? (
        <p className="flex items-center gap-2 text-[12px] text-muted">
          <Loader2 size={13} className="animate-spin" /> Looking for credentials…
        </p>
      ) : status.error ? (
        <ErrorNote error={explain(status.error)} testId="settings-credentials-status-error" />
      ) : st ? (
        <div className="flex flex-col gap-3">
          {st.source ? (
            <p className="flex items-start gap-1.5 rounded-md bg-ok-soft px-2.5 py-1.5 text-[13px]" data-testid="settings-credentials-source" data-kind={st.source.kind}>
              <CheckCircle2 size={14} className="mt-0.5 shrink-0 text-ok" />
              <span>
                In use: {st.source.description}
                {!st.source.chosenExplicitly && <span className="text-muted"> (found automatically)</span>}
              </span>
            </p>
          ) : st.error && st.error.code === accountError ? (
            // The account card above says it already, with its fix.
            <p className="text-[13px] text-muted" data-testid="settings-credentials-error" data-code={st.error.code}>
              No credentials in use: see the account above.
            </p>
          ) : (
            <ErrorNote error={st.error ? explain(st.error) : { code: "credentials.missing", message: "No credentials can be used." }} testId="settings-credentials-error" />
          )}
          <Field label="Use" htmlFor={`${id}-choice`} hint="Automatic tries the environment, AWS_PROFILE, the stored set 'default', then the profile 'default'.">
            <Select
              id={`${id}-choice`}
              value={choiceValue(st.choice)}
              disabled={choose.isPending}
              onChange={(e) => choose.mutate(parseChoice(e.target.value))}
              data-testid="settings-credentials-choice"
            >
              <option value="automatic">Automatic</option>
              <option value="environment">Environment variables (AWS_ACCESS_KEY_ID…)</option>
              {st.sets.length > 0 && (
                <optgroup label="Stored in the keyring">
                  {st.sets.map((n) => (
                    <option key={n} value={`storedSet:${n}`}>
                      Stored set: {n}
                    </option>
                  ))}
                </optgroup>
              )}
              {st.profiles.length > 0 && (
                <optgroup label="AWS profiles (~/.aws)">
                  {st.profiles.map((p) => (
                    <option key={p.name} value={`profile:${p.name}`}>
                      Profile: {p.name}
                      {p.sso ? " (SSO)" : ""}
                    </option>
                  ))}
                </optgroup>
              )}
              {st.choice.kind === "storedSet" && !st.sets.includes(st.choice.name) && <option value={choiceValue(st.choice)}>Stored set: {st.choice.name} (not found)</option>}
              {st.choice.kind === "profile" && !profileNames.includes(st.choice.name) && <option value={choiceValue(st.choice)}>Profile: {st.choice.name} (not found)</option>}
            </Select>
          </Field>
          <ErrorNote error={choose.error ? explain(choose.error) : null} testId="settings-choice-error" />
          <SsoProfiles profiles={st.profiles} sso={sso} />

          <div>
            <p className="mb-1 text-[12px] font-medium text-muted">Stored credential sets</p>
            {st.setsError ? (
              <ErrorNote error={explain(st.setsError)} testId="settings-keyring-error" />
            ) : sets.data && sets.data.length > 0 ? (
              <ul className="flex flex-col divide-y divide-line rounded-md border border-line" data-testid="settings-sets">
                {sets.data.map((s) => (
                  <li key={s.name} className="flex items-center gap-2 px-2.5 py-1.5 text-[13px]" data-testid={`settings-set-${s.name}`}>
                    <KeyRound size={13} className="shrink-0 text-muted" />
                    <span className="font-medium">{s.name}</span>
                    <span className="font-mono text-[12px] text-muted" data-testid={`settings-set-key-${s.name}`}>
                      {s.accessKeyId ?? ""}
                    </span>
                    {s.problem && <span className="text-[12px] text-danger">{explain(s.problem).message}</span>}
                    <span className="ml-auto text-[11px] text-faint">keyring · secret stored</span>
                    <Button size="sm" variant="ghost" iconOnly aria-label={`Remove ${s.name}`} title="Remove from the keyring" icon={<Trash2 size={13} />} onClick={() => remove.mutate(s.name)} data-testid={`settings-set-delete-${s.name}`} />
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-[12px] text-muted" data-testid="settings-sets-empty">
                None yet.
              </p>
            )}
            <ErrorNote error={remove.error ? explain(remove.error) : null} className="mt-2" />
          </div>
          <NewSetForm onSaved={refresh} disabled={!!st.setsError} />
        </div>
      ) : null}
    </section>
  );
});

function NewSetForm({ onSaved, disabled }: { onSaved: () => void; disabled: boolean }) {
  const id = useId();
  const [name, setName] = useState("default");
  const [keyId, setKeyId] = useState("");
  // The secret lives only in this field until saved; it is cleared right after.
  const [secret, setSecret] = useState("");
  const [token, setToken] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => backend.saveCredentialSet({ name: name.trim(), accessKeyId: keyId.trim(), secretAccessKey: secret, ...(token.trim() ? { sessionToken: token.trim() } : {}) }),
    onSuccess: (s) => {
      setSecret("");
      setToken("");
      setKeyId("");
      setSaved(`Saved '${s.name}' (${s.accessKeyId ?? "key id unreadable"}) in the keyring.`);
      useUi.getState().log(`Stored credential set '${s.name}' (access key ${s.accessKeyId ?? "?"}) in the keyring`);
      onSaved();
    },
    onError: () => setSecret(""),
  });
  const problem = !name.trim() ? "Give the set a name." : !keyId.trim() ? "Enter the access key id." : !secret ? "Enter the secret access key." : undefined;
  return (
    <form
      className="flex flex-col gap-2 rounded-md border border-line p-3"
      autoComplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) save.mutate();
      }}
      data-testid="settings-new-set"
    >
      <p className="text-[12px] font-medium text-muted">Store a credential set in the keyring</p>
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        <Field label="Name" htmlFor={`${id}-name`}>
          <Input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} disabled={disabled} data-testid="settings-credentials-name" />
        </Field>
        <Field label="Access key id" htmlFor={`${id}-key`}>
          <Input id={`${id}-key`} value={keyId} onChange={(e) => setKeyId(e.target.value)} placeholder="AKIA…" disabled={disabled} data-testid="settings-credentials-key-id" />
        </Field>
        <Field label="Secret access key" htmlFor={`${id}-secret`} hint="Write-only: it goes into the keyring and is never shown again.">
          <Input
            id={`${id}-secret`}
            type="password"
            autoComplete="new-password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            disabled={disabled}
            data-testid="settings-credentials-secret"
          />
        </Field>
        <Field label="Session token (optional)" htmlFor={`${id}-token`}>
          <Input id={`${id}-token`} type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} disabled={disabled} data-testid="settings-credentials-token" />
        </Field>
      </div>
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 text-[12px] text-muted" data-testid="settings-credentials-saved">
          {saved ?? (keyId || secret ? problem : "")}
        </span>
        <Button type="submit" variant="primary" size="sm" icon={save.isPending ? <Loader2 size={13} className="animate-spin" /> : <Save size={13} />} disabled={disabled || !!problem || save.isPending} data-testid="settings-credentials-save">
          Save to keyring
        </Button>
      </div>
      <ErrorNote error={save.error ? explain(save.error) : null} testId="settings-credentials-save-error" />
    </form>
  );
}

function EndpointSection() {
  const id = useId();
  const client = useQueryClient();
  const settings = useSettings();
  const status = useQuery({ queryKey: cloudKeys.credentials, queryFn: backend.credentialsStatus, staleTime: 0 });
  const [endpoint, setEndpoint] = useState(settings.data?.ec2Endpoint ?? "");
  const problem = endpoint.trim() && !/^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/.test(endpoint.trim()) ? "An endpoint is a web address like http://127.0.0.1:5000." : undefined;
  const save = useMutation({
    mutationFn: () => backend.setEc2Endpoint(endpoint.trim() || null),
    onSuccess: (saved) => {
      useUi.getState().log(saved ? `EC2 endpoint set to ${saved}` : "EC2 endpoint: AWS");
      void client.invalidateQueries({ queryKey: keys.settings });
      void client.invalidateQueries({ queryKey: cloudKeys.credentials });
    },
  });
  const inUse = status.data?.endpoint;
  return (
    <section data-testid="settings-endpoint-section">
      <SectionTitle>EC2 endpoint</SectionTitle>
      <form
        className="flex flex-col gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem) save.mutate();
        }}
      >
        <Field
          label="Custom endpoint"
          htmlFor={`${id}-endpoint`}
          error={problem}
          hint="Leave empty to use AWS. For practice, the sandbox above sets its own endpoint; put an address here only for another EC2-compatible server you run (LocalStack, say)."
          testId="settings-endpoint"
        >
          <div className="flex gap-2">
            <Input id={`${id}-endpoint`} value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="http://127.0.0.1:5000" invalid={!!problem} data-testid="settings-endpoint" />
            <Button type="submit" variant="primary" disabled={!!problem || save.isPending} data-testid="settings-save">
              {save.isPending && <Loader2 size={14} className="animate-spin" />}
              Apply
            </Button>
          </div>
        </Field>
        <p className="text-[12px] text-muted" data-testid="settings-endpoint-in-use">
          In use now: {inUse ? <span className="font-mono">{inUse}</span> : "AWS (no custom endpoint)"}
          {save.isSuccess && <span className="text-ok"> · saved</span>}
        </p>
        <ErrorNote error={status.data?.endpointError ? explain(status.data.endpointError) : null} testId="settings-endpoint-status-error" />
        <ErrorNote error={save.error ? explain(save.error) : null} testId="settings-error" />
      </form>
    </section>
  );
}
