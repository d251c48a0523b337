"""Tests of ec2_proxy.py's throttling buckets, RunInstances ClientToken handling, console
texts (GetConsoleOutput) and held status checks (DescribeInstanceStatus).

Run with the moto venv's interpreter, from the repository root:

    ~/.cache/poni-desktop/moto-venv/bin/python -m unittest tests/harness/test_ec2_proxy.py

`BucketUnitTest` drives `ProxyState` in-process with a fake clock; the other tests start moto
(moto_runner.py) and a proxy per test (ec2_proxy.py, each with its own moto account) on free
ports and talk to them with boto3, retries off.
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
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ec2_proxy  # noqa: E402
from ec2_proxy import Config, ProxyState  # noqa: E402

TEST_AMI = "ami-12c6146b"  # in moto's default images (tests/src/lib.rs: TEST_AMI)
START_TIMEOUT = 20.0

_moto: subprocess.Popen | None = None
_moto_url = ""
_scratch: tempfile.TemporaryDirectory | None = None
_next_account = 0


def _wait_for_port_file(path: str, proc: subprocess.Popen, what: str) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                return int(f.read().strip())
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT} s")


def _start(args: list[str], name: str) -> tuple[subprocess.Popen, int]:
    port_file = os.path.join(_scratch.name, f"{name}.{uuid.uuid4().hex}.port")
    log = open(os.path.join(_scratch.name, f"{name}.log"), "ab")
    proc = subprocess.Popen([sys.executable, *args, "--port", "0", "--port-file", port_file,
                             "--exit-on-stdin-eof"],
                            stdin=subprocess.PIPE, stdout=log, stderr=log)
    log.close()
    return proc, _wait_for_port_file(port_file, proc, name)


def _stop(proc: subprocess.Popen) -> None:
    proc.stdin.close()  # both servers exit on stdin EOF
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def setUpModule() -> None:
    global _moto, _moto_url, _scratch
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        raise unittest.SkipTest(f"needs the moto venv's python ({e})")
    _scratch = tempfile.TemporaryDirectory(prefix="test_ec2_proxy.")
    _moto, port = _start([os.path.join(HERE, "moto_runner.py"), "--host", "127.0.0.1"], "moto")
    _moto_url = f"http://127.0.0.1:{port}"


def tearDownModule() -> None:
    if _moto is not None:
        _stop(_moto)
    if _scratch is not None:
        _scratch.cleanup()


def fresh_account() -> str:
    global _next_account
    _next_account += 1
    return f"8{os.getpid() % 100_000:05d}{_next_account:06d}"


def ec2_client(url: str, region: str = "us-east-1", account: str | None = None):
    """A boto3 EC2 client without retries (a refusal must show), signing for `region`."""
    import boto3
    from botocore.config import Config as BotoConfig

    client = boto3.client(
        "ec2", endpoint_url=url, region_name=region,
        aws_access_key_id="AKIDTESTING", aws_secret_access_key="testing",
        config=BotoConfig(retries={"mode": "standard", "total_max_attempts": 1},
                          connect_timeout=5, read_timeout=30))
    if account:
        def add_account(request, **_kw):
            request.headers["x-moto-account-id"] = account
        client.meta.events.register("before-send.ec2.*", add_account)
    return client


def error_code(e) -> tuple[int, str]:
    return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]


class ProxyTestCase(unittest.TestCase):
    """One proxy per test, in front of the module's moto, on a fresh account."""

    proxy_args: list[str] = []

    def setUp(self) -> None:
        self.account = fresh_account()
        self.proxy, port = _start(
            [os.path.join(HERE, "ec2_proxy.py"), "--upstream", _moto_url, "--host", "127.0.0.1",
             "--quiet", f"--account={self.account}", *self.proxy_args], "ec2_proxy")
        self.url = f"http://127.0.0.1:{port}"
        self.addCleanup(_stop, self.proxy)
        self.ec2 = ec2_client(self.url)
        # moto itself, on this test's account: what was really launched.
        self.moto = ec2_client(_moto_url, account=self.account)

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def stats(self) -> dict:
        return self.control("GET", "/_proxy/stats")

    def launch(self, max_count: int = 1, client=None, **kw):
        return (client or self.ec2).run_instances(
            ImageId=TEST_AMI, MinCount=1, MaxCount=max_count, **kw)

    def moto_instance_ids(self) -> list[str]:
        answer = self.moto.describe_instances()
        return sorted(i["InstanceId"] for r in answer["Reservations"] for i in r["Instances"])

    def assertThrottled(self, call) -> None:
        from botocore.exceptions import ClientError

        with self.assertRaises(ClientError) as cm:
            call()
        self.assertEqual(error_code(cm.exception), (503, "RequestLimitExceeded"))


