#!/usr/bin/env python3
"""An HTTP proxy in front of moto that adds what moto lacks for EC2 end-to-end tests.

moto is a real EC2-compatible API server, but it flips instance states at once (RunInstances
answers `pending`, the next DescribeInstances already says `running`), never throttles and
never fails. Poni's waiting, retrying and reconciling code needs all three, so this proxy sits
between the client under test and moto and:

* holds instance states for a configurable time: `pending` after RunInstances/StartInstances
  (without a public DNS name or IP, as EC2 does), `shutting-down` after TerminateInstances,
  `stopping` after StopInstances. A hold only applies while moto reports the state the
  transition ends in (running, terminated, stopped), so a hold never hides a later change made
  through another path. Hold lengths are read from the *current* config each time, so setting
  a hold to 0 releases every instance held in that state at once.
* injects faults at a seeded rate, before forwarding (so no side effect): `throttle`
  (503 RequestLimitExceeded, as EC2 answers), `http500`, `http503`, `opt_in_required` (401
  OptInRequired, as EC2 answers in a region the account has not enabled), `drop` (connection closed
  without an answer); and `drop_after`, which forwards and then drops the answer, so the call
  took effect but the client never heard (a lost RunInstances answer). `latency_ms` delays
  every matching request; `answer_delay_ms` holds back the answers of `answer_delay_actions`
  after forwarding (a window to kill a client between a launch and its answer).
  Faults can be limited to some Actions, to some regions (`fault_regions`: the region of the
  call's SigV4 credential scope, so one region can fail while the others answer) and to a
  budget (at most N).
* with `buckets: "published"`, throttles as EC2 does: token buckets per (account, region,
  bucket), sized as EC2 publishes them (`THROTTLE_BUCKETS`, burst / refill per second):
  request buckets RunInstances 5/2, DescribeInstances 100/20 (with a filter or pagination:
  any `Filter.*`, `MaxResults`, `NextToken` or `InstanceId.*`) or 50/10 (without),
  TerminateInstances 100/5, CreateTags 100/10, every other Action not starting with
  Describe/Get/List 50/5 ("mutating"), other Describe*/Get*/List* 100/20 ("non-mutating");
  resource buckets, counted in instances, RunInstances 1000/2 (MaxCount), TerminateInstances
  1000/20, StartInstances 1000/2, StopInstances 1000/20 (the InstanceId.N count). A call
  takes one request token and its instances' resource tokens, or, when either is short,
  nothing: it is answered 503 `RequestLimitExceeded` without being forwarded (a call asking
  more instances than a resource bucket holds when full is always refused). Buckets start
  full; `bucket_scale` multiplies the refill rates (for fast tests). The account is the
  configured one, else the request's `x-moto-account-id`, else moto's default; the region
  comes from the SigV4 credential scope (`Credential=AKID/DATE/REGION/ec2/aws4_request`, or
  `X-Amz-Credential`), default us-east-1. Calls signed for another service are not metered.
  Refused calls count as `throttled`, apart from injected faults. The check comes before
  fault injection: a refused call draws no fault.
* honours RunInstances' `ClientToken` as EC2 does (moto ignores it): per (account, region,
  token), the first successful (2xx) answer is remembered with a hash of the call's other
  parameters. A repeat with the same parameters is answered that answer again, not forwarded
  (one request token, no resource tokens: nothing is launched); with other parameters it is
  answered 400 `IdempotentParameterMismatch`. The answer is remembered as the client was
  sent it (pending, no public address) and before `drop_after` or `answer_delay_ms` apply,
  so a retry of a launch whose answer was lost gets the instance that launch started. As on
  EC2, only the instances' states differ in a replay: the proxy asks moto for them and shows
  them as DescribeInstances would (held ones held), so the token of a launch since
  terminated answers that terminated instance. A repeat that arrives while the first call is
  still at moto waits for its outcome. Tokens live as long as the proxy (EC2 keeps them at
  least 24 hours); a moto reset does not forget them.
* answers `GetConsoleOutput` itself for instances given a console text (`console_output`,
  instance id -> text, in the config; or one at a time through `POST /_proxy/console-output`):
  EC2's query-protocol answer (GetConsoleOutputResponse: requestId, instanceId, timestamp,
  output = the text in base64), not forwarded, after the buckets, faults and latency as any
  other call. Other instances' calls go to moto, which answers a fixed sample text. Tests put
  cloud-init's SSH host key fingerprints there (tests/src/sshd.rs).
* holds chosen instances' status checks and scheduled events (`instance_health`, instance id
  -> `{"system": STATUS, "instance": STATUS, "events": [{"code": "instance-retirement",
  "description": TEXT, "not_before": RFC 3339, "not_after": RFC 3339}]}`, in the config; or
  one at a time through `POST /_proxy/instance-health`): moto reports every running instance
  `ok` with no events, so the proxy rewrites moto's DescribeInstanceStatus answer for these
  instances (the summary status, the reachability detail, `passed` or `failed`, and the
  eventsSet). STATUS is EC2's: ok, impaired, initializing, insufficient-data, not-applicable;
  a missing one keeps moto's. Other instances keep moto's answer.
* counts requests by Action (the `Action` field of the query protocol, the operation of a
  Smithy RPC v2 CBOR path `/service/NAME/operation/OPERATION`, as the Rust SDK's CloudWatch
  calls come, or of an AWS JSON call's `X-Amz-Target`, as boto3's do;
  refused and faulted calls included), faults injected, calls refused by the buckets, and
  ClientToken replays and mismatches. Calls of other services (STS, CloudWatch) are forwarded
  as they came; only EC2's are metered by the buckets.
* optionally sets the `x-moto-account-id` header, so each proxy gives its test a private
  account in a shared moto.

Control API on the same port: `GET /_proxy/stats`, `GET|POST /_proxy/config` (POST takes a
partial JSON config and answers the full one; `console_output` given there replaces the whole
map), `POST /_proxy/reset-stats`, `POST /_proxy/console-output` (`{"instance_id": ID, "output":
TEXT}` sets one instance's console text, `"output": null` removes it; answers the full map),
`POST /_proxy/instance-health` (`{"instance_id": ID, "health": {...}}` holds one instance's
checks and events, `"health": null` releases it; answers the full map).

`instance-state-name` / `instance-state-code` filters: moto would filter on its own (already
flipped) state, so the proxy removes those filters from the request it forwards and applies
them itself to the rewritten answer. Limitation: with MaxResults, a page may then hold fewer
items than asked for (EC2 allows that too; NextToken still comes from moto).

Python 3.11 standard library only: it runs with the moto venv's interpreter but needs nothing
from it. Everything shared between request threads lives in `ProxyState`, behind one lock.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import http.client
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timezone
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# EC2 instance state codes (low byte of instanceState/code).
STATE_CODES = {
    "pending": 0,
    "running": 16,
    "shutting-down": 32,
    "terminated": 48,
    "stopping": 64,
    "stopped": 80,
}

# Action -> (state to hold, state moto reports once the transition is over, config field).
HOLD_RULES = {
    "RunInstances": ("pending", "running", "hold_pending"),
    "StartInstances": ("pending", "running", "hold_pending"),
    "TerminateInstances": ("shutting-down", "terminated", "hold_shutting_down"),
    "StopInstances": ("stopping", "stopped", "hold_stopping"),
}

# EC2's published throttling buckets: (burst, refill per second). "request" buckets count
# calls, "resource" buckets count instances. The module docstring says which call takes
# which; the code reads the numbers from here only.
THROTTLE_BUCKETS = {
    "request": {
        "RunInstances": (5, 2),
        "DescribeInstances": (100, 20),  # with a filter or pagination
        "DescribeInstances:unfiltered": (50, 10),  # neither
        "TerminateInstances": (100, 5),
        "CreateTags": (100, 10),
        "mutating": (50, 5),  # every other Action not starting with Describe/Get/List
        "non-mutating": (100, 20),  # every other Describe*/Get*/List*
    },
    "resource": {
        "RunInstances": (1000, 2),  # instances: MaxCount
        "TerminateInstances": (1000, 20),  # instances: the InstanceId.N count
        "StartInstances": (1000, 2),
        "StopInstances": (1000, 20),
    },
}
BUCKET_MODES = ("off", "published")
NON_MUTATING_PREFIXES = ("Describe", "Get", "List")
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"  # moto's, when a request names none

# Faults answered by the proxy itself: (HTTP status, EC2 error code, message).
ERROR_FAULTS = {
    "throttle": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "http500": (500, "InternalError", "An internal error has occurred."),
    "http503": (503, "Unavailable", "The server is overloaded and can't handle the request."),
    # A region the account has not enabled (EC2's answer there); not worth a retry.
    "opt_in_required": (401, "OptInRequired",
                        "You are not subscribed to this service. Please go to "
                        "http://aws.amazon.com to subscribe."),
}
FAULT_KINDS = set(ERROR_FAULTS) | {"drop", "drop_after"}

STATE_FILTERS = ("instance-state-name", "instance-state-code")

# Headers that belong to one hop and must not be passed on (RFC 9110 7.6.1), plus the ones
# the proxy recomputes itself.
HOP_HEADERS = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailer", "trailers", "transfer-encoding", "upgrade", "content-length", "expect",
}


# --------------------------------------------------------------------------------------------
# Configuration and shared state
# --------------------------------------------------------------------------------------------

@dataclass
class Config:
    """What the proxy does; changed at run time through POST /_proxy/config."""

    hold_pending: float = 0.0
    hold_shutting_down: float = 0.0
    hold_stopping: float = 0.0
    fault_rate: float = 0.0
    fault_kinds: list[str] = field(default_factory=lambda: ["throttle"])
    fault_actions: list[str] = field(default_factory=list)  # empty: every Action
    fault_budget: int | None = None  # at most this many faults from now on; None: no limit
    latency_ms: int = 0
    # Forward these Actions at once but hold their answers back this long: the call took
    # effect while the client still waits (a client killed meanwhile never hears of it).
    answer_delay_ms: int = 0
    answer_delay_actions: list[str] = field(default_factory=list)
    seed: int = 0
    account: str | None = None
    # "off", or "published": EC2's throttling buckets (THROTTLE_BUCKETS).
    buckets: str = "off"
    bucket_scale: float = 1.0  # multiplies every bucket's refill rate
    # The most instances one RunInstances gets (EC2 short of capacity); None: as many as asked.
    # moto launches MinCount; EC2 launches up to MaxCount, at least MinCount, or fails with
    # InsufficientInstanceCapacity. The proxy asks moto for exactly what EC2 would launch.
    run_capacity: int | None = None
    # GetConsoleOutput answered by the proxy: instance id -> the console text (not base64).
    # Instances not named here are forwarded to moto.
    console_output: dict[str, str] = field(default_factory=dict)
    # Regions (of the SigV4 credential scope) that faults and latency apply to; empty: all.
    fault_regions: list[str] = field(default_factory=list)
    # DescribeInstanceStatus shown for these instances instead of moto's (see the docstring).
    instance_health: dict[str, dict] = field(default_factory=dict)

    def validate(self) -> None:
        """Reject a config that would fail later, in a request thread, where nobody sees it."""
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within 0..1")
        unknown = set(self.fault_kinds) - FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {sorted(FAULT_KINDS)}")
        if self.fault_rate > 0 and not self.fault_kinds:
            raise ValueError("fault_rate > 0 needs at least one fault kind")
        for name in ("hold_pending", "hold_shutting_down", "hold_stopping", "latency_ms",
                     "answer_delay_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.fault_budget is not None and self.fault_budget < 0:
            raise ValueError("fault_budget must not be negative")
        if self.account is not None and not (len(self.account) == 12 and self.account.isdigit()):
            raise ValueError("account must be a 12-digit AWS account id")
        if self.buckets not in BUCKET_MODES:
            raise ValueError(f"buckets must be one of {list(BUCKET_MODES)}")
        if self.run_capacity is not None and self.run_capacity < 0:
            raise ValueError("run_capacity must not be negative")
        scale = self.bucket_scale
        if not (isinstance(scale, (int, float)) and 0 < scale < float("inf")):
            raise ValueError("bucket_scale must be a positive number")
        if not (isinstance(self.console_output, dict)
                and all(isinstance(k, str) and isinstance(v, str)
                        for k, v in self.console_output.items())):
            raise ValueError("console_output must map instance ids to texts")
        if not (isinstance(self.fault_regions, list)
                and all(isinstance(r, str) for r in self.fault_regions)):
            raise ValueError("fault_regions must be a list of region names")
        if not isinstance(self.instance_health, dict):
            raise ValueError("instance_health must map instance ids to their health")
        for iid, health in self.instance_health.items():
            validate_health(iid, health)


@dataclass
class Hold:
    """An instance shown in `state` since `since` (monotonic seconds)."""

    state: str
    since: float


@dataclass
class TokenBucket:
    """`tokens` as of `at` (clock seconds)."""

    tokens: float
    at: float


@dataclass
class Launch:
    """A RunInstances ClientToken: the hash of the call's other parameters and the answer
    the client was sent (body, Content-Type); answer None while the first call is at moto."""

    params_hash: str
    answer: tuple[bytes, str] | None = None


@dataclass
class TokenClaim:
    """What a RunInstances with a ClientToken is: "new" (this call owns the token until it
    calls ProxyState.finish_launch), "replay" (answer it `answer`) or "mismatch"."""

    key: tuple[str, str, str]  # (account, region, token)
    params_hash: str
    outcome: str
    answer: tuple[bytes, str] | None = None
    finished: bool = False


class ProxyState:
    """Config, RNG, counters, holds, throttling buckets and ClientTokens, shared by all
    request threads behind one lock."""

    def __init__(self, config: Config, clock=time.monotonic):
        config.validate()
        self._lock = threading.Lock()
        self._launch_done = threading.Condition(self._lock)
        self._clock = clock  # of the buckets (tests pass their own)
        self._config = config
        self._rng = random.Random(config.seed)
        self._budget = config.fault_budget
        self._holds: dict[str, Hold] = {}
        self._buckets: dict[tuple[str, str, str, str], TokenBucket] = {}
        self._launches: dict[tuple[str, str, str], Launch] = {}
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._requests = 0
        self._actions: dict[str, int] = {}
        self._region_actions: dict[str, int] = {}  # "region|Action" -> calls
        self._faults = 0
        self._faults_by_kind: dict[str, int] = {}
        self._throttled = 0
        self._throttled_by_action: dict[str, int] = {}
        self._throttled_by_bucket: dict[str, int] = {}
        self._token_replays = 0
        self._token_mismatches = 0

    # -- config ---------------------------------------------------------------------------

    def config(self) -> Config:
        with self._lock:
            return dataclasses.replace(self._config,
                                       console_output=dict(self._config.console_output),
                                       instance_health=dict(self._config.instance_health))

    def update_config(self, changes: dict) -> Config:
        """Apply a partial config; a new seed re-seeds the RNG, a budget restarts counting."""
        known = {f.name for f in dataclasses.fields(Config)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}")
        with self._lock:
            old_buckets = self._config.buckets
            new = dataclasses.replace(self._config, **changes)
            new.validate()
            new.console_output = dict(new.console_output)  # not the caller's dict
            new.instance_health = json.loads(json.dumps(new.instance_health))
            self._config = new
            if "seed" in changes:
                self._rng = random.Random(new.seed)
            if "fault_budget" in changes:
                self._budget = new.fault_budget
            if new.buckets != old_buckets:
                self._buckets.clear()  # switched on again: full buckets
            return dataclasses.replace(new, console_output=dict(new.console_output),
                                       instance_health=dict(new.instance_health))

    def set_console_output(self, instance_id: str, text: str | None) -> dict[str, str]:
        """Set (None: remove) one instance's console text; returns the whole map."""
        if not isinstance(instance_id, str) or not instance_id:
            raise ValueError("instance_id must be a non-empty string")
        if text is not None and not isinstance(text, str):
            raise ValueError("output must be a string or null")
        with self._lock:
            texts = dict(self._config.console_output)
            if text is None:
                texts.pop(instance_id, None)
            else:
                texts[instance_id] = text
            self._config = dataclasses.replace(self._config, console_output=texts)
            return dict(texts)

    def set_instance_health(self, instance_id: str, health: dict | None) -> dict[str, dict]:
        """Hold (None: release) one instance's checks and events; returns the whole map."""
        if not isinstance(instance_id, str) or not instance_id:
            raise ValueError("instance_id must be a non-empty string")
        if health is not None:
            validate_health(instance_id, health)
            health = json.loads(json.dumps(health))  # not the caller's dict
        with self._lock:
            held = dict(self._config.instance_health)
            if health is None:
                held.pop(instance_id, None)
            else:
                held[instance_id] = health
            self._config = dataclasses.replace(self._config, instance_health=held)
            return dict(held)

    def health_for(self, instance_id: str) -> dict | None:
        """The checks and events held for this instance, or None (moto's answer stands)."""
        with self._lock:
            return self._config.instance_health.get(instance_id)

    def console_output_for(self, instance_id: str | None) -> str | None:
        """The console text set for this instance, or None (then moto answers)."""
        with self._lock:
            return self._config.console_output.get(instance_id or "")

    # -- counting and faults --------------------------------------------------------------

    def record_request(self, action: str | None, region: str | None = None) -> None:
        with self._lock:
            self._requests += 1
            if action:
                self._actions[action] = self._actions.get(action, 0) + 1
                key = f"{region or '-'}|{action}"
                self._region_actions[key] = self._region_actions.get(key, 0) + 1

    def decide_fault(self, action: str, region: str | None = None) -> str | None:
        """Draw whether this request gets a fault, and which; counts it if so."""
        with self._lock:
            cfg = self._config
            if cfg.fault_rate <= 0 or (cfg.fault_actions and action not in cfg.fault_actions):
                return None
            if cfg.fault_regions and region not in cfg.fault_regions:
                return None
            if self._budget is not None and self._budget <= 0:
                return None
            if self._rng.random() >= cfg.fault_rate:
                return None
            kind = self._rng.choice(cfg.fault_kinds)
            if self._budget is not None:
                self._budget -= 1
            self._faults += 1
            self._faults_by_kind[kind] = self._faults_by_kind.get(kind, 0) + 1
            return kind

    def admit(self, account: str, region: str, action: str, request_bucket: str,
              instances: int) -> str | None:
        """Take one token of `request_bucket` and `instances` of the action's resource bucket
        (if it has one and instances > 0), or, when either is short, nothing: then counts the
        refusal and returns the bucket that was short ("request:NAME" or "resource:NAME").
        None: admitted (always, with buckets off)."""
        with self._lock:
            cfg = self._config
            if cfg.buckets != "published":
                return None
            now = self._clock()
            wanted = [("request", request_bucket, 1)]
            if instances > 0 and action in THROTTLE_BUCKETS["resource"]:
                wanted.append(("resource", action, instances))
            taken = []
            for kind, name, n in wanted:
                burst, rate = THROTTLE_BUCKETS[kind][name]
                key = (account, region, kind, name)
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = self._buckets[key] = TokenBucket(float(burst), now)
                bucket.tokens = min(float(burst),
                                    bucket.tokens + (now - bucket.at) * rate * cfg.bucket_scale)
                bucket.at = now
                if bucket.tokens + 1e-9 < n:
                    short = f"{kind}:{name}"
                    self._throttled += 1
                    self._throttled_by_action[action] = self._throttled_by_action.get(action, 0) + 1
                    self._throttled_by_bucket[short] = self._throttled_by_bucket.get(short, 0) + 1
                    return short
                taken.append((bucket, n))
            for bucket, n in taken:
                bucket.tokens = max(0.0, bucket.tokens - n)
            return None

    def latency_for(self, action: str, region: str | None = None) -> float:
        """Seconds to wait before forwarding (latency applies to the same Actions and regions
        as faults)."""
        with self._lock:
            cfg = self._config
            if cfg.fault_actions and action not in cfg.fault_actions:
                return 0.0
            if cfg.fault_regions and region not in cfg.fault_regions:
                return 0.0
            return cfg.latency_ms / 1000.0

    def answer_delay_for(self, action: str) -> float:
        """Seconds to hold back the answer of a forwarded call."""
        with self._lock:
            cfg = self._config
            if action not in cfg.answer_delay_actions:
                return 0.0
            return cfg.answer_delay_ms / 1000.0

    def stats(self) -> dict:
        with self._lock:
            return {
                "requests": self._requests,
                "actions": dict(self._actions),
                "region_actions": dict(self._region_actions),
                "faults": self._faults,
                "faults_by_kind": dict(self._faults_by_kind),
                "holds": len(self._holds),
                "throttled": self._throttled,
                "throttled_by_action": dict(self._throttled_by_action),
                "throttled_by_bucket": dict(self._throttled_by_bucket),
                "client_token_replays": self._token_replays,
                "client_token_mismatches": self._token_mismatches,
            }

    def reset_stats(self) -> None:
        with self._lock:
            self._reset_counters()

    # -- RunInstances ClientTokens ---------------------------------------------------------

    def claim_launch(self, key: tuple[str, str, str], params_hash: str) -> TokenClaim:
        """Look up a ClientToken; a token whose first call is still at moto is waited for (its
        owner always finishes it). A "new" claim must be finished with finish_launch."""
        with self._launch_done:
            while True:
                launch = self._launches.get(key)
                if launch is None:
                    self._launches[key] = Launch(params_hash)
                    return TokenClaim(key, params_hash, "new")
                if launch.answer is None:
                    self._launch_done.wait()
                    continue
                if launch.params_hash != params_hash:
                    return TokenClaim(key, params_hash, "mismatch")
                return TokenClaim(key, params_hash, "replay", launch.answer)

    def finish_launch(self, claim: TokenClaim, answer: tuple[bytes, str] | None) -> None:
        """Remember the answer of a "new" claim's call, or (None: it failed or never got
        to moto) forget the token, so the next call with it is forwarded."""
        if claim.outcome != "new" or claim.finished:
            return
        claim.finished = True
        with self._launch_done:
            if answer is None:
                self._launches.pop(claim.key, None)
            else:
                self._launches[claim.key].answer = answer
            self._launch_done.notify_all()

    def count_token_answer(self, outcome: str) -> None:
        with self._lock:
            if outcome == "replay":
                self._token_replays += 1
            elif outcome == "mismatch":
                self._token_mismatches += 1

    # -- holds ----------------------------------------------------------------------------

    def add_holds(self, instance_ids: list[str], state: str) -> None:
        now = time.monotonic()
        with self._lock:
            for iid in instance_ids:
                self._holds[iid] = Hold(state, now)

    def held_state(self, instance_id: str, moto_state: str) -> str | None:
        """The state to show instead of moto's, or None when no hold applies (any more)."""
        with self._lock:
            hold = self._holds.get(instance_id)
            if hold is None:
                return None
            length = self._hold_length(hold.state)
            expired = time.monotonic() - hold.since >= length
            if expired or moto_state != _final_state(hold.state):
                del self._holds[instance_id]
                return None
            return hold.state

    def _hold_length(self, state: str) -> float:
        for held, _final, cfg_field in HOLD_RULES.values():
            if held == state:
                return float(getattr(self._config, cfg_field))
        return 0.0


