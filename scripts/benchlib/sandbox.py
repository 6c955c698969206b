"""A `keyflow serve` process on a free loopback port, over its own data directory.

The harness starts a fresh one for every timed run, from a copy of a data
directory seeded once per workload, so every way of doing a workload starts
from byte-identical server state.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request

LISTENING = re.compile(r"listening on (https?://\S+)")


class SandboxError(RuntimeError):
    pass


class Sandbox:
    """One running sandbox. Use as a context manager; `stop()` is idempotent."""

    def __init__(self, keyflow, data_dir, legacy_key_create=True, log_path=None, extra_args=()):
        self.keyflow = keyflow
        self.extra_args = list(extra_args)
        self.data_dir = data_dir
        self.legacy_key_create = legacy_key_create
        self.log_path = log_path or os.path.join(os.path.dirname(data_dir), os.path.basename(data_dir) + ".log")
        self.process = None
        self.endpoint = None
        self.project = None
        self.api_key = None
        self.session = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=30.0):
        args = [self.keyflow, "serve", "--port", "0", "--data", self.data_dir]
        if self.legacy_key_create:
            args.append("--legacy-key-create")
        args += self.extra_args
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise SandboxError(f"keyflow serve exited with {self.process.returncode}: {self._log_tail()}")
            match = LISTENING.search(self._log_text())
            if match:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError(f"keyflow serve printed no endpoint within {timeout:.0f} s: {self._log_tail()}")
            time.sleep(0.01)
        endpoint = match.group(1).rstrip("/")
        if not endpoint.endswith("/v1"):
            endpoint += "/v1"
        self.endpoint = endpoint
        with open(os.path.join(self.data_dir, "sandbox.json")) as f:
            credentials = json.load(f)
        self.project = credentials["project"]
        self.api_key = credentials["apiKey"]
        self.session = credentials["session"]
        self.organization = credentials.get("organization")
        self.organization_key = credentials.get("organizationKey")
        self._wait_ready(deadline)

    def _wait_ready(self, deadline):
        while True:
            try:
                with urllib.request.urlopen(self.endpoint + "/health/version", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SandboxError(f"{self.endpoint} did not answer /health/version")
            time.sleep(0.01)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def _log_tail(self):
        return self._log_text()[-2000:].strip() or "(no output)"

    # The harness's own calls (seeding checks, verification), outside every timing.

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method, headers=self.headers())
        with urllib.request.urlopen(req, timeout=30) as response:
            raw = response.read()
            return json.loads(raw) if raw and response.headers.get("Content-Type", "").startswith("application/json") else None

    def headers(self):
        return {
            "X-Appwrite-Project": self.project,
            "X-Appwrite-Key": self.api_key,
            "content-type": "application/json",
        }

    def requests_served(self):
        """The sandbox's count of the requests it served (GET /_sandbox/requests, itself
        not counted): {"served": N, "GET": n, "POST": n, ...}."""
        root = self.endpoint[:-len("/v1")] if self.endpoint.endswith("/v1") else self.endpoint
        with urllib.request.urlopen(root + "/_sandbox/requests", timeout=10) as response:
            return json.loads(response.read())

    def keys(self):
        return self.request("GET", "/project/keys")["keys"]

    def environment(self):
        """What every way of doing a workload gets: the target and the credentials."""
        return {
            "APPWRITE_ENDPOINT": self.endpoint,
            "APPWRITE_PROJECT_ID": self.project,
            "APPWRITE_API_KEY": self.api_key,
            "APPWRITE_SESSION": self.session,
        }


def fresh_data_dir(template, target):
    """Copies a stopped sandbox's data directory (database and its WAL) to `target`."""
    if os.path.exists(target):
        shutil.rmtree(target)
    if template is None:
        os.makedirs(target)
    else:
        shutil.copytree(template, target)
    return target