# --------------------------------------------------------------------------------------------
# In-process: the bucket arithmetic, with a clock the test moves
# --------------------------------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class BucketUnitTest(unittest.TestCase):
    def state(self, **config) -> tuple[ProxyState, FakeClock]:
        clock = FakeClock()
        return ProxyState(Config(buckets="published", **config), clock=clock), clock

    def test_off_admits_everything(self) -> None:
        state = ProxyState(Config())
        for _ in range(100):
            self.assertIsNone(state.admit("a", "r", "RunInstances", "RunInstances", 1000))
        self.assertEqual(state.stats()["throttled"], 0)

    def test_request_bucket_burst_then_refill(self) -> None:
        state, clock = self.state()
        admit = lambda: state.admit("a", "r", "RunInstances", "RunInstances", 1)  # noqa: E731
        for _ in range(5):
            self.assertIsNone(admit())
        self.assertEqual(admit(), "request:RunInstances")
        clock.now += 0.49  # 2 per second: not yet one token
        self.assertEqual(admit(), "request:RunInstances")
        clock.now += 0.02
        self.assertIsNone(admit())
        stats = state.stats()
        self.assertEqual(stats["throttled"], 2)
        self.assertEqual(stats["throttled_by_action"], {"RunInstances": 2})
        self.assertEqual(stats["throttled_by_bucket"], {"request:RunInstances": 2})
        self.assertEqual(stats["faults"], 0)

    def test_a_refused_call_takes_nothing(self) -> None:
        state, _clock = self.state()
        self.assertIsNone(state.admit("a", "r", "RunInstances", "RunInstances", 998))
        # 4 request tokens, 2 resource tokens left: asking 3 instances is refused, and takes
        # no request token either.
        for _ in range(10):
            self.assertEqual(state.admit("a", "r", "RunInstances", "RunInstances", 3),
                             "resource:RunInstances")
        for _ in range(2):
            self.assertIsNone(state.admit("a", "r", "RunInstances", "RunInstances", 1))
        # Request tokens left (2) but no resource tokens: a call launching nothing (a
        # ClientToken replay) still passes.
        self.assertIsNone(state.admit("a", "r", "RunInstances", "RunInstances", 0))
        self.assertEqual(state.admit("a", "r", "RunInstances", "RunInstances", 1),
                         "resource:RunInstances")

    def test_more_than_a_full_bucket_is_always_refused(self) -> None:
        state, clock = self.state()
        clock.now += 3600
        self.assertEqual(state.admit("a", "r", "StopInstances", "mutating", 1001),
                         "resource:StopInstances")
        self.assertIsNone(state.admit("a", "r", "StopInstances", "mutating", 1000))

    def test_buckets_are_per_account_and_region(self) -> None:
        state, _clock = self.state()
        for key in (("a", "us-east-1"), ("b", "us-east-1"), ("a", "eu-west-1")):
            for _ in range(5):
                self.assertIsNone(state.admit(*key, "RunInstances", "RunInstances", 1))
            self.assertIsNotNone(state.admit(*key, "RunInstances", "RunInstances", 1))

    def test_bucket_scale_multiplies_refill(self) -> None:
        state, clock = self.state(bucket_scale=10.0)
        for _ in range(5):
            state.admit("a", "r", "RunInstances", "RunInstances", 1)
        clock.now += 0.05  # 2/s * 10
        self.assertIsNone(state.admit("a", "r", "RunInstances", "RunInstances", 1))

    def test_switching_buckets_on_again_fills_them(self) -> None:
        state, _clock = self.state()
        for _ in range(5):
            state.admit("a", "r", "RunInstances", "RunInstances", 1)
        self.assertIsNotNone(state.admit("a", "r", "RunInstances", "RunInstances", 1))
        state.update_config({"buckets": "published", "seed": 3})  # unchanged: stays empty
        self.assertIsNotNone(state.admit("a", "r", "RunInstances", "RunInstances", 1))
        state.update_config({"buckets": "off"})
        state.update_config({"buckets": "published"})
        self.assertIsNone(state.admit("a", "r", "RunInstances", "RunInstances", 1))

    def test_config_is_validated(self) -> None:
        state = ProxyState(Config())
        for bad in ({"buckets": "on"}, {"bucket_scale": 0}, {"bucket_scale": -1.0}):
            with self.assertRaises(ValueError):
                state.update_config(bad)

    def test_which_bucket_a_call_takes(self) -> None:
        rb = ec2_proxy.request_bucket
        self.assertEqual(rb("DescribeInstances", []), "DescribeInstances:unfiltered")
        for narrowing in ("Filter.1.Name", "MaxResults", "NextToken", "InstanceId.1"):
            self.assertEqual(rb("DescribeInstances", [(narrowing, "x")]), "DescribeInstances")
        self.assertEqual(rb("RunInstances", []), "RunInstances")
        self.assertEqual(rb("CreateTags", []), "CreateTags")
        self.assertEqual(rb("TerminateInstances", []), "TerminateInstances")
        for mutating in ("StartInstances", "StopInstances", "AssociateAddress", "ImportKeyPair",
                         "AuthorizeSecurityGroupIngress", "ModifyInstanceAttribute"):
            self.assertEqual(rb(mutating, []), "mutating")
        for lookup in ("DescribeSubnets", "DescribeInstanceStatus", "GetConsoleOutput",
                       "ListImagesInRecycleBin"):
            self.assertEqual(rb(lookup, []), "non-mutating")
        asked = ec2_proxy.instances_asked
        self.assertEqual(asked("RunInstances", [("MinCount", "1"), ("MaxCount", "7")]), 7)
        self.assertEqual(asked("TerminateInstances",
                               [("InstanceId.1", "i-1"), ("InstanceId.2", "i-2")]), 2)
        self.assertEqual(asked("DescribeInstances", [("InstanceId.1", "i-1")]), 0)

    def test_region_from_the_credential_scope(self) -> None:
        scope = ec2_proxy.credential_scope
        auth = ("AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/ec2/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=abc")
        self.assertEqual(scope(auth, []), ("eu-west-1", "ec2"))
        presigned = [("X-Amz-Credential", "AKID/20260101/ap-south-1/ec2/aws4_request")]
        self.assertEqual(scope("", presigned), ("ap-south-1", "ec2"))
        self.assertEqual(scope("", []), ("us-east-1", "ec2"))