def _final_state(held: str) -> str:
    """The state moto reports while `held` is shown (the state the transition ends in)."""
    for state, final, _f in HOLD_RULES.values():
        if state == held:
            return final
    raise KeyError(held)


# --------------------------------------------------------------------------------------------
# Query-protocol requests
# --------------------------------------------------------------------------------------------

def parse_params(path: str, body: bytes, content_type: str) -> list[tuple[str, str]]:
    """EC2 query parameters, from the URL query string and a form-encoded body."""
    params = urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query, keep_blank_values=True)
    if body and "application/x-www-form-urlencoded" in content_type.lower():
        params += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return params


def param(params: list[tuple[str, str]], name: str) -> str | None:
    for k, v in params:
        if k == name:
            return v
    return None


def split_state_filters(params: list[tuple[str, str]]):
    """Take instance-state filters out of the parameters, renumbering the other filters.

    Returns (remaining parameters, {filter name: [values]}). Filters are `Filter.N.Name` and
    `Filter.N.Value.M`; EC2 wants N to count from 1 without gaps, so the rest are renumbered.
    """
    groups: dict[str, str] = {}
    for k, v in params:
        parts = k.split(".")
        if len(parts) == 3 and parts[0] == "Filter" and parts[2] == "Name":
            groups[parts[1]] = v
    state_groups = {n for n, name in groups.items() if name in STATE_FILTERS}
    if not state_groups:
        return params, {}
    kept_numbers = sorted((n for n in groups if n not in state_groups), key=_int_or_zero)
    renumber = {old: str(i + 1) for i, old in enumerate(kept_numbers)}
    remaining: list[tuple[str, str]] = []
    taken: dict[str, list[str]] = {}
    for k, v in params:
        parts = k.split(".")
        if len(parts) >= 3 and parts[0] == "Filter":
            n = parts[1]
            if n in state_groups:
                if parts[2] == "Value":
                    taken.setdefault(groups[n], []).append(v)
                continue
            if n in renumber:
                k = ".".join(["Filter", renumber[n]] + parts[2:])
        remaining.append((k, v))
    return remaining, taken


