#!/usr/bin/env python3
"""A local AWS Price List Query API for the end-to-end tests: moto has none.

It speaks the real protocol, so the client under test is the real SDK pointed here by the
standard endpoint setting (`AWS_ENDPOINT_URL_PRICING`):

* AWS JSON 1.1: `POST /` with `X-Amz-Target: AWSPriceListService.GetProducts` and a JSON
  body `{"ServiceCode": "AmazonEC2", "Filters": [{"Type": "TERM_MATCH", "Field": ...,
  "Value": ...}], "FormatVersion": "aws_v1", "MaxResults": N, "NextToken": ...}`;
* the answer `{"FormatVersion": "aws_v1", "PriceList": [<one JSON text per product>],
  "NextToken": ...}`, at most MaxResults products a page (default 100, as AWS);
* errors as AWS JSON errors: HTTP 400 with `{"__type": "InvalidParameterException",
  "Message": ...}` (a bad filter, MaxResults out of 1..100, a NextToken it did not give),
  `UnknownOperationException` for another target.

The products are price documents in AWS's published format (product.attributes,
terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD), read from a JSON fixture file
(`{"products": [...]}`, default `prices/ec2-sample.json` next to this script). A filter
`TERM_MATCH` on a field matches the product's attribute of that name exactly (the Field
`ServiceCode` matches the document's `serviceCode`), as AWS matches them.

Control API on the same port: `GET /_pricing/stats` (`{"requests": N, "get_products": N,
"queries": {"<regionCode>|<instanceType>": N}}`: every GetProducts call, counted by the
region and type it filtered on), `POST /_pricing/reset-stats`, `POST /_pricing/config`
(`{"fail": true}` answers every GetProducts with 503 ServiceUnavailableException, `false`
serves again).

Python 3.11 standard library only, like ec2_proxy.py; started with `--port 0 --port-file FILE
--exit-on-stdin-eof` by the Rust harness (tests/src/pricing.rs).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET_PREFIX = "AWSPriceListService."
DEFAULT_FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prices",
                               "ec2-sample.json")
MAX_RESULTS = 100
TOKEN_PREFIX = "page-"
MAX_BODY = 1 << 20


class PricingError(Exception):
    def __init__(self, status: int, kind: str, message: str):
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


class Catalog:
    """The fixture's products and the call counters, shared by the request threads."""

    def __init__(self, products: list[dict]):
        self.products = products
        self._lock = threading.Lock()
        self.fail = False
        self._reset()

    def _reset(self) -> None:
        self.requests = 0
        self.get_products = 0
        self.queries: dict[str, int] = {}

    def stats(self) -> dict:
        with self._lock:
            return {"requests": self.requests, "get_products": self.get_products,
                    "queries": dict(self.queries)}

    def reset_stats(self) -> None:
        with self._lock:
            self._reset()

    def count(self, filters: dict[str, str] | None) -> None:
        with self._lock:
            self.requests += 1
            if filters is not None:
                self.get_products += 1
                key = f"{filters.get('regionCode', '')}|{filters.get('instanceType', '')}"
                self.queries[key] = self.queries.get(key, 0) + 1

    def matching(self, service_code: str, filters: dict[str, str]) -> list[dict]:
        def matches(product: dict) -> bool:
            if product.get("serviceCode") != service_code:
                return False
            attributes = product.get("product", {}).get("attributes", {})
            for field, value in filters.items():
                if field == "ServiceCode":
                    if product.get("serviceCode") != value:
                        return False
                elif attributes.get(field) != value:
                    return False
            return True

        return [p for p in self.products if matches(p)]


