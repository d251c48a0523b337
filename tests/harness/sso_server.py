#!/usr/bin/env python3
"""An AWS IAM Identity Center (SSO) test server: the SSO OIDC and SSO portal APIs on one port.

moto has neither API (only sso-admin), so the end-to-end tests of SSO profiles run this
instead. It speaks the real wire protocols the AWS SDKs use (both services are restJson1,
checked against botocore's service models `sso-oidc` and `sso` of 2019-06-10 and against
boto3), so a client under test runs unchanged once both endpoints point here:
`AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO` (aws-config's SSO credentials
provider honours both, see /work/notes/sso-findings.md).

SSO OIDC (signing name `sso-oauth`; every operation is unauthenticated):

* `POST /client/register` {clientName, clientType, scopes?, grantTypes?, ...}
  -> {clientId, clientSecret, clientIdIssuedAt, clientSecretExpiresAt} (epoch seconds).
* `POST /device_authorization` {clientId, clientSecret, startUrl}
  -> {deviceCode, userCode, verificationUri, verificationUriComplete, expiresIn, interval}.
  The verification URIs point at this server's `/device` page (see "The browser" below).
* `POST /token` {clientId, clientSecret, grantType, deviceCode | refreshToken}
  grantType `urn:ietf:params:oauth:grant-type:device_code`: once the user code is approved
  -> {accessToken, tokenType: "Bearer", expiresIn, refreshToken}; until then 400
  AuthorizationPendingException; 400 SlowDownException (polling faster than `interval` when
  `enforce_interval` is on, or forced through the control API); 400 AccessDeniedException
  (the user denied); 400 ExpiredTokenException (the device code expired); 400
  InvalidGrantException (unknown or already used device code); 401 InvalidClientException
  (unknown client, wrong secret, expired registration). grantType `refresh_token`: a new
  access token (and a new refresh token; the old one stays valid) or 400
  InvalidGrantException. Any other grantType: 400 UnsupportedGrantTypeException.

SSO portal (signing name `awsssoportal`; the access token travels in the
`x-amz-sso_bearer_token` header):

* `GET /federation/credentials?role_name=R&account_id=A`
  -> {"roleCredentials": {accessKeyId, secretAccessKey, sessionToken, expiration}}
  (expiration in epoch milliseconds). Unknown, expired or logged-out token: 401
  UnauthorizedException. With `enforce_assignments`, an account/role pair not in `accounts`:
  403 ForbiddenException "No access" (what the real portal answers; it is not in the model,
  so SDKs surface it as an unmodeled error with that code).
* `GET /assignment/accounts?max_result=&next_token=` -> {accountList, nextToken?}
* `GET /assignment/roles?account_id=A&max_result=&next_token=` -> {roleList, nextToken?}
* `POST /logout` -> 200, the token is revoked.

Errors are answered as the real services do: the modeled HTTP status, header
`x-amzn-errortype: <Type>` (with `realistic_errortype`, the real services' form
`<Type>:http://internal.amazon.com/coral/...`, which the SDKs cut at the colon), and a JSON
body: OIDC `{"error": "authorization_pending", "error_description": "..."}`, portal
`{"message": "..."}`.

The browser: `GET /device?user_code=X` is the page a person would visit; with
`visit_approves` on, visiting it approves the code (so a test's BROWSER script can simply fetch
the URL). `POST /device` with form fields user_code and action=approve|deny does what the
page's buttons do.

Control API for the tests, JSON in and out, under `/_test/`:

* `GET|POST /_test/config`: read or change (partially) the config, see `Config`.
* `POST /_test/approve` {"user_code": X} (or {} for every pending code) -> {"approved": [...]}
* `POST /_test/deny` {"user_code": X} (or {} for every pending code) -> {"denied": [...]}
* `GET /_test/pending` -> {"pending": [{userCode, startUrl, clientId, expiresIn}...]}
* `POST /_test/expire-tokens` {"refresh_tokens": false} -> every access token issued so far
  is expired now (the portal answers 401); with refresh_tokens, refresh tokens are revoked too.
* `POST /_test/expire-device-codes` -> every device code not yet used is expired now.
* `POST /_test/slow-down` {"count": N} -> the next N device-code token polls get SlowDown.
* `POST /_test/fault` {"operation", "error_type", "status", "message"?, "count"?} -> the next
  `count` (default 1) calls of `operation` answer that error instead.
* `POST /_test/issue-token` {"start_url", "session_name"?, "region"?, "lifetime"?} -> a
  registered client plus an access token and refresh token made without the device flow, in
  the shape of aws-config's token cache file (`cache`), plus `cache_file_name`: the file name
  under ~/.aws/sso/cache (sha1 hex of the session name, else of the start URL) + ".json".
* `GET /_test/cache-file-name?id=X` -> {"cache_file_name": sha1hex(X) + ".json"}
* `GET /_test/stats` -> {"calls": {op: n}, "errors": {"op:ErrorType": n}, "requests": n,
  "clients": n, "access_tokens": n, "pending": n}
* `GET /_test/requests` -> {"requests": [{operation, status, error, ...}, ...]} (last 500)
* `POST /_test/reset-stats` -> zeroes calls, errors and the request log.

Operations counted: RegisterClient, StartDeviceAuthorization, CreateToken (also counted as
CreateToken:device_code / CreateToken:refresh_token), GetRoleCredentials, ListAccounts,
ListAccountRoles, Logout, DeviceVisit.

Start-up like the other harness servers: `--port 0` lets the kernel pick a port, written to
`--port-file` once listening; `--exit-on-stdin-eof` exits when the test process is gone.
Python 3.11 standard library only; run it with the moto venv's interpreter like the others.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import html
import json
import os
import secrets
import shutil
import string
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"

# OIDC exception -> (HTTP status, OAuth `error` value), from the sso-oidc service model.
OIDC_ERRORS = {
    "AccessDeniedException": (400, "access_denied"),
    "AuthorizationPendingException": (400, "authorization_pending"),
    "ExpiredTokenException": (400, "expired_token"),
    "InternalServerException": (500, "server_error"),
    "InvalidClientException": (401, "invalid_client"),
    "InvalidClientMetadataException": (400, "invalid_client_metadata"),
    "InvalidGrantException": (400, "invalid_grant"),
    "InvalidRequestException": (400, "invalid_request"),
    "InvalidScopeException": (400, "invalid_scope"),
    "SlowDownException": (400, "slow_down"),
    "UnauthorizedClientException": (400, "unauthorized_client"),
    "UnsupportedGrantTypeException": (400, "unsupported_grant_type"),
}
# Portal exception -> HTTP status (ForbiddenException is what the real portal answers for an
# unassigned account/role, though the model does not list it).
PORTAL_ERRORS = {
    "InvalidRequestException": 400,
    "UnauthorizedException": 401,
    "ForbiddenException": 403,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
}
OIDC_OPERATIONS = {"RegisterClient", "StartDeviceAuthorization", "CreateToken"}
PORTAL_OPERATIONS = {"GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout"}

ROUTES = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("POST", "/logout"): "Logout",
}

CORAL_SUFFIX = {
    "oidc": ":http://internal.amazon.com/coral/com.amazonaws.switchboard.oidc/",
    "portal": ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/",
}

REQUEST_LOG_LENGTH = 500


class ApiError(Exception):
    """An error answer of one of the two APIs."""

    def __init__(self, error_type: str, message: str, status: int | None = None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = status


# --------------------------------------------------------------------------------------------
# Configuration and shared state
# --------------------------------------------------------------------------------------------

def _default_accounts() -> list[dict]:
    return [{
        "accountId": "111111111111",
        "accountName": "poni-test",
        "emailAddress": "poni-test@example.com",
        "roles": ["PoniTestRole"],
    }]


@dataclass
class Config:
    """What the server does; changed at run time through POST /_test/config."""

    # Role credentials GetRoleCredentials hands out (moto accepts any keys).
    access_key_id: str = "testing"
    secret_access_key: str = "testing"
    # Empty: a fresh token per call ("sso-session-token-N"), so a test can tell calls apart.
    session_token: str = ""
    # Per "ACCOUNT/ROLE" overrides: {"accessKeyId", "secretAccessKey", "sessionToken"?}.
    role_credentials: dict = field(default_factory=dict)
    role_credentials_lifetime: float = 3600.0  # seconds until `expiration`
    access_token_lifetime: float = 28800.0  # expiresIn of CreateToken (IAM Identity Center: 8 h)
    issue_refresh_tokens: bool = True
    device_code_lifetime: float = 600.0  # expiresIn of StartDeviceAuthorization
    interval: int = 1  # polling interval StartDeviceAuthorization asks for, seconds
    enforce_interval: bool = False  # SlowDown when a device code is polled faster than that
    client_secret_lifetime: float = 90 * 86400.0  # registrations last 90 days
    visit_approves: bool = False  # GET /device?user_code=X approves X
    enforce_assignments: bool = False  # GetRoleCredentials only for pairs in `accounts`
    accounts: list = field(default_factory=_default_accounts)
    realistic_errortype: bool = False  # x-amzn-errortype with the services' coral suffix
    region: str = "us-east-1"  # the region written into issue-token's cache JSON

    def validate(self) -> None:
        for name in ("role_credentials_lifetime", "access_token_lifetime",
                     "device_code_lifetime", "client_secret_lifetime"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.interval < 0:
            raise ValueError("interval must not be negative")
        if not isinstance(self.accounts, list):
            raise ValueError("accounts must be a list")
        for a in self.accounts:
            if not isinstance(a, dict) or not a.get("accountId"):
                raise ValueError("every account needs an accountId")
        if not isinstance(self.role_credentials, dict):
            raise ValueError("role_credentials must be an object")


@dataclass
class Client:
    client_id: str
    secret: str
    name: str
    client_type: str
    scopes: list
    issued_at: int
    expires_at: float


@dataclass
class DeviceAuth:
    device_code: str
    user_code: str
    client_id: str
    start_url: str
    expires_at: float
    status: str = "pending"  # pending, approved, denied, used
    last_poll: float | None = None


@dataclass
class AccessToken:
    client_id: str
    start_url: str
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    client_id: str
    start_url: str
    revoked: bool = False


@dataclass
class Fault:
    error_type: str
    status: int | None
    message: str
    count: int


def _random(n: int) -> str:
    return secrets.token_urlsafe(n).replace("-", "x").replace("_", "y")


def _user_code() -> str:
    letters = string.ascii_uppercase.replace("I", "").replace("O", "")
    pick = lambda: "".join(secrets.choice(letters) for _ in range(4))  # noqa: E731
    return f"{pick()}-{pick()}"


def cache_file_name(identifier: str) -> str:
    """aws-config's token cache file: sha1 hex of the session name (or legacy: start URL)."""
    return hashlib.sha1(identifier.encode("utf-8")).hexdigest() + ".json"


