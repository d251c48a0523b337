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
  (503 RequestLimitExceeded, as EC2 answers), `http500`, `http503`, `drop` (connection closed
  without an answer); and `drop_after`, which forwards and then drops the answer, so the call
  took effect but the client never heard (a lost RunInstances answer). `latency_ms` delays
  every matching request; `answer_delay_ms` holds back the answers of `answer_delay_actions`
  after forwarding (a window to kill a client between a launch and its answer).
  every matching request. Faults can be limited to some Actions and to a budget (at most N).
* counts requests by EC2 Action (the `Action` field of the query protocol) and faults injected.
* optionally sets the `x-moto-account-id` header, so each proxy gives its test a private
  account in a shared moto.

Control API on the same port: `GET /_proxy/stats`, `GET|POST /_proxy/config` (POST takes a
partial JSON config and answers the full one), `POST /_proxy/reset-stats`.

`instance-state-name` / `instance-state-code` filters: moto would filter on its own (already
flipped) state, so the proxy removes those filters from the request it forwards and applies
them itself to the rewritten answer. Limitation: with MaxResults, a page may then hold fewer
items than asked for (EC2 allows that too; NextToken still comes from moto).

Python 3.11 standard library only: it runs with the moto venv's interpreter but needs nothing
from it. Everything shared between request threads lives in `ProxyState`, behind one lock.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse
import uuid
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

# Faults answered by the proxy itself: (HTTP status, EC2 error code, message).
ERROR_FAULTS = {
    "throttle": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "http500": (500, "InternalError", "An internal error has occurred."),
    "http503": (503, "Unavailable", "The server is overloaded and can't handle the request."),
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


@dataclass
class Hold:
    """An instance shown in `state` since `since` (monotonic seconds)."""

    state: str
    since: float


class ProxyState:
    """Config, RNG, counters and holds, shared by all request threads behind one lock."""

    def __init__(self, config: Config):
        config.validate()
        self._lock = threading.Lock()
        self._config = config
        self._rng = random.Random(config.seed)
        self._budget = config.fault_budget
        self._holds: dict[str, Hold] = {}
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._requests = 0
        self._actions: dict[str, int] = {}
        self._faults = 0
        self._faults_by_kind: dict[str, int] = {}

    # -- config ---------------------------------------------------------------------------

    def config(self) -> Config:
        with self._lock:
            return dataclasses.replace(self._config)

    def update_config(self, changes: dict) -> Config:
        """Apply a partial config; a new seed re-seeds the RNG, a budget restarts counting."""
        known = {f.name for f in dataclasses.fields(Config)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}")
        with self._lock:
            new = dataclasses.replace(self._config, **changes)
            new.validate()
            self._config = new
            if "seed" in changes:
                self._rng = random.Random(new.seed)
            if "fault_budget" in changes:
                self._budget = new.fault_budget
            return dataclasses.replace(new)

    # -- counting and faults --------------------------------------------------------------

    def record_request(self, action: str | None) -> None:
        with self._lock:
            self._requests += 1
            if action:
                self._actions[action] = self._actions.get(action, 0) + 1

    def decide_fault(self, action: str) -> str | None:
        """Draw whether this request gets a fault, and which; counts it if so."""
        with self._lock:
            cfg = self._config
            if cfg.fault_rate <= 0 or (cfg.fault_actions and action not in cfg.fault_actions):
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

    def latency_for(self, action: str) -> float:
        """Seconds to wait before forwarding (latency applies to the same Actions as faults)."""
        with self._lock:
            cfg = self._config
            if cfg.fault_actions and action not in cfg.fault_actions:
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
                "faults": self._faults,
                "faults_by_kind": dict(self._faults_by_kind),
                "holds": len(self._holds),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self._reset_counters()

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


def _int_or_zero(s: str) -> int:
    try:
        return int(s)
    except ValueError:
        return 0


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
            else:
                self._reply_json(404, {"error": f"no control route {route[0]} {route[1]}"})
        except (ValueError, TypeError) as e:
            self._reply_json(400, {"error": str(e)})

    def _proxy(self, body: bytes) -> None:
        state = self.server.state
        params = parse_params(self.path, body, self.headers.get("Content-Type", ""))
        action = param(params, "Action")
        state.record_request(action)

        fault = state.decide_fault(action) if action else None
        if fault in ERROR_FAULTS:
            status, code, message = ERROR_FAULTS[fault]
            self._reply(status, ec2_error_body(code, message), "text/xml")
            return
        if fault == "drop":
            self._drop_connection()
            return
        if action:
            delay = state.latency_for(action)
            if delay:
                time.sleep(delay)

        path, body, filters = self._forwarded_request(action, params, body)
        try:
            status, reason, headers, resp_body = self.server.upstream.send(
                self.command, path, self._forwarded_headers(), body)
        except OSError as e:
            self._reply(502, f"ec2_proxy: upstream unreachable: {e}\n".encode(), "text/plain")
            return

        if action and 200 <= status < 300:
            resp_body = self._rewrite_answer(action, params, filters, resp_body)
        if fault == "drop_after":
            self._drop_connection()
            return
        if action:
            held_back = state.answer_delay_for(action)
            if held_back:
                time.sleep(held_back)
        passed = [(k, v) for k, v in headers
                  if k.lower() not in HOP_HEADERS and k.lower() != "content-type"]
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "text/xml")
        self._reply(status, resp_body, content_type, passed)

    def _forwarded_request(self, action, params, body):
        """Path and body to send to moto, and the state filters taken out of them (if any).

        Only Describe* calls that carry a state filter are re-encoded; all else goes as is.
        """
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
    p.add_argument("--fault-budget", type=int, default=None)
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--answer-delay-ms", type=int, default=0)
    p.add_argument("--answer-delay-actions", default="", help="comma-separated Actions")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--account", default=None, help="12-digit account id for x-moto-account-id")
    return p.parse_args(argv)


def config_from_args(a: argparse.Namespace) -> Config:
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()]  # noqa: E731
    return Config(
        hold_pending=a.hold_pending, hold_shutting_down=a.hold_shutting_down,
        hold_stopping=a.hold_stopping, fault_rate=a.fault_rate,
        fault_kinds=split(a.fault_kinds), fault_actions=split(a.fault_actions),
        fault_budget=a.fault_budget, latency_ms=a.latency_ms, seed=a.seed, account=a.account,
        answer_delay_ms=a.answer_delay_ms, answer_delay_actions=split(a.answer_delay_actions),
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