def read_fixture(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    products = doc.get("products") if isinstance(doc, dict) else None
    if not isinstance(products, list) or not all(isinstance(p, dict) for p in products):
        raise ValueError(f"{path}: expected {{\"products\": [...]}}")
    return products


def parse_filters(body: dict) -> dict[str, str]:
    filters = body.get("Filters", [])
    if not isinstance(filters, list):
        raise PricingError(400, "InvalidParameterException", "Filters must be a list")
    parsed: dict[str, str] = {}
    for f in filters:
        if not isinstance(f, dict) or f.get("Type") != "TERM_MATCH" \
                or not isinstance(f.get("Field"), str) or not isinstance(f.get("Value"), str):
            raise PricingError(400, "InvalidParameterException",
                               "Each filter needs Type TERM_MATCH, a Field and a Value")
        parsed[f["Field"]] = f["Value"]
    return parsed


def get_products(catalog: Catalog, body: dict) -> dict:
    """One GetProducts page."""
    service_code = body.get("ServiceCode")
    if not isinstance(service_code, str) or not service_code:
        raise PricingError(400, "InvalidParameterException", "ServiceCode is required")
    filters = parse_filters(body)
    max_results = body.get("MaxResults", MAX_RESULTS)
    if not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
        raise PricingError(400, "InvalidParameterException",
                           f"MaxResults must be within 1..{MAX_RESULTS}")
    fmt = body.get("FormatVersion", "aws_v1")
    if fmt != "aws_v1":
        raise PricingError(400, "InvalidParameterException", f"FormatVersion {fmt} is unknown")
    token = body.get("NextToken")
    start = 0
    if token is not None:
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) \
                or not token[len(TOKEN_PREFIX):].isdigit():
            raise PricingError(400, "InvalidNextTokenException", "The NextToken is not valid")
        start = int(token[len(TOKEN_PREFIX):])
    found = catalog.matching(service_code, filters)
    page = found[start:start + max_results]
    answer = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(p) for p in page]}
    if start + max_results < len(found):
        answer["NextToken"] = f"{TOKEN_PREFIX}{start + max_results}"
    return answer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "PricingServer"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if not self.server.quiet:
            sys.stderr.write(f"pricing_server: {self.address_string()} {format % args}\n")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise PricingError(413, "InvalidParameterException", "request too large")
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, obj, content_type: str = "application/x-amz-json-1.1") -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/_pricing/stats":
            self._reply(200, self.server.catalog.stats(), "application/json")
        else:
            self._reply(404, {"error": f"no route GET {self.path}"}, "application/json")

    def do_POST(self) -> None:
        catalog = self.server.catalog
        try:
            body = self._body()
            if self.path == "/_pricing/reset-stats":
                catalog.reset_stats()
                self._reply(200, catalog.stats(), "application/json")
                return
            if self.path == "/_pricing/config":
                change = json.loads(body or b"{}")
                if not isinstance(change, dict) or not isinstance(change.get("fail"), bool):
                    raise PricingError(400, "InvalidParameterException",
                                       'expected {"fail": true|false}')
                catalog.fail = change["fail"]
                self._reply(200, {"fail": catalog.fail}, "application/json")
                return
            target = self.headers.get("X-Amz-Target", "")
            if target != TARGET_PREFIX + "GetProducts":
                catalog.count(None)
                raise PricingError(400, "UnknownOperationException", f"Unknown target {target}")
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                catalog.count(None)
                raise PricingError(400, "SerializationException", "The body is not JSON")
            if not isinstance(request, dict):
                catalog.count(None)
                raise PricingError(400, "SerializationException", "The body is not an object")
            try:
                filters = parse_filters(request)
            except PricingError:
                catalog.count(None)
                raise
            catalog.count(filters)
            if catalog.fail:
                raise PricingError(503, "ServiceUnavailableException", "Service unavailable")
            self._reply(200, get_products(catalog, request))
        except PricingError as e:
            self._reply(e.status, {"__type": e.kind, "Message": e.message})


class PricingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, catalog: Catalog, quiet: bool):
        self.catalog = catalog
        self.quiet = quiet
        super().__init__(addr, Handler)


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
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--fixture", default=DEFAULT_FIXTURE, help="the price documents (JSON)")
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        catalog = Catalog(read_fixture(args.fixture))
    except (OSError, ValueError) as e:
        print(f"pricing_server: {e}", file=sys.stderr)
        return 2
    server = PricingServer((args.host, args.port), catalog, args.quiet)
    port = server.server_address[1]
    if args.exit_on_stdin_eof:
        exit_when_stdin_closes()
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"pricing_server: listening on http://{args.host}:{port} "
          f"({len(catalog.products)} products)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
