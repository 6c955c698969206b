"""Runs every workload every way against fresh sandboxes and writes docs/BENCHMARKS.md.

Usage (scripts/bench does the set-up and calls this):
    python3 scripts/benchlib/harness.py --keyflow .build/release/keyflow --out docs/BENCHMARKS.md

Each API workload is seeded once into a template data directory; every timed run
of every way starts its own sandbox on a copy of it, so all ways start from the same
state. The ways of one run are timed back to back (in an order that turns from run
to run) and their ratios are taken within that run.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # scripts/benchlib → the repository
sys.path.insert(0, HERE)

import curlbatch  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
from redact import redact  # noqa: E402
from sandbox import Sandbox, SandboxError, fresh_data_dir  # noqa: E402
from workloads import API_WORKLOADS, STARTUP, VerificationError  # noqa: E402

WAYS = ["keyflow", "python", "curljq", "floor"]
SCRIPT_NAMES = {"onboarding": "onboard", "policy": "policy", "rotation": "rotate", "sweep": "sweep",
                "startup": "startup"}
HELPER_SCRIPTS = ["bench-parse", "bench-sandbox", "bench-client", "bench-runtime", "bench-fleet", "bench-latency"]
# Seconds a script may take at least, when the default share would be too little: the
# latency benchmark waits 25 ms per request by design (about four minutes in all).
SCRIPT_MINIMUM = {"bench-latency": 420.0}


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_group(args, timeout, **popen):
    """subprocess.run in a process group of its own; on timeout the whole group is killed,
    so no child (a server, a load generator) outlives it.

    The wait blocks until the child ends; a timer thread does the killing. Not
    `communicate(timeout=…)`: without pipes it polls `waitpid` with sleeps that grow to
    50 ms, so a command that wrote to a file was timed to the next 50 ms tick (start-up:
    117, 167 or 217 ms for one of 105–125 ms), and one that wrote to a pipe was not."""
    with subprocess.Popen(args, start_new_session=True, **popen) as process:
        expired = threading.Event()
        def kill():
            expired.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            stdout, stderr = process.communicate()
        finally:
            timer.cancel()
        if expired.is_set():
            raise subprocess.TimeoutExpired(args, timeout, output=stdout, stderr=stderr)
        return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


class Outcome:
    def __init__(self, seconds=None, error=None, rss_kb=None, requests=None):
        self.seconds = seconds
        self.requests = requests
        self.error = error
        self.rss_kb = rss_kb

    @property
    def ok(self):
        return self.error is None


def seed_template(keyflow, scratch, workload, sandbox_args=()):
    """A stopped sandbox's data directory holding the workload's starting state (seeded
    through the API by one parallel curl process, with the workload's headers if it has any)."""
    template = os.path.join(scratch, workload.name, "template")
    fresh_data_dir(None, template)
    now = datetime.now(timezone.utc)
    with Sandbox(keyflow, template, extra_args=sandbox_args) as sandbox:
        requests = workload.seed(now)
        if requests:
            headers = workload.headers(sandbox) if hasattr(workload, "headers") else None
            curlbatch.send(os.path.join(scratch, workload.name, "seed.curlrc"), sandbox, requests,
                           what=f"seeding {workload.name}", headers=headers)
    return template


def on_fresh_sandbox(keyflow, template, scratch, workload, execute, sandbox_args=()):
    """One timed execution's sandbox: started on a fresh copy of `template`, with an empty
    work folder; answers execute(sandbox, workdir, now), or the Outcome of a sandbox that
    would not start."""
    data = fresh_data_dir(template, os.path.join(scratch, workload.name, "data"))
    workdir = os.path.join(scratch, workload.name, "work")
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        with Sandbox(keyflow, data, extra_args=sandbox_args) as sandbox:
            return execute(sandbox, workdir, datetime.now(timezone.utc))
    except SandboxError as error:
        return Outcome(error=f"sandbox: {redact(str(error))[:600]}")


def timed(args, way, workdir, env, timeout, verify, expected=None, served=None):
    """Runs one way's command in `workdir` and times it; then checks the floor's statuses
    (`expected` requests) and the result (`verify()`). With `served` (the sandbox's request
    counter), also the requests the sandbox served while the command ran."""
    output_path = os.path.join(workdir, f".{way}.out")
    before = served() if served else None
    with open(output_path, "w") as output:
        start = time.perf_counter()
        try:
            result = run_group(args, timeout, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE if expected is not None else output, stderr=output, text=True)
        except subprocess.TimeoutExpired:
            return Outcome(error=f"did not finish within {timeout:g} s")
        seconds = time.perf_counter() - start
    requests = served() - before if served else expected
    if result.returncode != 0:
        with open(output_path, errors="replace") as f:
            tail = f.read().strip().splitlines()[-6:]
        return Outcome(error=f"exit {result.returncode}: " + redact(" / ".join(tail))[:600])
    try:
        if expected is not None:
            curlbatch.check_statuses(result.stdout, expected, "plain curl")
        verify()
    except (VerificationError, RuntimeError, OSError) as error:
        return Outcome(error="wrong result: " + redact(str(error))[:600])
    return Outcome(seconds=seconds, requests=requests)


class Harness:
    def __init__(self, args):
        self.args = args
        self.keyflow = os.path.abspath(args.keyflow)
        self.scratch = tempfile.mkdtemp(prefix="keyflow-bench-")
        self.sdk = {"sdk22": args.sdk22, "sdk27": args.sdk27}
        self.deadline_hit = False

    # -- one timed execution ---------------------------------------------------------

    def command(self, way, workload, sandbox, workdir, params):
        script = SCRIPT_NAMES[workload.name]
        if way == "keyflow":
            memfile = os.path.join(workdir, ".rss")
            args = ["/usr/bin/time", "-f", "%M", "-o", memfile, self.keyflow, "run",
                    os.path.join(HERE, "playbooks", workload.playbook),
                    "--endpoint", sandbox.endpoint, "--project", sandbox.project]
            return args + [f"{k}={v}" for k, v in params.items()], memfile
        if way == "python":
            return [self.sdk[workload.sdk], os.path.join(HERE, "sdk", script + ".py")], None
        if way == "curljq":
            return ["bash", os.path.join(HERE, "curljq", script + ".sh")], None
        raise ValueError(way)

    def execute(self, way, workload, sandbox, workdir, now):
        """Runs one way once against a running sandbox; verifies the result."""
        os.makedirs(workdir, exist_ok=True)
        params = workload.prepare(workdir)
        env = dict(os.environ)
        env.update(sandbox.environment())
        env["BENCH_OUT"] = params.get("out", workdir)
        if "tenants_file" in params:
            env["BENCH_TENANTS"] = params["tenants_file"]
        memfile = None
        expected = None
        if way == "floor":
            requests, parallel = workload.floor(sandbox, workdir, now)
            config = curlbatch.write_config(os.path.join(workdir, ".floor.curlrc"), sandbox, requests)
            args = curlbatch.command(config, parallel)
            expected = len(requests)
        else:
            args, memfile = self.command(way, workload, sandbox, workdir, params)
        outcome = timed(args, way, workdir, env, self.args.timeout, lambda: workload.verify(sandbox, workdir, now), expected)
        if not outcome.ok:
            return outcome
        rss = None
        if memfile and os.path.exists(memfile):
            with open(memfile) as f:
                text = f.read().split()
            rss = int(text[-1]) if text and text[-1].isdigit() else None
        outcome.rss_kb = rss
        return outcome

    # -- workloads -------------------------------------------------------------------

    def seed_template(self, workload):
        return seed_template(self.keyflow, self.scratch, workload)

    def run_workloads(self, workloads, runs):
        """Round by round: run r of every workload before run r+1 of any, so a spent
        budget costs every workload the same runs instead of dropping the last ones."""
        templates = {}
        for workload in workloads:
            log(f"{workload.name}: seeding")
            templates[workload.name] = self.seed_template(workload)
        results = {workload.name: {way: [] for way in WAYS} for workload in workloads}
        for run in range(runs):
            for workload in workloads:
                self.run_round(workload, templates[workload.name], run, runs, results[workload.name])
        return results

    def run_round(self, workload, template, run, runs, outcomes):
        order = WAYS[run % len(WAYS):] + WAYS[:run % len(WAYS)]
        for way in order:
            if outcomes[way] and not outcomes[way][-1].ok:
                outcomes[way].append(outcomes[way][-1])  # a way that failed once is not retried
                continue
            if self.past_deadline():
                outcomes[way].append(Outcome(error="skipped: the run's time budget was spent"))
                continue
            outcome = on_fresh_sandbox(self.keyflow, template, self.scratch, workload,
                                       lambda sandbox, workdir, now: self.execute(way, workload, sandbox, workdir, now))
            outcomes[way].append(outcome)
            log(f"{workload.name}: run {run + 1}/{runs} {way}: "
                + (f"{outcome.seconds:.3f} s" if outcome.ok else outcome.error))

    def run_startup(self, runs):
        workload = STARTUP
        log("startup: seeding")
        template = self.seed_template(workload)
        data = fresh_data_dir(template, os.path.join(self.scratch, "startup", "data"))
        outcomes = {way: [] for way in WAYS}
        with Sandbox(self.keyflow, data) as sandbox:
            for run in range(runs):
                for way in WAYS:
                    if outcomes[way] and not outcomes[way][-1].ok:
                        outcomes[way].append(outcomes[way][-1])
                        continue
                    workdir = os.path.join(self.scratch, "startup", "work")
                    shutil.rmtree(workdir, ignore_errors=True)
                    outcome = self.execute(way, workload, sandbox, workdir, datetime.now(timezone.utc))
                    outcomes[way].append(outcome)
            for way in WAYS:
                good = [o.seconds for o in outcomes[way] if o.ok]
                log(f"startup: {way}: " + (f"median {statistics.median(good) * 1000:.1f} ms" if good
                                           else outcomes[way][-1].error))
        return outcomes

    def past_deadline(self):
        if time.monotonic() - self.started > self.args.budget:
            self.deadline_hit = True
        return self.deadline_hit

    # -- the other issues' benchmarks ------------------------------------------------

    def run_helper_scripts(self):
        found = {}
        for index, name in enumerate(HELPER_SCRIPTS):
            path = os.path.join(ROOT, "scripts", name)
            if not os.path.exists(path):
                found[name] = {"missing": True}
                log(f"{name}: not on this branch")
                continue
            # What is left of the whole run's budget, shared by the scripts still to run.
            left = self.args.total_budget - (time.monotonic() - self.started)
            timeout = max(45.0, SCRIPT_MINIMUM.get(name, 0.0),
                          min(self.args.script_timeout, left / (len(HELPER_SCRIPTS) - index)))
            log(f"{name}: running (at most {timeout:.0f} s)")
            # wrk runs of 5 s (not 10) keep the whole report within its ten minutes.
            env = dict(os.environ, KEYFLOW_BIN=self.keyflow, BENCH_SECONDS=os.environ.get("BENCH_SECONDS", "5"))
            start = time.perf_counter()
            try:
                result = run_group([path], timeout, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                found[name] = {"exit": result.returncode, "stdout": redact(result.stdout),
                               "stderr": redact(result.stderr), "seconds": time.perf_counter() - start}
            except subprocess.TimeoutExpired as expired:
                out = expired.stdout.decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
                found[name] = {"timeout": timeout, "stdout": redact(out),
                               "seconds": time.perf_counter() - start}
            log(f"{name}: done in {time.perf_counter() - start:.0f} s")
        return found

    def main(self):
        self.started = time.monotonic()
        # Every client talks to a sandbox on loopback: never through a proxy.
        for name in ("NO_PROXY", "no_proxy"):
            os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"]))
        info = machine.describe(self.keyflow, self.sdk)
        results = {}
        if not self.args.only or "startup" in self.args.only:
            results["startup"] = self.run_startup(self.args.startup_runs)
        selected = [w for w in API_WORKLOADS if not self.args.only or w.name in self.args.only]
        results.update(self.run_workloads(selected, self.args.runs))
        scripts = {} if self.args.skip_scripts else self.run_helper_scripts()
        elapsed = time.monotonic() - self.started
        text = report.render(info, results, scripts, elapsed, self.args, self.deadline_hit)
        with open(self.args.out, "w") as f:
            f.write(text)
        print(report.targets_text(results))
        log(f"wrote {self.args.out} after {elapsed:.0f} s")
        shutil.rmtree(self.scratch, ignore_errors=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keyflow", required=True, help="the keyflow binary (a release build)")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    parser.add_argument("--runs", type=int, default=5, help="timed runs per way per workload (at least 5)")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--sdk22", default=os.path.join(ROOT, ".venv", "sdk22", "bin", "python"))
    parser.add_argument("--sdk27", default=os.path.join(ROOT, ".venv", "sdk27", "bin", "python"))
    parser.add_argument("--timeout", type=float, default=240, help="seconds one way may take once")
    parser.add_argument("--script-timeout", type=float, default=150, help="seconds each scripts/bench-* may take")
    parser.add_argument("--budget", type=float, default=900, help="seconds for the workloads before runs are skipped")
    parser.add_argument("--total-budget", type=float, default=1100,
                        help="seconds for everything; the scripts/bench-* share what the workloads leave")
    parser.add_argument("--only", nargs="*", help="workloads to run (onboarding policy rotation sweep startup)")
    parser.add_argument("--skip-scripts", action="store_true", help="do not run the other scripts/bench-*")
    return parser.parse_args()


if __name__ == "__main__":
    Harness(parse_args()).main()