CHECK_STATUSES = ("ok", "impaired", "initializing", "insufficient-data", "not-applicable")
HEALTH_KEYS = {"system", "instance", "events"}
EVENT_KEYS = {"code", "description", "not_before", "not_after"}
RPC_V2_PATH = re.compile(r"/service/[^/]+/operation/([A-Za-z0-9]+)$")


def validate_health(instance_id, health) -> None:
    """Refuse an instance_health entry the rewrite could not apply."""
    if not isinstance(instance_id, str) or not instance_id:
        raise ValueError("instance_health keys must be instance ids")
    if not isinstance(health, dict) or set(health) - HEALTH_KEYS:
        raise ValueError(f"instance_health of {instance_id} must be an object with keys "
                         f"{sorted(HEALTH_KEYS)}")
    for check in ("system", "instance"):
        if check in health and health[check] not in CHECK_STATUSES:
            raise ValueError(f"instance_health {check} must be one of {list(CHECK_STATUSES)}")
    events = health.get("events", [])
    if not isinstance(events, list):
        raise ValueError("instance_health events must be a list")
    for event in events:
        if (not isinstance(event, dict) or set(event) - EVENT_KEYS
                or not isinstance(event.get("code"), str)
                or not all(isinstance(event.get(k, ""), str) for k in EVENT_KEYS)):
            raise ValueError(f"each event needs a code and text values of {sorted(EVENT_KEYS)}")


