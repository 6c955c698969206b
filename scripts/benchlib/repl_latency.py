"""The REPL in a large project over a slow network (issue 19): a sandbox holding 5,000
keys answers every request 25 ms late (`keyflow serve --latency 25ms`); `keyflow repl`
runs under a pseudo-terminal, and each measurement is the time from writing a line and
its Enter to the next prompt appearing, with the requests the sandbox served meanwhile.

    print "x"             touches no key: no request (target: median <= 5 ms)
    show "NAME"           served from the session's key cache (docs/repl.md)
    show "NAME", no cache KEYFLOW_REPL_CACHE_SECONDS=0: one request per line, narrowed
                          to the name (`equal("name", …)`)
    show "NAME", expired  the kept list older than its age (1 s): the same
                          (target for show: median <= one round trip + 5 ms)

Usage: python3 scripts/benchlib/repl_latency.py --keyflow PATH [--keys 5000] [--latency 25ms] [--lines 30]
"""

import argparse
import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import curlbatch  # noqa: E402
from sandbox import Sandbox, fresh_data_dir  # noqa: E402
from workloads import create, iso  # noqa: E402


class Terminal:
    """`keyflow repl` on the slave side of a pty; we read and write the master side."""

    def __init__(self, args, env):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.buffer = b""

    def read_until(self, marker, timeout=30.0):
        """Reads until `marker` appears in what arrived since the last call; returns when it did."""
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"no {marker!r} within {timeout} s; got {self.buffer[-400:]!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise RuntimeError(f"the REPL exited; output {self.buffer[-400:]!r}")
                self.buffer += chunk
        seen = time.perf_counter()
        self.buffer = self.buffer[self.buffer.index(marker) + len(marker):]
        return seen

    def line(self, text, prompt):
        """Sends a line with Enter; seconds until the next prompt was on screen."""
        self.buffer = b""
        os.write(self.master, text.encode() + b"\r")
        start = time.perf_counter()
        return self.read_until(prompt) - start

    def close(self):
        try:
            os.write(self.master, b"\x04")
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def measure(keyflow, sandbox, lines, cache_seconds, scratch, work, wait=0.0):
    env = dict(os.environ, HOME=scratch, XDG_STATE_HOME=os.path.join(scratch, "state"), TERM="xterm",
               APPWRITE_API_KEY=sandbox.api_key, NO_COLOR="1")
    env.pop("APPWRITE_SESSION", None)
    if cache_seconds is not None:
        env["KEYFLOW_REPL_CACHE_SECONDS"] = str(cache_seconds)
    host = sandbox.endpoint.split("//", 1)[1].split("/", 1)[0]
    prompt = f"{sandbox.project}@{host}> ".encode()
    term = Terminal([keyflow, "repl", "--endpoint", sandbox.endpoint, "--project", sandbox.project], env)
    try:
        term.read_until(prompt, timeout=60)
        time.sleep(wait)  # the list listed before the first prompt grows older than its age
        results = {}
        for label, text in work:
            times = []
            before = sandbox.requests_served()["served"]
            for _ in range(lines):
                times.append(term.line(text, prompt))
            served = sandbox.requests_served()["served"] - before
            results[label] = (times, served / lines)
        return results
    finally:
        term.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keyflow", required=True)
    parser.add_argument("--keys", type=int, default=5000)
    parser.add_argument("--latency", default="25ms")
    parser.add_argument("--lines", type=int, default=30, help="lines of each kind (the median is reported)")
    args = parser.parse_args()
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"]))
    keyflow = os.path.abspath(args.keyflow)
    scratch = tempfile.mkdtemp(prefix="keyflow-repl-latency-")
    try:
        template = os.path.join(scratch, "template")
        fresh_data_dir(None, template)
        now = datetime.now(timezone.utc)
        with Sandbox(keyflow, template) as sandbox:
            curlbatch.send(os.path.join(scratch, "seed.curlrc"), sandbox,
                           [create(f"svc-{i:05d}", f"svc-{i:05d}", ["users.read"], iso(now + timedelta(days=30)))
                            for i in range(1, args.keys + 1)], what="seeding")
        name = f"svc-{args.keys // 2:05d}"
        latency_ms = float(args.latency[:-2]) if args.latency.endswith("ms") else float(args.latency[:-1]) * 1000
        load = os.getloadavg()
        rows = []
        for cache_seconds, wait, work in (
                (None, 0.0, [("print \"x\"", 'print "x"'), (f"show \"{name}\"", f'show "{name}"')]),
                (0, 0.0, [(f"show \"{name}\", no key cache", f'show "{name}"')]),
                (1, 1.2, [(f"show \"{name}\", kept list expired", f'show "{name}"')])):
            data = fresh_data_dir(template, os.path.join(scratch, "data"))
            with Sandbox(keyflow, data, extra_args=["--latency", args.latency]) as sandbox:
                rows += measure(keyflow, sandbox, args.lines, cache_seconds, scratch, work, wait).items()
        print(f"keyflow repl under a pty, {args.keys:,} keys, latency {args.latency} on every request; "
              f"{args.lines} lines each, Enter to next prompt; load average {' '.join(f'{x:.2f}' for x in load)}")
        verdicts = []
        for label, (times, per_line) in rows:
            med = statistics.median(times) * 1000
            print(f"  {label:<38} median {med:7.1f} ms   min {min(times) * 1000:6.1f}   "
                  f"max {max(times) * 1000:7.1f}   requests per line {per_line:.2f}")
            limit = 5.0 if label.startswith("print") else latency_ms + 5.0
            verdicts.append(f"{'PASS' if med <= limit else 'MISS'} {label}: median {med:.1f} ms "
                            f"(target <= {limit:.0f} ms)")
        print("\n".join(verdicts))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
