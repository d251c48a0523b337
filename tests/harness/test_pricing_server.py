"""Tests of pricing_server.py through boto3's real Price List client (AWS JSON 1.1).

Run with the moto venv's interpreter, from the repository root:

    ~/.cache/poni-desktop/moto-venv/bin/python -m unittest tests/harness/test_pricing_server.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LINUX_FILTERS = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA",
                 "capacitystatus": "Used"}


def term_filters(**fields: str) -> list[dict]:
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in fields.items()]


def on_demand_usd(document: str) -> list[str]:
    doc = json.loads(document)
    return [dim["pricePerUnit"]["USD"]
            for term in doc["terms"]["OnDemand"].values()
            for dim in term["priceDimensions"].values() if dim["unit"] == "Hrs"]


class PricingServerTest(unittest.TestCase):
    def setUp(self) -> None:
        try:
            import boto3
        except ImportError as e:
            raise unittest.SkipTest(f"needs the moto venv's python ({e})")
        from botocore.config import Config

        scratch = tempfile.TemporaryDirectory(prefix="test_pricing_server.")
        self.addCleanup(scratch.cleanup)
        port_file = os.path.join(scratch.name, "port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "pricing_server.py"), "--port", "0",
             "--port-file", port_file, "--exit-on-stdin-eof", "--quiet"],
            stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.addCleanup(self._stop)
        deadline = time.monotonic() + 20
        while not os.path.exists(port_file):
            self.assertIsNone(self.proc.poll(), "pricing_server exited")
            self.assertLess(time.monotonic(), deadline, "pricing_server did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.url = f"http://127.0.0.1:{int(f.read())}"
        self.pricing = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client("pricing", endpoint_url=self.url,
                                            config=Config(retries={"max_attempts": 1}))

    def _stop(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def test_the_filters_pick_one_linux_on_demand_product(self) -> None:
        answer = self.pricing.get_products(
            ServiceCode="AmazonEC2", FormatVersion="aws_v1",
            Filters=term_filters(instanceType="t3.micro", regionCode="us-east-1",
                                 **LINUX_FILTERS))
        self.assertEqual(answer["FormatVersion"], "aws_v1")
        self.assertEqual(len(answer["PriceList"]), 1)
        self.assertEqual(on_demand_usd(answer["PriceList"][0]), ["0.0104000000"])
        self.assertNotIn("NextToken", answer)
        eu = self.pricing.get_products(
            ServiceCode="AmazonEC2",
            Filters=term_filters(instanceType="m5.4xlarge", regionCode="eu-west-1",
                                 **LINUX_FILTERS))
        self.assertEqual(on_demand_usd(eu["PriceList"][0]), ["0.8560000000"])
        none = self.pricing.get_products(
            ServiceCode="AmazonEC2", Filters=term_filters(instanceType="c7g.medium"))
        self.assertEqual(none["PriceList"], [])
        stats = self.control("GET", "/_pricing/stats")
        self.assertEqual(stats["get_products"], 3)
        self.assertEqual(stats["queries"], {"us-east-1|t3.micro": 1, "eu-west-1|m5.4xlarge": 1,
                                            "|c7g.medium": 1})

    def test_pages_follow_max_results(self) -> None:
        filters = term_filters(instanceType="t3.micro", regionCode="us-east-1")
        seen, token, pages = [], None, 0
        while True:
            kw = {"NextToken": token} if token else {}
            page = self.pricing.get_products(ServiceCode="AmazonEC2", Filters=filters,
                                             MaxResults=1, **kw)
            pages += 1
            seen += page["PriceList"]
            token = page.get("NextToken")
            if not token:
                break
        # Linux, Windows and the two capacity reservation rows.
        self.assertEqual((pages, len(seen), len(set(seen))), (4, 4, 4))
        self.assertEqual(self.control("GET", "/_pricing/stats")["get_products"], 4)

    def test_errors_are_aws_json_errors(self) -> None:
        from botocore.exceptions import ClientError

        with self.assertRaises(ClientError) as cm:
            self.pricing.get_products(ServiceCode="AmazonEC2", NextToken="forged")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidNextTokenException")
        self.control("POST", "/_pricing/config", {"fail": True})
        with self.assertRaises(ClientError) as cm:
            self.pricing.get_products(ServiceCode="AmazonEC2")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        self.control("POST", "/_pricing/config", {"fail": False})
        self.assertTrue(self.pricing.get_products(ServiceCode="AmazonEC2", MaxResults=1)
                        ["PriceList"])
        self.assertEqual(self.control("POST", "/_pricing/reset-stats")["get_products"], 0)


if __name__ == "__main__":
    unittest.main()