# --------------------------------------------------------------------------------------------
# End to end: boto3 -> proxy -> moto
# --------------------------------------------------------------------------------------------

class RequestBucketTest(ProxyTestCase):
    # Refill so slow that nothing refills during the test.
    proxy_args = ["--buckets=published", "--bucket-scale=0.0001"]

    def test_run_instances_burst_of_five_then_refused(self) -> None:
        for _ in range(5):
            self.launch()
        self.assertThrottled(self.launch)
        self.assertEqual(len(self.moto_instance_ids()), 5, "the refused call was not forwarded")
        stats = self.stats()
        self.assertEqual(stats["throttled"], 1)
        self.assertEqual(stats["throttled_by_action"], {"RunInstances": 1})
        self.assertEqual(stats["faults"], 0)
        self.assertEqual(stats["actions"]["RunInstances"], 6, "refused calls are counted too")
        # Another region has buckets of its own.
        self.launch(client=ec2_client(self.url, region="us-west-2"))

    def test_unfiltered_and_filtered_describe_instances_use_different_buckets(self) -> None:
        for _ in range(50):
            self.ec2.describe_instances()
        self.assertThrottled(self.ec2.describe_instances)
        filtered = lambda: self.ec2.describe_instances(  # noqa: E731
            Filters=[{"Name": "instance-type", "Values": ["t2.micro"]}])
        for _ in range(60):
            filtered()
        self.ec2.describe_instances(MaxResults=5)  # paginated: the filtered bucket too
        self.ec2.describe_subnets()  # other lookups: a bucket of their own
        self.assertEqual(self.stats()["throttled_by_bucket"],
                         {"request:DescribeInstances:unfiltered": 1})