def rpc_v2_operation(path: str) -> str | None:
    """The operation a Smithy RPC v2 CBOR call names in its path (CloudWatch's calls)."""
    m = RPC_V2_PATH.search(urllib.parse.urlsplit(path).path)
    return m.group(1) if m else None


def json_target_operation(target: str) -> str | None:
    """The operation of an AWS JSON protocol call (`X-Amz-Target: Prefix.Operation`)."""
    operation = target.rpartition(".")[2]
    return operation if operation.isalnum() else None


def run_instances_count(params: list[tuple[str, str]], capacity: int | None) -> int:
    """How many instances EC2 would launch for this RunInstances: MaxCount, or what capacity
    allows if that is at least MinCount; 0 means InsufficientInstanceCapacity."""
    min_count = max(_int_or_zero(param(params, "MinCount") or "1"), 1)
    max_count = max(_int_or_zero(param(params, "MaxCount") or str(min_count)), min_count)
    if capacity is None:
        return max_count
    return min(max_count, capacity) if capacity >= min_count else 0


def _int_or_zero(s: str) -> int:
    try:
        return int(s)
    except ValueError:
        return 0


def credential_scope(authorization: str, params: list[tuple[str, str]]) -> tuple[str, str]:
    """(region, service) of the SigV4 credential scope `AKID/DATE/REGION/SERVICE/aws4_request`,
    from the Authorization header or a presigned URL's X-Amz-Credential; (us-east-1, ec2)
    without one."""
    m = re.search(r"Credential=([^,\s]+)", authorization or "")
    credential = m.group(1) if m else param(params, "X-Amz-Credential")
    parts = (credential or "").split("/")
    if len(parts) >= 5 and parts[-1] == "aws4_request" and parts[-3]:
        return parts[-3], parts[-2]
    return DEFAULT_REGION, "ec2"


