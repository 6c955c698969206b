"""The workloads over a slow network: every request to the sandbox waits a fixed delay
(`keyflow serve --latency 25ms`, a middleware that sleeps without holding a thread), and
each way's round trips are counted by the sandbox itself (GET /_sandbox/requests).

Ways, all limited to 8 requests in flight:
    keyflow   the playbook (scripts/benchlib/playbooks; keyflow's default --parallel 8)
    sdk-loop  the official Python SDK, one call after another (scripts/benchlib/sdk)
    sdk-pool  the same scripts with a thread pool of 8 (BENCH_POOL=8, scripts/benchlib/sdk/pool.py)
    floor     the same HTTP requests from one `curl --parallel --parallel-max 8` process

Every run of every way gets a fresh sandbox on a copy of the workload's seeded data
directory (as scripts/benchlib/harness.py does); the ways of one run are timed back to back, in an
order that turns from run to run, and ratios are formed within a run.

Usage: python3 scripts/benchlib/latency.py --keyflow PATH [--latency 25ms] [--runs 3] [--loop-runs 1]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # scripts/benchlib → the repository
sys.path.insert(0, HERE)

import curlbatch  # noqa: E402
from curlbatch import Request  # noqa: E402
from harness import on_fresh_sandbox, seed_template, timed  # noqa: E402
from workloads import API_WORKLOADS, STARTUP, expect, iso, parse  # noqa: E402

WAYS = ["keyflow", "sdk-loop", "sdk-pool", "floor"]
LABELS = {"keyflow": "keyflow", "sdk-loop": "Python SDK loop", "sdk-pool": "Python SDK, pool of 8",
          "floor": "curl floor"}
SDK_SCRIPTS = {"onboarding": "onboard", "policy": "policy", "rotation": "rotate", "sweep": "sweep",
               "startup": "startup"}

FLEET_PROJECTS = 50
FLEET_KEYS = 10  # per project; half expire within a week and are rotated


def log(message):
    print(f"bench-latency: {message}", file=sys.stderr, flush=True)


class Fleet:
    """Issue 14's fleet workload, one key set: 50 projects × 10 keys of an organization,
    the 5 of each expiring within a week rotated with the organization key alone."""
    name = "fleet"
    title = "Fleet: rotate 250 keys across 50 projects (organization key)"
    playbook = "fleet.kf"

    projects = [f"tenant-{i:02d}" for i in range(1, FLEET_PROJECTS + 1)]
    sandbox_args = ["--projects", ",".join(projects)]

    def headers(self, sandbox):
        return {"X-Appwrite-Project": "console", "X-Appwrite-Organization": sandbox.organization,
                "X-Appwrite-Key": sandbox.organization_key, "content-type": "application/json"}

    def environment(self, sandbox):
        return {"APPWRITE_ENDPOINT": sandbox.endpoint, "APPWRITE_PROJECT_ID": self.projects[0],
                "APPWRITE_ORGANIZATION_ID": sandbox.organization, "APPWRITE_ORGANIZATION_KEY": sandbox.organization_key}

    def key_id(self, project, i):
        return f"p{project[-2:]}k{i:02d}"

    def expiring(self, i):
        return i % 2 == 0

    def seed(self, now):
        requests = []
        for p in self.projects:
            for i in range(FLEET_KEYS):
                days = 3 if self.expiring(i) else 60
                requests.append(Request("POST", f"/organization/projects/{p}/keys", {
                    "keyId": self.key_id(p, i), "name": f"svc-{i:02d}", "scopes": ["databases.read"],
                    "expire": iso(now + timedelta(days=days))}))
        return requests

    def prepare(self, workdir):
        return {}

    def floor(self, sandbox, workdir, now):
        import json
        import urllib.parse
        def q(obj):
            return urllib.parse.quote(json.dumps(obj, separators=(",", ":")), safe="")
        expire, grace = iso(now + timedelta(days=90)), iso(now + timedelta(hours=1))
        stamp = now.strftime("%Y-%m-%dT%H:%MZ")
        requests = [Request("GET", f"/organization/projects?queries%5B0%5D={q({'method': 'limit', 'values': [100]})}&total=false")]
        for p in self.projects:
            requests.append(Request("GET", f"/organization/projects/{p}/keys?queries%5B0%5D="
                                    f"{q({'method': 'limit', 'values': [5000]})}&total=false"))
        for p in self.projects:
            for i in range(FLEET_KEYS):
                if not self.expiring(i):
                    continue
                requests.append(Request("POST", f"/organization/projects/{p}/keys", {
                    "keyId": "unique()", "name": f"svc-{i:02d}", "scopes": ["databases.read"], "expire": expire}))
                requests.append(Request("PUT", f"/organization/projects/{p}/keys/{self.key_id(p, i)}", {
                    "name": f"svc-{i:02d} (rotated {stamp})", "scopes": ["databases.read"], "expire": grace}))
        return requests, 8

    def verify(self, sandbox, workdir, now):
        import json
        import urllib.request
        for p in self.projects:
            req = urllib.request.Request(sandbox.endpoint + f"/organization/projects/{p}/keys",
                                         headers=self.headers(sandbox))
            keys = [k for k in json.loads(urllib.request.urlopen(req, timeout=30).read())["keys"]
                    if k["name"].startswith("svc-")]  # the first project also holds the bootstrap key
            retired = [k for k in keys if " (rotated " in k["name"]]
            current = [k for k in keys if " (rotated " not in k["name"]]
            expect(len(retired) == FLEET_KEYS // 2 and len(current) == FLEET_KEYS,
                   f"{p}: {len(current)} current and {len(retired)} retired keys, "
                   f"expected {FLEET_KEYS} and {FLEET_KEYS // 2}")
            for k in retired:
                expect(parse(k["expire"]) - now <= timedelta(hours=1, minutes=5), f"{p}: {k['$id']} keeps working")


FLEET = Fleet()
WORKLOADS = [*API_WORKLOADS, STARTUP, FLEET]


class Bench:
    def __init__(self, args):
        self.args = args
        self.keyflow = os.path.abspath(args.keyflow)
        self.scratch = tempfile.mkdtemp(prefix="keyflow-latency-")
        self.sdk = {"sdk22": args.sdk22, "sdk27": args.sdk27}

    def sandbox_args(self, workload):
        return getattr(workload, "sandbox_args", [])

    def command(self, way, workload, sandbox, workdir, params):
        if way == "keyflow":
            # The fleet's playbook runs 8 projects at once (`for p in projects parallel 8`); with
            # --parallel 1 each project's rotations go one by one, so at most 8 are in flight.
            parallel = "1" if workload is FLEET else "8"
            args = [self.keyflow, "run", "--parallel", parallel, os.path.join(HERE, "playbooks", workload.playbook)]
            if workload is not FLEET:
                args += ["--endpoint", sandbox.endpoint, "--project", sandbox.project]
            return args + [f"{k}={v}" for k, v in params.items()]
        if workload is FLEET:
            return [self.args.sdk_console, os.path.join(HERE, "fleet_sdk.py"), sandbox.endpoint,
                    sandbox.organization, sandbox.organization_key, "svc-"]
        return [self.sdk[workload.sdk], os.path.join(HERE, "sdk", SDK_SCRIPTS[workload.name] + ".py")]

    def execute(self, way, workload, sandbox, workdir, now):
        os.makedirs(workdir, exist_ok=True)
        params = workload.prepare(workdir)
        env = dict(os.environ)
        if workload is FLEET:
            for name in ("APPWRITE_API_KEY", "APPWRITE_SESSION"):
                env.pop(name, None)
            env.update(workload.environment(sandbox))
        else:
            env.update(sandbox.environment())
        env["BENCH_OUT"] = params.get("out", workdir)
        if "tenants_file" in params:
            env["BENCH_TENANTS"] = params["tenants_file"]
        if way == "sdk-pool":
            env["BENCH_POOL"] = "8"
        expected = None
        if way == "floor":
            requests, parallel = workload.floor(sandbox, workdir, now)
            headers = workload.headers(sandbox) if hasattr(workload, "headers") else None
            config = curlbatch.write_config(os.path.join(workdir, ".floor.curlrc"), sandbox, requests, headers)
            args = curlbatch.command(config, parallel)
            expected = len(requests)
        else:
            args = self.command(way, workload, sandbox, workdir, params)
        return timed(args, way, workdir, env, self.args.timeout, lambda: workload.verify(sandbox, workdir, now), expected,
                     served=lambda: sandbox.requests_served()["served"])

    def ways_of_run(self, run):
        ways = [w for w in WAYS if w != "sdk-loop" or run < self.args.loop_runs]
        turn = run % len(ways)
        return ways[turn:] + ways[:turn]

    def run_workload(self, workload):
        log(f"{workload.name}: seeding")
        template = seed_template(self.keyflow, self.scratch, workload, self.sandbox_args(workload))
        outcomes = {way: [] for way in WAYS}
        for run in range(self.args.runs):
            for way in self.ways_of_run(run):
                if outcomes[way] and not outcomes[way][-1].ok:
                    continue  # a way that failed once is not retried
                extra = ["--latency", self.args.latency] + self.sandbox_args(workload)
                outcome = on_fresh_sandbox(
                    self.keyflow, template, self.scratch, workload,
                    lambda sandbox, workdir, now: self.execute(way, workload, sandbox, workdir, now), extra)
                outcomes[way].append(outcome)
                log(f"{workload.name}: run {run + 1} {way}: "
                    + (f"{outcome.seconds:.3f} s, {outcome.requests} requests" if outcome.ok else outcome.error))
        return outcomes

    def main(self):
        for name in ("NO_PROXY", "no_proxy"):
            os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"]))
        load = os.getloadavg()
        started = time.monotonic()
        chosen = [w for w in WORKLOADS if not self.args.only or w.name in self.args.only]
        results = {w.name: self.run_workload(w) for w in chosen}
        elapsed = time.monotonic() - started
        text = render(results, chosen, self.args, load, os.getloadavg(), elapsed)
        print(text)
        if self.args.out:
            with open(self.args.out, "w") as f:
                f.write(text + "\n")
        shutil.rmtree(self.scratch, ignore_errors=True)
        return 0


def fmt(seconds):
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def median(values):
    return statistics.median(values) if values else None


def render(results, workloads, args, load_before, load_after, elapsed):
    lines = [f"Latency {args.latency} on every request (`keyflow serve --latency {args.latency}`), "
             f"8 requests in flight for every way; {args.runs} runs (the SDK loop {args.loop_runs}), medians; "
             f"load average {' '.join(f'{x:.2f}' for x in load_before)} at start, "
             f"{' '.join(f'{x:.2f}' for x in load_after)} at the end; {elapsed:.0f} s in all.", ""]
    lines.append("| workload | keyflow | round trips | curl floor | round trips | keyflow ÷ floor (per run) "
                 "| SDK, pool of 8 | round trips | SDK loop | round trips |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    verdicts = []
    for w in workloads:
        o = results[w.name]
        def good(way):
            return [x for x in o[way] if x.ok]
        def cell(way):
            ok = good(way)
            if not ok:
                return "not measured", "—"
            rts = sorted({x.requests for x in ok})
            return fmt(median([x.seconds for x in ok])), "/".join(str(r) for r in rts)
        per_run = [a.seconds / b.seconds for a, b in zip(o["keyflow"], o["floor"]) if a.ok and b.ok]
        ratio = median(per_run)
        row = [w.name]
        for way in ("keyflow", "floor"):
            row += cell(way)
        row.append("—" if ratio is None else f"{ratio:.2f}× ({min(per_run):.2f}–{max(per_run):.2f})")
        for way in ("sdk-pool", "sdk-loop"):
            row += cell(way)
        lines.append("| " + " | ".join(row) + " |")
        kf, fl = good("keyflow"), good("floor")
        if ratio is not None:
            extra = (max(x.requests for x in kf) - min(x.requests for x in fl)) if kf and fl else 0
            verdicts.append(f"{w.name}: keyflow ÷ floor {ratio:.2f}× (target ≤ 1.30: "
                            f"{'met' if ratio <= 1.3 else 'MISSED'}); round trips keyflow "
                            f"{max(x.requests for x in kf)}, floor {min(x.requests for x in fl)}"
                            + (f" (+{extra})" if extra > 0 else ""))
        for way in WAYS:
            bad = [x for x in o[way] if not x.ok]
            if bad:
                verdicts.append(f"{w.name}: {LABELS[way]} not measured: {bad[0].error}")
    return "\n".join(lines + [""] + verdicts)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keyflow", required=True, help="the keyflow binary (a release build)")
    parser.add_argument("--latency", default="25ms", help="delay on every request (default 25ms)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of keyflow, the pool and the floor")
    parser.add_argument("--loop-runs", type=int, default=1, help="timed runs of the (slow) SDK loop")
    parser.add_argument("--sdk22", default=os.path.join(ROOT, ".venv", "sdk22", "bin", "python"))
    parser.add_argument("--sdk27", default=os.path.join(ROOT, ".venv", "sdk27", "bin", "python"))
    parser.add_argument("--sdk-console", default=os.path.join(ROOT, ".venv", "console014", "bin", "python"))
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--only", nargs="*", help="workloads: onboarding policy rotation sweep startup fleet")
    parser.add_argument("--out", help="also write the table to this file")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(Bench(parse_args()).main())