class RunCapacityTest(ProxyTestCase):
    def test_ec2_launches_up_to_max_count_or_what_capacity_allows(self) -> None:
        self.assertEqual(len(self.launch(max_count=3)["Instances"]), 3, "moto alone would launch MinCount")
        self.control("POST", "/_proxy/config", {"run_capacity": 2})
        self.assertEqual(len(self.launch(max_count=3)["Instances"]), 2, "short of capacity: fewer")
        self.control("POST", "/_proxy/config", {"run_capacity": 0})
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            self.launch(max_count=3)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InsufficientInstanceCapacity")


class ResourceBucketTest(ProxyTestCase):
    # RunInstances' resource bucket refills 2 * 5 = 10 instances a second.
    proxy_args = ["--buckets=published", "--bucket-scale=5"]

    def test_instances_are_metered_by_max_count(self) -> None:
        # EC2 with room for one instance a call: it launches one but meters MaxCount.
        self.control("POST", "/_proxy/config", {"run_capacity": 1})
        self.launch(max_count=1000)
        self.assertThrottled(lambda: self.launch(max_count=15))
        time.sleep(1.8)  # 15 instances' worth of refill (1.5 s), with room
        self.launch(max_count=15)
        self.assertThrottled(lambda: self.launch(max_count=1001))  # never fits
        self.assertEqual(len(self.moto_instance_ids()), 2)
        self.assertEqual(self.stats()["throttled_by_bucket"], {"resource:RunInstances": 2})

    def test_terminate_counts_its_instance_ids(self) -> None:
        ids = [i["InstanceId"] for i in self.launch()["Instances"]]
        self.ec2.terminate_instances(InstanceIds=ids)
        self.assertThrottled(lambda: self.ec2.terminate_instances(
            InstanceIds=[f"i-{n:017x}" for n in range(1001)]))