def request_bucket(action: str, params: list[tuple[str, str]]) -> str:
    """The name of the THROTTLE_BUCKETS["request"] bucket a call takes its token from."""
    if action == "DescribeInstances":
        narrowed = any(k.startswith("Filter.") or k.startswith("InstanceId.")
                       or k in ("MaxResults", "NextToken") for k, _v in params)
        return "DescribeInstances" if narrowed else "DescribeInstances:unfiltered"
    if action in THROTTLE_BUCKETS["request"]:
        return action
    return "non-mutating" if action.startswith(NON_MUTATING_PREFIXES) else "mutating"


def instances_asked(action: str, params: list[tuple[str, str]]) -> int:
    """Resource tokens a call needs: MaxCount for RunInstances, the InstanceId.N count for
    Start/Stop/TerminateInstances, 0 otherwise."""
    if action not in THROTTLE_BUCKETS["resource"]:
        return 0
    if action == "RunInstances":
        try:
            return max(int(param(params, "MaxCount") or "1"), 1)
        except ValueError:
            return 1  # moto answers the malformed call
    return sum(1 for k, _v in params if k.split(".")[0] == "InstanceId" and k.count(".") == 1)


def launch_params_hash(params: list[tuple[str, str]]) -> str:
    """What makes two RunInstances with one ClientToken the same call: every parameter but
    the token (and a presigned URL's signing parameters), in any order."""
    kept = sorted((k, v) for k, v in params
                  if k != "ClientToken" and not k.startswith("X-Amz-"))
    return hashlib.sha256(json.dumps(kept).encode()).hexdigest()


def console_output_body(instance_id: str, text: str, version: str | None = None,
                        now: datetime | None = None) -> bytes:
    """EC2's GetConsoleOutput answer (query protocol): the text base64-encoded in `output`."""
    ns = f"http://ec2.amazonaws.com/doc/{version or '2016-11-15'}/"
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    root = ET.Element("GetConsoleOutputResponse", xmlns=ns)
    for tag, value in (("requestId", str(uuid.uuid4())), ("instanceId", instance_id),
                       ("timestamp", stamp),
                       ("output", base64.b64encode(text.encode("utf-8")).decode("ascii"))):
        ET.SubElement(root, tag).text = value
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode")).encode()