def _rfc3339(epoch: float) -> str:
    """The form aws-config and botocore write: UTC with a Z, no offsets, whole seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class SsoState:
    """Config, clients, device codes, tokens and counters, behind one lock."""

    def __init__(self, config: Config):
        config.validate()
        self._lock = threading.Lock()
        self._config = config
        self._clients: dict[str, Client] = {}
        self._devices: dict[str, DeviceAuth] = {}  # by device code
        self._tokens: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._slow_downs = 0
        self._session_serial = 0
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._requests = 0
        self._calls: dict[str, int] = {}
        self._errors: dict[str, int] = {}
        self._log: list[dict] = []

    # -- config ---------------------------------------------------------------------------

    def config(self) -> Config:
        with self._lock:
            return dataclasses.replace(self._config)

    def update_config(self, changes: dict) -> Config:
        known = {f.name for f in dataclasses.fields(Config)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}; known: {sorted(known)}")
        with self._lock:
            new = dataclasses.replace(self._config, **changes)
            new.validate()
            self._config = new
            return dataclasses.replace(new)

    # -- counters -------------------------------------------------------------------------

    def count(self, *operations: str) -> None:
        with self._lock:
            self._requests += 1
            for op in operations:
                self._calls[op] = self._calls.get(op, 0) + 1

    def record(self, entry: dict) -> None:
        with self._lock:
            err = entry.get("error")
            if err:
                key = f"{entry['operation']}:{err}"
                self._errors[key] = self._errors.get(key, 0) + 1
            self._log.append(entry)
            del self._log[:-REQUEST_LOG_LENGTH]

    def stats(self) -> dict:
        with self._lock:
            now = time.time()
            return {
                "requests": self._requests,
                "calls": dict(self._calls),
                "errors": dict(self._errors),
                "clients": len(self._clients),
                "access_tokens": len(self._tokens),
                "pending": sum(1 for d in self._devices.values()
                               if d.status == "pending" and d.expires_at > now),
            }

    def requests(self) -> list[dict]:
        with self._lock:
            return list(self._log)

    def reset_stats(self) -> None:
        with self._lock:
            self._reset_counters()

    # -- faults ---------------------------------------------------------------------------

    def add_fault(self, operation: str, fault: Fault) -> None:
        if operation not in OIDC_OPERATIONS | PORTAL_OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}")
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.setdefault(operation, []).append(fault)

    def take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(operation)
            if not queue:
                return None
            fault = queue[0]
            fault.count -= 1
            if fault.count <= 0:
                queue.pop(0)
            return fault

    def add_slow_downs(self, n: int) -> None:
        with self._lock:
            self._slow_downs += n

    # -- OIDC -----------------------------------------------------------------------------

    def register_client(self, req: dict) -> dict:
        name = req.get("clientName")
        ctype = req.get("clientType")
        if not isinstance(name, str) or not name:
            raise ApiError("InvalidRequestException", "clientName is required")
        if not isinstance(ctype, str) or not ctype:
            raise ApiError("InvalidRequestException", "clientType is required")
        if ctype != "public":
            raise ApiError("InvalidClientMetadataException",
                           f"Invalid client type: {ctype}; only public clients are supported")
        scopes = req.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ApiError("InvalidScopeException", "scopes must be a list of strings")
        with self._lock:
            now = time.time()
            client = Client(
                client_id=_random(24), secret="eyJ" + _random(96), name=name,
                client_type=ctype, scopes=scopes, issued_at=int(now),
                expires_at=now + self._config.client_secret_lifetime,
            )
            self._clients[client.client_id] = client
            return {
                "clientId": client.client_id,
                "clientSecret": client.secret,
                "clientIdIssuedAt": client.issued_at,
                "clientSecretExpiresAt": int(client.expires_at),
            }

    def _check_client(self, req: dict) -> Client:
        """Must hold the lock."""
        cid, secret = req.get("clientId"), req.get("clientSecret")
        if not cid:
            raise ApiError("InvalidRequestException", "clientId is required")
        client = self._clients.get(cid)
        if client is None or secret != client.secret:
            raise ApiError("InvalidClientException", "Invalid client provided")
        if client.expires_at <= time.time():
            raise ApiError("InvalidClientException", "Client registration has expired")
        return client

    def start_device_authorization(self, req: dict, base_url: str) -> dict:
        start_url = req.get("startUrl")
        with self._lock:
            client = self._check_client(req)
            if not isinstance(start_url, str) or not start_url:
                raise ApiError("InvalidRequestException", "startUrl is required")
            codes = {d.user_code for d in self._devices.values()}
            user_code = _user_code()
            while user_code in codes:
                user_code = _user_code()
            auth = DeviceAuth(
                device_code=_random(48), user_code=user_code, client_id=client.client_id,
                start_url=start_url, expires_at=time.time() + self._config.device_code_lifetime,
            )
            self._devices[auth.device_code] = auth
            verification = f"{base_url}/device"
            return {
                "deviceCode": auth.device_code,
                "userCode": user_code,
                "verificationUri": verification,
                "verificationUriComplete": f"{verification}?user_code={user_code}",
                "expiresIn": int(self._config.device_code_lifetime),
                "interval": self._config.interval,
            }

    def _issue(self, client_id: str, start_url: str, lifetime: float | None = None) -> dict:
        """New access (+ refresh) token. Must hold the lock."""
        cfg = self._config
        life = cfg.access_token_lifetime if lifetime is None else lifetime
        access = "aoa" + _random(120)
        self._tokens[access] = AccessToken(client_id, start_url, time.time() + life)
        out = {"accessToken": access, "tokenType": "Bearer", "expiresIn": int(life)}
        if cfg.issue_refresh_tokens:
            refresh = "aor" + _random(120)
            self._refresh[refresh] = RefreshToken(client_id, start_url)
            out["refreshToken"] = refresh
        return out

    def create_token(self, req: dict) -> tuple[dict, str]:
        """The answer and the grant kind (for the counters)."""
        grant = req.get("grantType")
        with self._lock:
            if not grant:
                raise ApiError("InvalidRequestException", "grantType is required")
            client = self._check_client(req)
            if grant == DEVICE_CODE_GRANT:
                return self._device_code_token(client, req), "device_code"
            if grant == REFRESH_GRANT:
                return self._refresh_token(client, req), "refresh_token"
            raise ApiError("UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")

    def _device_code_token(self, client: Client, req: dict) -> dict:
        code = req.get("deviceCode")
        if not code:
            raise ApiError("InvalidRequestException", "deviceCode is required")
        auth = self._devices.get(code)
        if auth is None or auth.client_id != client.client_id or auth.status == "used":
            raise ApiError("InvalidGrantException", "Invalid grant provided")
        now = time.time()
        if auth.expires_at <= now:
            raise ApiError("ExpiredTokenException", "Device code has expired")
        if auth.status == "denied":
            raise ApiError("AccessDeniedException", "Access denied by the user")
        too_fast = (self._config.enforce_interval and auth.last_poll is not None
                    and now - auth.last_poll < self._config.interval)
        auth.last_poll = now
        if self._slow_downs > 0:
            self._slow_downs -= 1
            raise ApiError("SlowDownException", "Client is polling too fast")
        if too_fast:
            raise ApiError("SlowDownException", "Client is polling too fast")
        if auth.status == "pending":
            raise ApiError("AuthorizationPendingException", "Authorization is still pending")
        auth.status = "used"
        return self._issue(client.client_id, auth.start_url)

    def _refresh_token(self, client: Client, req: dict) -> dict:
        token = req.get("refreshToken")
        if not token:
            raise ApiError("InvalidRequestException", "refreshToken is required")
        rt = self._refresh.get(token)
        if rt is None or rt.revoked or rt.client_id != client.client_id:
            raise ApiError("InvalidGrantException", "Invalid refresh token provided")
        return self._issue(client.client_id, rt.start_url)

    # -- the browser side -----------------------------------------------------------------

    def _find_user_code(self, user_code: str) -> DeviceAuth | None:
        want = user_code.strip().upper()
        for auth in self._devices.values():
            if auth.user_code == want:
                return auth
        return None

    def decide(self, user_code: str | None, status: str) -> list[str]:
        """Approve or deny one pending user code (or, with None, every pending one)."""
        with self._lock:
            now = time.time()
            if user_code is None:
                targets = [d for d in self._devices.values()
                           if d.status == "pending" and d.expires_at > now]
            else:
                auth = self._find_user_code(user_code)
                if auth is None:
                    raise KeyError(f"unknown user code {user_code!r}")
                if auth.status != "pending":
                    raise ValueError(f"user code {auth.user_code} is {auth.status}, not pending")
                if auth.expires_at <= now:
                    raise ValueError(f"user code {auth.user_code} has expired")
                targets = [auth]
            for d in targets:
                d.status = status
            return [d.user_code for d in targets]

    def device_page_info(self, user_code: str) -> DeviceAuth | None:
        with self._lock:
            auth = self._find_user_code(user_code)
            return dataclasses.replace(auth) if auth else None

    def pending(self) -> list[dict]:
        with self._lock:
            now = time.time()
            return [{"userCode": d.user_code, "startUrl": d.start_url, "clientId": d.client_id,
                     "expiresIn": max(0, int(d.expires_at - now))}
                    for d in self._devices.values()
                    if d.status == "pending" and d.expires_at > now]

    # -- test controls --------------------------------------------------------------------

    def expire_tokens(self, refresh_tokens: bool) -> dict:
        with self._lock:
            now = time.time()
            n = 0
            for t in self._tokens.values():
                if t.expires_at > now:
                    t.expires_at = now
                    n += 1
            r = 0
            if refresh_tokens:
                for rt in self._refresh.values():
                    if not rt.revoked:
                        rt.revoked = True
                        r += 1
            return {"expired_access_tokens": n, "revoked_refresh_tokens": r}

    def expire_device_codes(self) -> dict:
        with self._lock:
            now = time.time()
            n = 0
            for d in self._devices.values():
                if d.status in ("pending", "approved", "denied") and d.expires_at > now:
                    d.expires_at = now
                    n += 1
            return {"expired_device_codes": n}

    def issue_token(self, req: dict) -> dict:
        start_url = req.get("start_url")
        if not isinstance(start_url, str) or not start_url:
            raise ValueError("start_url is required")
        session_name = req.get("session_name")
        lifetime = req.get("lifetime")
        with self._lock:
            cfg = self._config
            region = req.get("region") or cfg.region
            now = time.time()
            client = Client(
                client_id=_random(24), secret="eyJ" + _random(96), name="issue-token",
                client_type="public", scopes=["sso:account:access"], issued_at=int(now),
                expires_at=now + cfg.client_secret_lifetime,
            )
            self._clients[client.client_id] = client
            life = cfg.access_token_lifetime if lifetime is None else float(lifetime)
            tok = self._issue(client.client_id, start_url, life)
            cache = {
                "accessToken": tok["accessToken"],
                "expiresAt": _rfc3339(now + life),
                "region": region,
                "startUrl": start_url,
            }
            if "refreshToken" in tok:
                cache["refreshToken"] = tok["refreshToken"]
            if session_name:
                # Only sso-session tokens are refreshable, and aws-config needs all four.
                cache["clientId"] = client.client_id
                cache["clientSecret"] = client.secret
                cache["registrationExpiresAt"] = _rfc3339(client.expires_at)
            return {
                "cache": cache,
                "cache_file_name": cache_file_name(session_name or start_url),
                "client_id": client.client_id,
                "client_secret": client.secret,
            }

    # -- portal ---------------------------------------------------------------------------

    def _check_access_token(self, token: str | None) -> AccessToken:
        """Must hold the lock."""
        if not token:
            raise ApiError("UnauthorizedException", "Session token not found or invalid")
        t = self._tokens.get(token)
        if t is None or t.revoked or t.expires_at <= time.time():
            raise ApiError("UnauthorizedException", "Session token not found or invalid")
        return t

    def _assigned(self, account_id: str, role_name: str | None) -> bool:
        for a in self._config.accounts:
            if a.get("accountId") == account_id:
                return role_name is None or role_name in (a.get("roles") or [])
        return False

    def get_role_credentials(self, token: str | None, role: str | None,
                             account: str | None) -> dict:
        with self._lock:
            self._check_access_token(token)
            if not role:
                raise ApiError("InvalidRequestException", "role_name is required")
            if not account:
                raise ApiError("InvalidRequestException", "account_id is required")
            cfg = self._config
            if cfg.enforce_assignments and not self._assigned(account, role):
                raise ApiError("ForbiddenException", "No access")
            override = cfg.role_credentials.get(f"{account}/{role}") or {}
            self._session_serial += 1
            session = (override.get("sessionToken") or cfg.session_token
                       or f"sso-session-token-{self._session_serial}")
            return {"roleCredentials": {
                "accessKeyId": override.get("accessKeyId", cfg.access_key_id),
                "secretAccessKey": override.get("secretAccessKey", cfg.secret_access_key),
                "sessionToken": session,
                "expiration": int((time.time() + cfg.role_credentials_lifetime) * 1000),
            }}

    @staticmethod
    def _page(items: list, max_result: str | None,
              next_token: str | None) -> tuple[list, str | None]:
        try:
            start = int(next_token) if next_token else 0
            size = int(max_result) if max_result else 100
        except ValueError:
            raise ApiError("InvalidRequestException", "Invalid max_result or next_token")
        if start < 0 or not 1 <= size <= 100:
            raise ApiError("InvalidRequestException", "Invalid max_result or next_token")
        page = items[start:start + size]
        nxt = str(start + size) if start + size < len(items) else None
        return page, nxt

    def list_accounts(self, token, max_result, next_token) -> dict:
        with self._lock:
            self._check_access_token(token)
            items = [{k: a[k] for k in ("accountId", "accountName", "emailAddress") if k in a}
                     for a in self._config.accounts]
            page, nxt = self._page(items, max_result, next_token)
        out = {"accountList": page}
        if nxt:
            out["nextToken"] = nxt
        return out

    def list_account_roles(self, token, account, max_result, next_token) -> dict:
        with self._lock:
            self._check_access_token(token)
            if not account:
                raise ApiError("InvalidRequestException", "account_id is required")
            roles = []
            for a in self._config.accounts:
                if a.get("accountId") == account:
                    roles = [{"roleName": r, "accountId": account} for r in a.get("roles") or []]
            page, nxt = self._page(roles, max_result, next_token)
        out = {"roleList": page}
        if nxt:
            out["nextToken"] = nxt
        return out

    def logout(self, token: str | None) -> None:
        with self._lock:
            t = self._check_access_token(token)
            t.revoked = True


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

class SsoHandler(BaseHTTPRequestHandler):
    """One client connection. HTTP/1.1 with keep-alive, as the AWS SDKs expect."""

    protocol_version = "HTTP/1.1"
    server: "SsoServer"

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if not self.server.quiet:
            sys.stderr.write(f"sso_server: {self.address_string()} {format % args}\n")

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
        self.wfile.write(body)

    def _reply_json(self, status: int, obj, headers: list[tuple[str, str]] = ()) -> None:
        body = json.dumps(obj, sort_keys=True).encode()
        self._reply(status, body, "application/json", [("x-amzn-RequestId", str(uuid.uuid4())),
                                                       *headers])

    def _base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _query(self) -> dict[str, str]:
        q = urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        return dict(q)

    # -- routing --------------------------------------------------------------------------

    def _dispatch(self) -> None:
        body = self._read_body()
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_test/"):
            self._control(path, body)
        elif path == "/device":
            self._device_page(body)
        elif (self.command, path) in ROUTES:
            self._api(ROUTES[(self.command, path)], body)
        else:
            # What API Gateway-style AWS front ends answer for an unknown route.
            self._reply_json(404, {"message": f"no route {self.command} {path}"},
                             [("x-amzn-errortype", "UnknownOperationException")])

    def _api(self, op: str, body: bytes) -> None:
        state = self.server.state
        family = "oidc" if op in OIDC_OPERATIONS else "portal"
        entry = {"operation": op, "time": time.time()}
        req: dict = {}
        if family == "oidc":
            try:
                req = json.loads(body or b"{}")
            except ValueError:
                req = None
        if op == "CreateToken" and isinstance(req, dict):
            grant = {DEVICE_CODE_GRANT: "device_code", REFRESH_GRANT: "refresh_token"}.get(
                req.get("grantType"), "other")
            entry["grant"] = grant
            state.count(op, f"{op}:{grant}")
        else:
            state.count(op)
        try:
            if not isinstance(req, dict):
                raise ApiError("InvalidRequestException", "Request body must be a JSON object")
            fault = state.take_fault(op)
            if fault is not None:
                raise ApiError(fault.error_type, fault.message, fault.status)
            out = self._call(op, req)
        except ApiError as e:
            entry["error"] = e.error_type
            entry["status"] = self._error_status(family, e)
            state.record(entry)
            self._reply_error(family, e)
            return
        entry["status"] = 200
        state.record(entry)
        self._reply_json(200, out)

    def _call(self, op: str, req: dict) -> dict:
        state = self.server.state
        q = self._query()
        token = self.headers.get("x-amz-sso_bearer_token")
        if op == "RegisterClient":
            return state.register_client(req)
        if op == "StartDeviceAuthorization":
            return state.start_device_authorization(req, self._base_url())
        if op == "CreateToken":
            out, _grant = state.create_token(req)
            return out
        if op == "GetRoleCredentials":
            return state.get_role_credentials(token, q.get("role_name"), q.get("account_id"))
        if op == "ListAccounts":
            return state.list_accounts(token, q.get("max_result"), q.get("next_token"))
        if op == "ListAccountRoles":
            return state.list_account_roles(token, q.get("account_id"), q.get("max_result"),
                                            q.get("next_token"))
        if op == "Logout":
            state.logout(token)
            return {}
        raise AssertionError(op)

    @staticmethod
    def _error_status(family: str, e: ApiError) -> int:
        if e.status is not None:
            return e.status
        if family == "oidc":
            return OIDC_ERRORS.get(e.error_type, (400, ""))[0]
        return PORTAL_ERRORS.get(e.error_type, 400)

    def _reply_error(self, family: str, e: ApiError) -> None:
        status = self._error_status(family, e)
        errortype = e.error_type
        if self.server.state.config().realistic_errortype:
            errortype += CORAL_SUFFIX[family]
        if family == "oidc":
            oauth = OIDC_ERRORS.get(e.error_type, (0, e.error_type))[1]
            body = {"error": oauth, "error_description": e.message}
        else:
            body = {"message": e.message}
        self._reply_json(status, body, [("x-amzn-errortype", errortype)])

    # -- the page a person visits ---------------------------------------------------------

    def _device_page(self, body: bytes) -> None:
        state = self.server.state
        if self.command == "POST":
            form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
            user_code = form.get("user_code", "")
            action = form.get("action", "approve")
        else:
            user_code = self._query().get("user_code", "")
            action = "approve" if state.config().visit_approves else None
        state.count("DeviceVisit")
        message = ""
        if user_code and action in ("approve", "deny"):
            try:
                state.decide(user_code, "approved" if action == "approve" else "denied")
                message = "Request approved. You can close this window." if action == "approve" \
                    else "Request denied."
            except (KeyError, ValueError) as e:
                message = str(e)
        info = state.device_page_info(user_code) if user_code else None
        status = info.status if info else "unknown"
        code = html.escape(user_code)
        page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>SSO test server: authorize request</title></head>
<body>
<h1>Authorize request</h1>
<p id="user-code">{code}</p>
<p id="status">{html.escape(status)}</p>
<p id="message">{html.escape(message)}</p>
<form method="post" action="/device">
<input type="hidden" name="user_code" value="{code}">
<button name="action" value="approve">Allow</button>
<button name="action" value="deny">Deny</button>
</form>
</body></html>
"""
        self._reply(200 if info or not user_code else 404, page.encode(),
                    "text/html; charset=utf-8")

    # -- the control API ------------------------------------------------------------------

    def _control(self, path: str, body: bytes) -> None:
        state = self.server.state
        route = (self.command, path)
        try:
            req = json.loads(body or b"{}") if self.command == "POST" else {}
            if not isinstance(req, dict):
                raise ValueError("the control API takes a JSON object")
            if route == ("GET", "/_test/config"):
                self._reply_json(200, dataclasses.asdict(state.config()))
            elif route == ("POST", "/_test/config"):
                self._reply_json(200, dataclasses.asdict(state.update_config(req)))
            elif route == ("POST", "/_test/approve"):
                self._reply_json(200, {"approved": state.decide(req.get("user_code"), "approved")})
            elif route == ("POST", "/_test/deny"):
                self._reply_json(200, {"denied": state.decide(req.get("user_code"), "denied")})
            elif route == ("GET", "/_test/pending"):
                self._reply_json(200, {"pending": state.pending()})
            elif route == ("POST", "/_test/expire-tokens"):
                self._reply_json(200, state.expire_tokens(bool(req.get("refresh_tokens"))))
            elif route == ("POST", "/_test/expire-device-codes"):
                self._reply_json(200, state.expire_device_codes())
            elif route == ("POST", "/_test/slow-down"):
                n = int(req.get("count", 1))
                if n < 0:
                    raise ValueError("count must not be negative")
                state.add_slow_downs(n)
                self._reply_json(200, {"slow_downs_added": n})
            elif route == ("POST", "/_test/fault"):
                op = req.get("operation")
                error_type = req.get("error_type")
                if not op or not error_type:
                    raise ValueError("operation and error_type are required")
                status = req.get("status")
                state.add_fault(op, Fault(
                    error_type=error_type, status=int(status) if status is not None else None,
                    message=req.get("message") or f"injected {error_type}",
                    count=int(req.get("count", 1))))
                self._reply_json(200, {"ok": True})
            elif route == ("POST", "/_test/issue-token"):
                self._reply_json(200, state.issue_token(req))
            elif route == ("GET", "/_test/cache-file-name"):
                ident = self._query().get("id")
                if not ident:
                    raise ValueError("id is required")
                self._reply_json(200, {"cache_file_name": cache_file_name(ident)})
            elif route == ("GET", "/_test/stats"):
                self._reply_json(200, state.stats())
            elif route == ("GET", "/_test/requests"):
                self._reply_json(200, {"requests": state.requests()})
            elif route == ("POST", "/_test/reset-stats"):
                state.reset_stats()
                self._reply_json(200, state.stats())
            else:
                self._reply_json(404, {"error": f"no control route {route[0]} {route[1]}"})
        except KeyError as e:
            self._reply_json(404, {"error": str(e.args[0]) if e.args else str(e)})
        except (ValueError, TypeError) as e:
            self._reply_json(400, {"error": str(e)})


class SsoServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, addr, state: SsoState, quiet: bool):
        self.state = state
        self.quiet = quiet
        super().__init__(addr, SsoHandler)


# --------------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--exit-on-stdin-eof", action="store_true",
                   help="exit when standard input closes (the test process that started us died)")
    p.add_argument("--remove-dir-on-exit", help="remove this directory when exiting on EOF")
    p.add_argument("--quiet", action="store_true", help="do not log each request")
    p.add_argument("--config", default="{}",
                   help="initial config as a JSON object (keys as in POST /_test/config)")
    return p.parse_args(argv)


def write_port_file(path: str, port: int) -> None:
    """Write atomically, so a reader polling for the file never sees it half written."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def exit_when_stdin_closes(remove_dir: str | None) -> None:
    """The parent holds our stdin's write end: when it dies, however, we get EOF and go."""
    def watch():
        while sys.stdin.buffer.read(4096):
            pass
        if remove_dir:
            shutil.rmtree(remove_dir, ignore_errors=True)
        os._exit(0)
    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        initial = json.loads(args.config)
        if not isinstance(initial, dict):
            raise ValueError("--config must be a JSON object")
        state = SsoState(Config())
        state.update_config(initial)
    except (ValueError, TypeError) as e:
        print(f"sso_server: {e}", file=sys.stderr)
        return 2
    server = SsoServer((args.host, args.port), state, args.quiet)
    port = server.server_address[1]
    if args.exit_on_stdin_eof:
        exit_when_stdin_closes(args.remove_dir_on_exit)
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"sso_server: listening on http://{args.host}:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