class ClientTokenTest(ProxyTestCase):
    proxy_args = ["--buckets=published", "--hold-pending=30"]

    def test_a_repeat_is_answered_the_first_launch(self) -> None:
        token = uuid.uuid4().hex
        first = self.launch(ClientToken=token)["Instances"][0]
        again = self.launch(ClientToken=token)["Instances"][0]
        self.assertEqual(again["InstanceId"], first["InstanceId"])
        self.assertEqual(again["State"]["Name"], "pending")
        self.assertEqual(self.moto_instance_ids(), [first["InstanceId"]])
        # The hold was not restarted or lost: the proxy still shows it pending.
        shown = self.ec2.describe_instances(InstanceIds=[first["InstanceId"]])
        self.assertEqual(shown["Reservations"][0]["Instances"][0]["State"]["Name"], "pending")
        # Another token launches another instance.
        self.launch(ClientToken=uuid.uuid4().hex)
        self.assertEqual(len(self.moto_instance_ids()), 2)
        stats = self.stats()
        self.assertEqual((stats["actions"]["RunInstances"], stats["client_token_replays"]), (3, 1))

    def test_a_repeat_shows_the_instance_state_now(self) -> None:
        self.control("POST", "/_proxy/config", {"hold_pending": 0, "hold_shutting_down": 0})
        token = uuid.uuid4().hex
        iid = self.launch(ClientToken=token)["Instances"][0]["InstanceId"]
        self.assertEqual(self.launch(ClientToken=token)["Instances"][0]["State"]["Name"],
                         "running")
        self.ec2.terminate_instances(InstanceIds=[iid])
        again = self.launch(ClientToken=token)["Instances"][0]
        self.assertEqual((again["InstanceId"], again["State"]["Name"]), (iid, "terminated"))
        # Tokens are per region, as on EC2: the same call in another region launches.
        other = ec2_client(self.url, region="us-west-2")
        self.assertNotEqual(self.launch(client=other, ClientToken=token)["Instances"][0]
                            ["InstanceId"], iid)

    def test_same_token_other_parameters_is_a_mismatch(self) -> None:
        from botocore.exceptions import ClientError

        token = uuid.uuid4().hex
        self.launch(ClientToken=token, InstanceType="t2.micro")
        with self.assertRaises(ClientError) as cm:
            self.launch(ClientToken=token, InstanceType="t3.large")
        self.assertEqual(error_code(cm.exception), (400, "IdempotentParameterMismatch"))
        self.assertEqual(len(self.moto_instance_ids()), 1)
        self.assertEqual(self.stats()["client_token_mismatches"], 1)

    def test_a_failed_launch_is_not_remembered(self) -> None:
        from botocore.exceptions import ClientError

        token = uuid.uuid4().hex
        with self.assertRaises(ClientError) as cm:  # moto's own error
            self.launch(ClientToken=token, SubnetId="subnet-00000000")
        self.assertEqual(error_code(cm.exception)[1], "InvalidSubnetID.NotFound")
        # An error the proxy answers itself (not forwarded).
        self.control("POST", "/_proxy/config", {
            "fault_rate": 1.0, "fault_kinds": ["http500"], "fault_budget": 1})
        with self.assertRaises(ClientError):
            self.launch(ClientToken=token)
        self.assertEqual(self.moto_instance_ids(), [])
        self.launch(ClientToken=token)
        self.assertEqual(len(self.moto_instance_ids()), 1)
        self.assertEqual(self.stats()["client_token_replays"], 0)

    def test_concurrent_repeats_wait_for_the_first(self) -> None:
        import threading

        # Latency holds the first call between claiming the token and reaching moto.
        self.control("POST", "/_proxy/config", {"latency_ms": 500,
                                                "fault_actions": ["RunInstances"]})
        token = uuid.uuid4().hex
        ids: list[str] = []

        def launch() -> None:
            client = ec2_client(self.url)
            ids.append(client.run_instances(ImageId=TEST_AMI, MinCount=1, MaxCount=1,
                                            ClientToken=token)["Instances"][0]["InstanceId"])
        threads = [threading.Thread(target=launch) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(ids), 3)
        self.assertEqual(len(set(ids)), 1, ids)
        self.assertEqual(self.moto_instance_ids(), ids[:1])
        self.assertEqual(self.stats()["client_token_replays"], 2)

    def test_a_retry_after_a_lost_answer_gets_the_launched_instance(self) -> None:
        from botocore.exceptions import BotoCoreError

        self.control("POST", "/_proxy/config", {
            "fault_rate": 1.0, "fault_kinds": ["drop_after"], "fault_actions": ["RunInstances"],
            "fault_budget": 1})
        token = uuid.uuid4().hex
        with self.assertRaises(BotoCoreError):
            self.launch(ClientToken=token)
        launched = self.moto_instance_ids()
        self.assertEqual(len(launched), 1, "the lost launch took effect")
        retried = self.launch(ClientToken=token)["Instances"][0]
        self.assertEqual([retried["InstanceId"]], launched)
        self.assertEqual(self.moto_instance_ids(), launched)
        stats = self.stats()
        self.assertEqual(stats["faults_by_kind"], {"drop_after": 1})
        self.assertEqual(stats["client_token_replays"], 1)