def ec2_error_body(code: str, message: str) -> bytes:
    """The XML error document EC2 answers with (query protocol)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        f"</Errors><RequestID>{uuid.uuid4()}</RequestID></Response>"
    ).encode()


# --------------------------------------------------------------------------------------------
# Response rewriting
# --------------------------------------------------------------------------------------------

def _ns(root: ET.Element) -> str:
    """'{namespace}' of the document, or '' when it has none."""
    return root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""


def parse_xml(body: bytes) -> ET.Element | None:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        return None


def serialize_xml(root: ET.Element) -> bytes:
    """Write the document back with its default namespace kept as a default namespace."""
    ns = _ns(root)[1:-1]
    text = ET.tostring(root, encoding="unicode", default_namespace=ns or None)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode()


def _set_state(state_elem: ET.Element | None, ns: str, state: str) -> None:
    if state_elem is None:
        return
    code = state_elem.find(f"{ns}code")
    name = state_elem.find(f"{ns}name")
    if code is not None:
        code.text = str(STATE_CODES[state])
    if name is not None:
        name.text = state


def _state_name(state_elem: ET.Element | None, ns: str) -> str | None:
    if state_elem is None:
        return None
    return state_elem.findtext(f"{ns}name")


def _hide_public_address(item: ET.Element, ns: str) -> None:
    """A pending instance has no public DNS name or IP yet: blank them as EC2 does."""
    dns = item.find(f"{ns}dnsName")
    if dns is not None:
        dns.text = None
    ip = item.find(f"{ns}ipAddress")
    if ip is not None:
        item.remove(ip)
    for parent in list(item.iter()):
        for assoc in parent.findall(f"{ns}association"):
            parent.remove(assoc)


def instance_ids_of_transition(root: ET.Element, action: str) -> list[str]:
    """Instance ids in a Run/Start/Stop/TerminateInstances answer that really changed state.

    RunInstances: every launched instance. The others: instances whose currentState is the
    state to hold and whose previousState is not already the final state (terminating a
    terminated instance changes nothing; moto still answers shutting-down there, see below).
    """
    ns = _ns(root)
    held, final, _f = HOLD_RULES[action]
    ids = []
    for item in root.findall(f"{ns}instancesSet/{ns}item"):
        iid = item.findtext(f"{ns}instanceId")
        if not iid:
            continue
        if action == "RunInstances":
            ids.append(iid)
            continue
        current = _state_name(item.find(f"{ns}currentState"), ns)
        previous = _state_name(item.find(f"{ns}previousState"), ns)
        if current == held and previous != final:
            ids.append(iid)
    return ids


def fix_transition_answer(root: ET.Element, action: str, state: ProxyState) -> None:
    """Make a Start/Stop/TerminateInstances answer say what EC2 would.

    previousState shows a held state (terminating an instance held `pending` reports
    previousState pending, not running); re-terminating a terminated instance reports
    terminated -> terminated (moto says shutting-down).
    """
    ns = _ns(root)
    _held, final, _f = HOLD_RULES[action]
    for item in root.findall(f"{ns}instancesSet/{ns}item"):
        iid = item.findtext(f"{ns}instanceId") or ""
        prev_elem = item.find(f"{ns}previousState")
        previous = _state_name(prev_elem, ns)
        if previous is not None:
            shown = state.held_state(iid, previous)
            if shown:
                _set_state(prev_elem, ns, shown)
        if action == "TerminateInstances" and previous == final:
            _set_state(item.find(f"{ns}currentState"), ns, final)


def apply_holds_to_item(item: ET.Element, ns: str, state: ProxyState) -> str | None:
    """Rewrite one instance (or instance status) item; returns the state it now shows."""
    iid = item.findtext(f"{ns}instanceId") or ""
    state_elem = item.find(f"{ns}instanceState")
    moto_state = _state_name(state_elem, ns)
    if moto_state is None:
        return None
    shown = state.held_state(iid, moto_state)
    if shown is None:
        return moto_state
    _set_state(state_elem, ns, shown)
    if shown == "pending":
        _hide_public_address(item, ns)
    return shown


def _matches_state_filters(shown: str | None, filters: dict[str, list[str]]) -> bool:
    if shown is None:
        return True
    names = filters.get("instance-state-name")
    if names is not None and shown not in names:
        return False
    codes = filters.get("instance-state-code")
    if codes is not None and str(STATE_CODES.get(shown, -1)) not in codes:
        return False
    return True


def rewrite_describe_instances(root: ET.Element, state: ProxyState, filters) -> None:
    """Held states in DescribeInstances; drop instances (and emptied reservations) that the
    removed state filters would have excluded."""
    ns = _ns(root)
    rset = root.find(f"{ns}reservationSet")
    if rset is None:
        return
    for reservation in list(rset.findall(f"{ns}item")):
        iset = reservation.find(f"{ns}instancesSet")
        if iset is None:
            continue
        for item in list(iset.findall(f"{ns}item")):
            shown = apply_holds_to_item(item, ns, state)
            if not _matches_state_filters(shown, filters):
                iset.remove(item)
        if filters and len(iset) == 0:
            rset.remove(reservation)


def rewrite_describe_instance_status(root: ET.Element, state: ProxyState, filters,
                                     include_all: bool) -> None:
    """Held states in DescribeInstanceStatus; without IncludeAllInstances EC2 lists only
    running instances, so one held `pending` is left out."""
    ns = _ns(root)
    sset = root.find(f"{ns}instanceStatusSet")
    if sset is None:
        return
    for item in list(sset.findall(f"{ns}item")):
        shown = apply_holds_to_item(item, ns, state)
        if not _matches_state_filters(shown, filters) or (not include_all and shown != "running"):
            sset.remove(item)
            continue
        health = state.health_for(item.findtext(f"{ns}instanceId") or "")
        if health is not None:
            apply_health(item, ns, health)


def apply_health(item: ET.Element, ns: str, health: dict) -> None:
    """Show held checks and events in one instanceStatusSet item, as EC2 writes them."""
    for check, tag in (("system", "systemStatus"), ("instance", "instanceStatus")):
        status = health.get(check)
        if status is None:
            continue
        elem = item.find(f"{ns}{tag}")
        if elem is None:
            elem = ET.SubElement(item, f"{ns}{tag}")
        for old in list(elem):
            elem.remove(old)
        if status not in ("not-applicable",):
            details = ET.SubElement(elem, f"{ns}details")
            detail = ET.SubElement(details, f"{ns}item")
            ET.SubElement(detail, f"{ns}name").text = "reachability"
            ET.SubElement(detail, f"{ns}status").text = {
                "ok": "passed", "impaired": "failed"}.get(status, status)
        ET.SubElement(elem, f"{ns}status").text = status
    if "events" in health:
        old = item.find(f"{ns}eventsSet")
        if old is not None:
            item.remove(old)
        if health["events"]:
            events = ET.SubElement(item, f"{ns}eventsSet")
            for n, event in enumerate(health["events"]):
                elem = ET.SubElement(events, f"{ns}item")
                iid = item.findtext(f"{ns}instanceId") or ""
                ET.SubElement(elem, f"{ns}instanceEventId").text = (
                    "instance-event-" + hashlib.sha256(f"{iid}/{n}".encode()).hexdigest()[:17])
                ET.SubElement(elem, f"{ns}code").text = event["code"]
                ET.SubElement(elem, f"{ns}description").text = event.get("description", "")
                for key, tag in (("not_before", "notBefore"), ("not_after", "notAfter")):
                    if event.get(key):
                        ET.SubElement(elem, f"{ns}{tag}").text = event[key]


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

class Upstream:
    """Where moto listens."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, got {url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80

    def send(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes):
        """One request to moto; returns (status, reason, headers, body)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, resp.reason, resp.getheaders(), resp.read()
        finally:
            conn.close()


class ProxyHandler(BaseHTTPRequestHandler):
    """One client connection. HTTP/1.1 with keep-alive, as the AWS SDKs expect."""

    protocol_version = "HTTP/1.1"
    server: "ProxyServer"

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if not self.server.quiet:
            sys.stderr.write(f"ec2_proxy: {self.address_string()} {format % args}\n")

    # -- plumbing -------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: bytes, content_type: str,
               headers: list[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _reply_json(self, status: int, obj) -> None:
        self._reply(status, (json.dumps(obj, sort_keys=True) + "\n").encode(), "application/json")

    def _drop_connection(self) -> None:
        """Close without a byte of answer: the client sees the connection reset or closed."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- routing --------------------------------------------------------------------------

    def _dispatch(self) -> None:
        body = self._read_body()
        if self.path.startswith("/_proxy/"):
            self._control(body)
        else:
            self._proxy(body)

    def _control(self, body: bytes) -> None:
        state = self.server.state
        route = (self.command, urllib.parse.urlsplit(self.path).path)
        try:
            if route == ("GET", "/_proxy/stats"):
                self._reply_json(200, state.stats())
            elif route == ("GET", "/_proxy/config"):
                self._reply_json(200, dataclasses.asdict(state.config()))
            elif route == ("POST", "/_proxy/config"):
                changes = json.loads(body or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("config must be a JSON object")
                self._reply_json(200, dataclasses.asdict(state.update_config(changes)))
            elif route == ("POST", "/_proxy/reset-stats"):
                state.reset_stats()
                self._reply_json(200, state.stats())
            elif route == ("POST", "/_proxy/instance-health"):
                change = json.loads(body or b"{}")
                if not isinstance(change, dict) or "health" not in change:
                    raise ValueError('expected {"instance_id": ID, "health": {...} or null}')
                self._reply_json(200, state.set_instance_health(change.get("instance_id"),
                                                                change["health"]))
            elif route == ("POST", "/_proxy/console-output"):
                change = json.loads(body or b"{}")
                if not isinstance(change, dict) or "output" not in change:
                    raise ValueError('expected {"instance_id": ID, "output": TEXT or null}')
                self._reply_json(200, state.set_console_output(change.get("instance_id"),
                                                               change["output"]))
            else:
                self._reply_json(404, {"error": f"no control route {route[0]} {route[1]}"})
        except (ValueError, TypeError) as e:
            self._reply_json(400, {"error": str(e)})

    def _proxy(self, body: bytes) -> None:
        state = self.server.state
        params = parse_params(self.path, body, self.headers.get("Content-Type", ""))
        action = (param(params, "Action") or rpc_v2_operation(self.path)
                  or json_target_operation(self.headers.get("X-Amz-Target", "")))
        region, service = credential_scope(self.headers.get("Authorization", ""), params)
        state.record_request(action, region)
        ec2_action = action if service == "ec2" else None  # what buckets and tokens apply to
        account = self._account()
        claim = None
        token = param(params, "ClientToken") if ec2_action == "RunInstances" else None
        if token:
            claim = state.claim_launch((account, region, token), launch_params_hash(params))
        try:
            self._proxy_call(action, ec2_action, params, body, account, region, claim)
        finally:
            if claim is not None:
                state.finish_launch(claim, None)  # no answer remembered: forget the token

    def _proxy_call(self, action, ec2_action, params, body, account, region, claim) -> None:
        state = self.server.state
        if ec2_action:
            # A replayed or mismatched ClientToken launches nothing: no resource tokens.
            instances = instances_asked(ec2_action, params)
            if claim is not None and claim.outcome != "new":
                instances = 0
            if state.admit(account, region, ec2_action, request_bucket(ec2_action, params),
                           instances):
                status, code, message = ERROR_FAULTS["throttle"]
                self._reply(status, ec2_error_body(code, message), "text/xml")
                return

        fault = state.decide_fault(action, region) if action else None
        if fault in ERROR_FAULTS:
            status, code, message = ERROR_FAULTS[fault]
            self._reply(status, ec2_error_body(code, message), "text/xml")
            return
        if fault == "drop":
            self._drop_connection()
            return
        if action:
            delay = state.latency_for(action, region)
            if delay:
                time.sleep(delay)

        launch_count = None
        if ec2_action == "RunInstances" and not (claim is not None and claim.outcome != "new"):
            launch_count = run_instances_count(params, state.config().run_capacity)
            if launch_count == 0:
                self._reply(500, ec2_error_body(
                    "InsufficientInstanceCapacity",
                    "We currently do not have sufficient capacity in the Availability Zone you "
                    "requested."), "text/xml")
                return

        if claim is not None and claim.outcome == "mismatch":
            state.count_token_answer("mismatch")
            self._reply(400, ec2_error_body(
                "IdempotentParameterMismatch",
                "Arguments on this idempotent request are inconsistent with arguments used in "
                "previous request(s)."), "text/xml")
            return
        console_text = (state.console_output_for(param(params, "InstanceId"))
                        if ec2_action == "GetConsoleOutput" else None)
        if console_text is not None:
            # The test's console text, as EC2 answers it; moto would answer its sample.
            status, passed, content_type = 200, [], "text/xml;charset=UTF-8"
            resp_body = console_output_body(param(params, "InstanceId"), console_text,
                                            param(params, "Version"))
        elif claim is not None and claim.outcome == "replay":
            # The answer the first call's client was sent, with the instances' states as they
            # are now (held ones as held: the holds recorded then are not restarted).
            state.count_token_answer("replay")
            resp_body, content_type = claim.answer
            resp_body = self._current_states(resp_body)
            status, passed = 200, []
        else:
            path, body, filters = self._forwarded_request(action, params, body, launch_count)
            try:
                status, _reason, headers, resp_body = self.server.upstream.send(
                    self.command, path, self._forwarded_headers(), body)
            except OSError as e:
                self._reply(502, f"ec2_proxy: upstream unreachable: {e}\n".encode(), "text/plain")
                return
            if action and 200 <= status < 300:
                resp_body = self._rewrite_answer(action, params, filters, resp_body)
            passed = [(k, v) for k, v in headers
                      if k.lower() not in HOP_HEADERS and k.lower() != "content-type"]
            content_type = next((v for k, v in headers if k.lower() == "content-type"),
                                "text/xml")
            if claim is not None and 200 <= status < 300:
                # Before drop_after and the answer delay: the launch happened, whether or not
                # this client hears of it.
                state.finish_launch(claim, (resp_body, content_type))

        if fault == "drop_after":
            self._drop_connection()
            return
        if action:
            held_back = state.answer_delay_for(action)
            if held_back:
                time.sleep(held_back)
        self._reply(status, resp_body, content_type, passed)

    def _current_states(self, answer: bytes) -> bytes:
        """A remembered RunInstances answer with each instance's state as a DescribeInstances
        would show it now (EC2: "the only information that might vary in the response is the
        state of the instance"), so a token of a launch since terminated answers a dead
        instance. Asks moto (not counted, not metered); on any failure the answer stays as it
        was remembered."""
        root = parse_xml(answer)
        if root is None:
            return answer
        ns = _ns(root)
        items = root.findall(f"{ns}instancesSet/{ns}item")
        ids = [iid for iid in (i.findtext(f"{ns}instanceId") for i in items) if iid]
        if not ids:
            return answer
        query = [("Action", "DescribeInstances"), ("Version", "2016-11-15"),
                 ("Filter.1.Name", "instance-id")]
        query += [(f"Filter.1.Value.{n}", iid) for n, iid in enumerate(ids, 1)]
        headers = [(k, v) for k, v in self._forwarded_headers() if k.lower() != "content-type"]
        headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"))
        path = urllib.parse.urlsplit(self.path).path or "/"
        try:
            status, _r, _h, body = self.server.upstream.send(
                "POST", path, headers, urllib.parse.urlencode(query).encode())
        except OSError:
            return answer
        described = parse_xml(body) if 200 <= status < 300 else None
        if described is None:
            return answer
        dns = _ns(described)
        now = {}
        for item in described.findall(
                f"{dns}reservationSet/{dns}item/{dns}instancesSet/{dns}item"):
            iid = item.findtext(f"{dns}instanceId")
            moto_state = _state_name(item.find(f"{dns}instanceState"), dns)
            if iid and moto_state:
                now[iid] = moto_state
        state = self.server.state
        for item in items:
            iid = item.findtext(f"{ns}instanceId") or ""
            if iid not in now:
                continue
            shown = state.held_state(iid, now[iid]) or now[iid]
            _set_state(item.find(f"{ns}instanceState"), ns, shown)
        return serialize_xml(root)

    def _account(self) -> str:
        """The account this call goes to: the configured one, else the client's, else moto's."""
        return (self.server.state.config().account
                or self.headers.get("x-moto-account-id") or DEFAULT_ACCOUNT)

    def _forwarded_request(self, action, params, body, launch_count=None):
        """Path and body to send to moto, and the state filters taken out of them (if any).

        Describe* calls that carry a state filter, and RunInstances (its count, see
        `run_capacity`), are re-encoded; all else goes as is.
        """
        if action == "RunInstances" and launch_count is not None:
            counted = [(k, v) for k, v in params if k not in ("MinCount", "MaxCount")]
            counted += [("MinCount", str(launch_count)), ("MaxCount", str(launch_count))]
            path = urllib.parse.urlsplit(self.path).path or "/"
            return path, urllib.parse.urlencode(counted).encode(), {}
        if action not in ("DescribeInstances", "DescribeInstanceStatus"):
            return self.path, body, {}
        remaining, filters = split_state_filters(params)
        if not filters:
            return self.path, body, {}
        # Send everything as a form body: the query string may have held some of the params.
        path = urllib.parse.urlsplit(self.path).path or "/"
        if self.command == "GET":
            return path + "?" + urllib.parse.urlencode(remaining), b"", filters
        return path, urllib.parse.urlencode(remaining).encode(), filters

    def _forwarded_headers(self) -> list[tuple[str, str]]:
        account = self.server.state.config().account
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in HOP_HEADERS
                   and not (account and k.lower() == "x-moto-account-id")]
        if account:
            headers.append(("x-moto-account-id", account))
        return headers

    def _rewrite_answer(self, action, params, filters, resp_body: bytes) -> bytes:
        """Record new holds from a state-changing answer, or show held states in a Describe."""
        state = self.server.state
        if action not in HOLD_RULES and action not in ("DescribeInstances",
                                                       "DescribeInstanceStatus"):
            return resp_body
        root = parse_xml(resp_body)
        if root is None:
            return resp_body
        if action in HOLD_RULES:
            if action == "RunInstances":
                ns = _ns(root)
                for item in root.findall(f"{ns}instancesSet/{ns}item"):
                    _hide_public_address(item, ns)
            else:
                fix_transition_answer(root, action, state)
            state.add_holds(instance_ids_of_transition(root, action), HOLD_RULES[action][0])
        elif action == "DescribeInstances":
            rewrite_describe_instances(root, state, filters)
        else:
            include_all = (param(params, "IncludeAllInstances") or "").lower() == "true"
            rewrite_describe_instance_status(root, state, filters, include_all)
        return serialize_xml(root)


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, addr, upstream: Upstream, state: ProxyState, quiet: bool):
        self.upstream = upstream
        self.state = state
        self.quiet = quiet
        super().__init__(addr, ProxyHandler)


