// The AWS account behind the credentials, through TanStack Query: who it is, what each region
// has (images, instance types, key pairs, security groups, subnets), SSO sign-in and the
// practice sandbox. Every key that depends on the account starts with "account" (accountKeys in
// queryKeys.ts), so an account change can drop them all at once (see resetForNewAccount).
import { useCallback, useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { backend, BackendError } from "./backend";
import { explain, type Explained } from "./errors";
import { accountKeys } from "./queryKeys";
import { useUi } from "./store";
import type { SandboxStatus } from "../bindings/SandboxStatus";
import type { Scope } from "../bindings/Scope";
import type { SsoLogin } from "../bindings/SsoLogin";


/** The core caches the lists per region; ours live as long, until refreshed or the account changes. */
const LIST_STALE = 10 * 60_000;

/** A list from the account, with the state a picker shows and a refresh that asks AWS anew. */
export interface AccountList<T> {
  data: T | undefined;
  /** False when the list cannot be asked for yet (no region). */
  enabled: boolean;
  loading: boolean;
  fetching: boolean;
  error: unknown;
  refresh: () => void;
}

function useAccountList<T>(queryKey: readonly unknown[], fetch: (refresh: boolean) => Promise<T>, enabled: boolean): AccountList<T> {
  const client = useQueryClient();
  const query = useQuery({ queryKey, queryFn: () => fetch(false), enabled, staleTime: LIST_STALE });
  // fetchQuery stores the result (or the error) under the same key, so every picker sees it.
  const refresh = () => void client.fetchQuery({ queryKey, queryFn: () => fetch(true), staleTime: 0 }).catch(() => undefined);
  return { data: query.data, enabled, loading: enabled && query.isPending, fetching: query.isFetching, error: query.error, refresh };
}

export function useRegions() {
  return useAccountList(accountKeys.regions, (refresh) => backend.accountRegions(refresh), true);
}

export function useImages(region: string | null) {
  return useAccountList(accountKeys.images(region ?? ""), (refresh) => backend.accountImages(region!, refresh), !!region);
}

export function useInstanceTypes(region: string | null, architecture: string | null) {
  return useAccountList(accountKeys.instanceTypes(region ?? "", architecture), (refresh) => backend.accountInstanceTypes(region!, architecture, refresh), !!region);
}

export function useKeyPairs(region: string | null) {
  return useAccountList(accountKeys.keyPairs(region ?? ""), (refresh) => backend.accountKeyPairs(region!, refresh), !!region);
}

export function useSecurityGroups(region: string | null) {
  return useAccountList(accountKeys.securityGroups(region ?? ""), (refresh) => backend.accountSecurityGroups(region!, refresh), !!region);
}

export function useSubnets(region: string | null) {
  return useAccountList(accountKeys.subnets(region ?? ""), (refresh) => backend.accountSubnets(region!, refresh), !!region);
}

export function useAccountStatus() {
  return useQuery({ queryKey: accountKeys.status, queryFn: backend.accountStatus, staleTime: 0 });
}

export function useLaunchChecks(scope: Scope) {
  return useQuery({ queryKey: accountKeys.launchChecks(scope), queryFn: () => backend.launchChecks(scope), staleTime: 0, gcTime: 0 });
}

/** The sandbox's state; kept current by `sandbox-changed` events, so never stale by itself. */
export function useSandbox() {
  return useQuery({ queryKey: accountKeys.sandbox, queryFn: backend.sandboxStatus, staleTime: Infinity });
}

/**
 * The account changed (credentials, profile, endpoint, sandbox): lists of the old account are
 * dropped rather than shown until the new ones arrive, and everything else is refetched.
 */
export function resetForNewAccount(client: QueryClient) {
  void client.resetQueries({ queryKey: accountKeys.all });
  void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== accountKeys.all[0] });
}

/** Starting and stopping the sandbox; progress comes from the sandbox query (events). */
export function useSandboxControls() {
  const client = useQueryClient();
  const done = (s: SandboxStatus) => {
    client.setQueryData(accountKeys.sandbox, s);
    // The core announces the account change too; refetching here keeps the UI right without it.
    resetForNewAccount(client);
  };
  const start = useMutation({
    mutationFn: () => backend.sandboxStart(),
    onSuccess: (s) => {
      useUi.getState().log(s.endpoint ? `Practice sandbox running at ${s.endpoint}` : "Practice sandbox running");
      done(s);
    },
    onError: () => void client.invalidateQueries({ queryKey: accountKeys.sandbox }),
  });
  const stop = useMutation({
    mutationFn: () => backend.sandboxStop(),
    onSuccess: (s) => {
      useUi.getState().log("Practice sandbox stopped: back to AWS");
      done(s);
    },
  });
  return { start, stop };
}

export type SsoPhase = "idle" | "starting" | "waiting" | "done" | "failed" | "cancelled";

export interface SsoState {
  phase: SsoPhase;
  profile: string | null;
  login: SsoLogin | null;
  error: Explained | null;
}

const idle: SsoState = { phase: "idle", profile: null, login: null, error: null };

/**
 * One SSO sign-in (device authorization): start shows the code, finish waits for the browser,
 * cancel ends it. A sign-in still waiting when the component goes away is cancelled.
 */
export function useSsoLogin() {
  const client = useQueryClient();
  const [state, setState] = useState<SsoState>(idle);
  // The login the UI follows; results of an older one are ignored.
  const active = useRef<string | null>(null);

  const start = useCallback(
    async (profile: string) => {
      if (active.current) void backend.ssoCancel(active.current).catch(() => undefined);
      active.current = null;
      setState({ phase: "starting", profile, login: null, error: null });
      let login: SsoLogin;
      try {
        login = await backend.ssoStart(profile);
      } catch (e) {
        setState({ phase: "failed", profile, login: null, error: explain(e) });
        return;
      }
      active.current = login.loginId;
      setState({ phase: "waiting", profile, login, error: null });
      try {
        await backend.ssoFinish(login.loginId);
        if (active.current !== login.loginId) return;
        active.current = null;
        setState({ phase: "done", profile, login: null, error: null });
        useUi.getState().log(`Signed in with the AWS profile '${profile}'`);
        resetForNewAccount(client);
      } catch (e) {
        if (active.current !== login.loginId) return;
        active.current = null;
        const cancelled = e instanceof BackendError && e.code === "sso.cancelled";
        setState({ phase: cancelled ? "cancelled" : "failed", profile, login: null, error: cancelled ? null : explain(e) });
      }
    },
    [client],
  );

  const cancel = useCallback(() => {
    const id = active.current;
    active.current = null;
    setState((s) => ({ ...s, phase: "cancelled", login: null }));
    if (id) void backend.ssoCancel(id).catch(() => undefined);
  }, []);

  const dismiss = useCallback(() => setState(idle), []);

  useEffect(
    () => () => {
      if (active.current) void backend.ssoCancel(active.current).catch(() => undefined);
    },
    [],
  );

  return { ...state, start, cancel, dismiss };
}

export type SsoControls = ReturnType<typeof useSsoLogin>;