# --------------------------------------------------------------------------------------------
# GetConsoleOutput: the test's console text per instance
# --------------------------------------------------------------------------------------------

# As cloud-init's write-ssh-key-fingerprints (before 21.2) prints it: the fingerprints through
# `logger -s -t ec2` (its first line is empty), the public keys straight to the console.
CONSOLE_TEXT = "\n".join([
    "[   12.034112] cloud-init[2210]: Cloud-init v. 19.3-46.amzn2 running 'modules:final'",
    "ec2: ",
    "ec2: #############################################################",
    "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----",
    "ec2: 256 SHA256:l4xOV1Y5PTBXlqqiBwDCZ0xM1IvTVQtT3eLEJvBHcF8 root@ip-172-31-0-1 (ED25519)",
    "ec2: -----END SSH HOST KEY FINGERPRINTS-----",
    "ec2: #############################################################",
    "-----BEGIN SSH HOST KEY KEYS-----",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0k root@ip-172-31-0-1",
    "-----END SSH HOST KEY KEYS-----",
    "",
])


class ConsoleOutputUnitTest(unittest.TestCase):
    def test_answer_has_ec2s_shape(self) -> None:
        import base64
        import xml.etree.ElementTree as ET
        from datetime import datetime, timezone

        now = datetime(2026, 12, 7, 9, 30, 5, tzinfo=timezone.utc)
        body = ec2_proxy.console_output_body("i-0123456789abcdef0", CONSOLE_TEXT, None, now)
        root = ET.fromstring(body)
        ns = "{http://ec2.amazonaws.com/doc/2016-11-15/}"
        self.assertEqual(root.tag, f"{ns}GetConsoleOutputResponse")
        self.assertEqual([child.tag[len(ns):] for child in root],
                         ["requestId", "instanceId", "timestamp", "output"])
        self.assertEqual(root.findtext(f"{ns}instanceId"), "i-0123456789abcdef0")
        self.assertEqual(root.findtext(f"{ns}timestamp"), "2026-12-07T09:30:05.000Z")
        self.assertTrue(uuid.UUID(root.findtext(f"{ns}requestId")))
        self.assertEqual(base64.b64decode(root.findtext(f"{ns}output")).decode(), CONSOLE_TEXT)
        # The namespace follows the request's Version.
        other = ET.fromstring(ec2_proxy.console_output_body("i-1", "x", "2015-10-01"))
        self.assertEqual(other.tag,
                         "{http://ec2.amazonaws.com/doc/2015-10-01/}GetConsoleOutputResponse")

    def test_texts_are_set_one_by_one_or_all_at_once(self) -> None:
        state = ProxyState(Config())
        self.assertIsNone(state.console_output_for("i-1"))
        self.assertEqual(state.set_console_output("i-1", "one"), {"i-1": "one"})
        self.assertEqual(state.set_console_output("i-2", ""), {"i-1": "one", "i-2": ""})
        self.assertEqual(state.console_output_for("i-2"), "", "an empty text is a text")
        self.assertEqual(state.set_console_output("i-1", None), {"i-2": ""})
        self.assertIsNone(state.console_output_for("i-1"))
        self.assertIsNone(state.console_output_for(None))
        state.update_config({"console_output": {"i-3": "three"}})  # replaces the map
        self.assertEqual(state.config().console_output, {"i-3": "three"})
        state.update_config({"fault_rate": 0.5})  # other keys leave it alone
        self.assertEqual(state.console_output_for("i-3"), "three")
        state.config().console_output["i-4"] = "not through the lock"
        self.assertIsNone(state.console_output_for("i-4"), "config() hands out a copy")
        for bad in ({"console_output": ["i-1"]}, {"console_output": {"i-1": 5}}):
            with self.assertRaises(ValueError):
                state.update_config(bad)
        with self.assertRaises(ValueError):
            state.set_console_output("", "text")
        with self.assertRaises(ValueError):
            state.set_console_output("i-1", 5)