# --------------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--upstream", required=True, help="moto's URL, e.g. http://127.0.0.1:5000")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--exit-on-stdin-eof", action="store_true",
                   help="exit when standard input closes (the test process that started us died)")
    p.add_argument("--quiet", action="store_true", help="do not log each request")
    p.add_argument("--hold-pending", type=float, default=0.0)
    p.add_argument("--hold-shutting-down", type=float, default=0.0)
    p.add_argument("--hold-stopping", type=float, default=0.0)
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--fault-kinds", default="throttle", help="comma-separated: "
                   + ",".join(sorted(FAULT_KINDS)))
    p.add_argument("--fault-actions", default="", help="comma-separated Actions; empty: all")
    p.add_argument("--fault-regions", default="", help="comma-separated regions; empty: all")
    p.add_argument("--fault-budget", type=int, default=None)
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--answer-delay-ms", type=int, default=0)
    p.add_argument("--answer-delay-actions", default="", help="comma-separated Actions")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--account", default=None, help="12-digit account id for x-moto-account-id")
    p.add_argument("--buckets", default="off", choices=BUCKET_MODES,
                   help="published: throttle with EC2's published token buckets")
    p.add_argument("--bucket-scale", type=float, default=1.0,
                   help="multiplies the buckets' refill rates")
    return p.parse_args(argv)