class ConsoleOutputTest(ProxyTestCase):
    def test_set_text_is_served_other_instances_go_to_moto(self) -> None:
        mine, other = (i["InstanceId"] for i in self.launch(max_count=2)["Instances"])
        answer = self.control("POST", "/_proxy/console-output",
                              {"instance_id": mine, "output": CONSOLE_TEXT})
        self.assertEqual(answer, {mine: CONSOLE_TEXT})
        got = self.ec2.get_console_output(InstanceId=mine)  # botocore decodes the base64
        self.assertEqual((got["InstanceId"], got["Output"]), (mine, CONSOLE_TEXT))
        self.assertIsNotNone(got["Timestamp"])
        sample = self.ec2.get_console_output(InstanceId=other)["Output"]
        self.assertIn("Linux version", sample, "moto's sample text")
        self.assertEqual(self.control("GET", "/_proxy/config")["console_output"],
                         {mine: CONSOLE_TEXT})
        # Removed: moto answers again.
        self.control("POST", "/_proxy/console-output", {"instance_id": mine, "output": None})
        self.assertEqual(self.ec2.get_console_output(InstanceId=mine)["Output"], sample)
        # Through the config, the whole map at once; also for an id moto does not know.
        self.control("POST", "/_proxy/config", {"console_output": {"i-0000000000000dead": "x"}})
        self.assertEqual(self.ec2.get_console_output(InstanceId="i-0000000000000dead")["Output"],
                         "x")
        self.assertEqual(self.stats()["actions"]["GetConsoleOutput"], 4)

    def test_faults_come_before_the_text(self) -> None:
        from botocore.exceptions import ClientError

        iid = self.launch()["Instances"][0]["InstanceId"]
        self.control("POST", "/_proxy/console-output", {"instance_id": iid, "output": "up"})
        self.control("POST", "/_proxy/config", {
            "fault_rate": 1.0, "fault_kinds": ["throttle"], "fault_actions": ["GetConsoleOutput"],
            "fault_budget": 1})
        with self.assertRaises(ClientError) as cm:
            self.ec2.get_console_output(InstanceId=iid)
        self.assertEqual(error_code(cm.exception), (503, "RequestLimitExceeded"))
        self.assertEqual(self.ec2.get_console_output(InstanceId=iid)["Output"], "up")

    def test_bad_control_calls_are_refused(self) -> None:
        import urllib.error

        for body in ({"instance_id": "i-1"}, {"instance_id": "", "output": "x"}, ["x"]):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                self.control("POST", "/_proxy/console-output", body)
            self.assertEqual(cm.exception.code, 400)


# --------------------------------------------------------------------------------------------
# DescribeInstanceStatus: checks and events held where the test says
# --------------------------------------------------------------------------------------------

class InstanceHealthUnitTest(unittest.TestCase):
    def test_checks_are_set_one_by_one_or_all_at_once_and_validated(self) -> None:
        state = ProxyState(Config())
        self.assertIsNone(state.instance_health_for("i-1"))
        held = state.set_instance_health("i-1", {"system": "ok", "instance": "initializing"})
        self.assertEqual(held, {"i-1": {"system": "ok", "instance": "initializing", "events": []}})
        state.instance_health_for("i-1")["system"] = "impaired"
        self.assertEqual(state.instance_health_for("i-1")["system"], "ok", "a copy is handed out")
        self.assertEqual(state.set_instance_health("i-1", None), {})
        state.update_config({"instance_health": {"i-2": {"system": "impaired", "instance": "ok"}}})
        self.assertEqual(state.config().instance_health["i-2"]["events"], [])
        for bad in ({"system": "fine", "instance": "ok"}, {"system": "ok"},
                    {"system": "ok", "instance": "ok", "events": [{"description": "no code"}]},
                    {"system": "ok", "instance": "ok", "events": [{"code": "x", "when": "y"}]},
                    {"system": "ok", "instance": "ok", "colour": "red"}, ["ok"]):
            with self.assertRaises(ValueError, msg=repr(bad)):
                state.set_instance_health("i-3", bad)
            with self.assertRaises(ValueError, msg=repr(bad)):
                state.update_config({"instance_health": {"i-3": bad}})
        with self.assertRaises(ValueError):
            state.set_instance_health("", {"system": "ok", "instance": "ok"})


class InstanceHealthTest(ProxyTestCase):
    def statuses(self, **kw) -> dict:
        answer = self.ec2.describe_instance_status(IncludeAllInstances=True, **kw)
        return {s["InstanceId"]: s for s in answer["InstanceStatuses"]}

    def test_held_checks_then_ok_other_instances_as_moto_says(self) -> None:
        mine, other = (i["InstanceId"] for i in self.launch(max_count=2)["Instances"])
        event = {"code": "system-reboot", "description": "scheduled reboot",
                 "not_before": "2030-01-01T00:00:00.000Z", "instance_event_id": "instance-event-1"}
        answer = self.control("POST", "/_proxy/instance-health", {
            "instance_id": mine, "system": "ok", "instance": "initializing", "events": [event]})
        self.assertEqual(answer[mine]["instance"], "initializing")
        got = self.statuses(InstanceIds=[mine, other])
        self.assertEqual(got[mine]["SystemStatus"]["Status"], "ok")
        self.assertEqual(got[mine]["InstanceStatus"]["Status"], "initializing")
        self.assertEqual(got[mine]["InstanceStatus"]["Details"],
                         [{"Name": "reachability", "Status": "initializing"}])
        self.assertEqual(len(got[mine]["Events"]), 1)
        self.assertEqual(got[mine]["Events"][0]["Code"], "system-reboot")
        self.assertEqual(got[mine]["Events"][0]["InstanceEventId"], "instance-event-1")
        self.assertEqual(got[mine]["Events"][0]["NotBefore"].year, 2030)
        self.assertEqual(got[other]["InstanceStatus"]["Status"], "ok", "moto's own answer")
        # Without ids too (the fleet wall's call), and then ok.
        self.assertEqual(self.statuses()[mine]["InstanceStatus"]["Status"], "initializing")
        self.control("POST", "/_proxy/instance-health",
                     {"instance_id": mine, "system": "ok", "instance": "ok"})
        got = self.statuses(InstanceIds=[mine])[mine]
        self.assertEqual((got["SystemStatus"]["Status"], got["InstanceStatus"]["Status"]),
                         ("ok", "ok"))
        self.assertEqual(got.get("Events", []), [])
        # Removed: moto answers again.
        self.assertEqual(self.control("POST", "/_proxy/instance-health",
                                      {"instance_id": mine, "system": None, "instance": None}),
                         {})

    def test_a_stopped_instance_keeps_not_applicable(self) -> None:
        iid = self.launch()["Instances"][0]["InstanceId"]
        self.control("POST", "/_proxy/config", {
            "instance_health": {iid: {"system": "impaired", "instance": "impaired"}}})
        self.assertEqual(self.statuses()[iid]["SystemStatus"]["Status"], "impaired")
        self.ec2.stop_instances(InstanceIds=[iid])
        got = self.statuses(InstanceIds=[iid])[iid]
        self.assertEqual(got["InstanceState"]["Name"], "stopped")
        self.assertEqual(got["SystemStatus"]["Status"], "not-applicable")

    def test_bad_control_calls_are_refused(self) -> None:
        import urllib.error

        for body in ({"system": "ok", "instance": "ok"}, {"instance_id": "i-1", "system": "meh",
                                                          "instance": "ok"}, ["x"]):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                self.control("POST", "/_proxy/instance-health", body)
            self.assertEqual(cm.exception.code, 400)


if __name__ == "__main__":
    unittest.main()