def config_from_args(a: argparse.Namespace) -> Config:
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()]  # noqa: E731
    return Config(
        hold_pending=a.hold_pending, hold_shutting_down=a.hold_shutting_down,
        hold_stopping=a.hold_stopping, fault_rate=a.fault_rate,
        fault_kinds=split(a.fault_kinds), fault_actions=split(a.fault_actions),
        fault_regions=split(a.fault_regions),
        fault_budget=a.fault_budget, latency_ms=a.latency_ms, seed=a.seed, account=a.account,
        answer_delay_ms=a.answer_delay_ms, answer_delay_actions=split(a.answer_delay_actions),
        buckets=a.buckets, bucket_scale=a.bucket_scale,
    )


def write_port_file(path: str, port: int) -> None:
    """Write atomically, so a reader polling for the file never sees it half written."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def exit_when_stdin_closes() -> None:
    """The parent holds our stdin's write end: when it dies, however, we get EOF and go."""
    def watch():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)
    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        state = ProxyState(config_from_args(args))
        upstream = Upstream(args.upstream)
    except ValueError as e:
        print(f"ec2_proxy: {e}", file=sys.stderr)
        return 2
    server = ProxyServer((args.host, args.port), upstream, state, args.quiet)
    port = server.server_address[1]
    if args.exit_on_stdin_eof:
        exit_when_stdin_closes()
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"ec2_proxy: listening on http://{args.host}:{port} -> {args.upstream}",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
