"""Renders docs/BENCHMARKS.md from the harness's measurements."""

import statistics

from workloads import API_WORKLOADS, STARTUP

WAY_LABELS = {
    "keyflow": "keyflow playbook",
    "python": "Python SDK loop",
    "curljq": "curl + jq script",
    "floor": "plain-curl floor",
}
WAY_FILES = {
    "keyflow": "scripts/benchlib/playbooks/{playbook}",
    "python": "scripts/benchlib/sdk/{script}.py",
    "curljq": "scripts/benchlib/curljq/{script}.sh",
    "floor": "one `curl --config` process",
}
SCRIPTS = {"onboarding": "onboard", "policy": "policy", "rotation": "rotate", "sweep": "sweep", "startup": "startup"}
MEMORY_LIMIT_MB = 64


def fmt_time(seconds):
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(value):
    return "—" if value is None else f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def seconds(outcomes):
    return [o.seconds for o in outcomes if o.ok]


def summary(values):
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def ratios(numerator, denominator):
    """Per-run ratios, only for runs where both ways succeeded."""
    return [a.seconds / b.seconds for a, b in zip(numerator, denominator) if a.ok and b.ok and b.seconds > 0]


def first_error(outcomes):
    for outcome in outcomes:
        if not outcome.ok:
            return outcome.error
    return None


class Target:
    def __init__(self, label, values, limit, higher_is_better, unit="×", why_missing=None):
        self.label = label
        self.median, self.low, self.high = summary(values)
        self.limit = limit
        self.higher_is_better = higher_is_better
        self.unit = unit
        self.why_missing = why_missing

    @property
    def status(self):
        if self.median is None:
            return "not measured"
        met = self.median >= self.limit if self.higher_is_better else self.median <= self.limit
        return "met" if met else "**missed**"

    def measured(self):
        if self.median is None:
            return "—"
        if self.unit == "MB":
            return f"{self.high:.1f} MB (largest of {self.count} runs)"
        return f"{fmt_ratio(self.median)} (runs: {fmt_ratio(self.low)}–{fmt_ratio(self.high)})"

    def wanted(self):
        sign = "≥" if self.higher_is_better else "≤"
        return f"{sign} {self.limit:g} {self.unit}" if self.unit == "MB" else f"{sign} {self.limit:g}×"


def targets(results):
    rows = []
    for workload in API_WORKLOADS + [STARTUP]:
        outcomes = results.get(workload.name)
        if outcomes is None:
            continue
        kf = outcomes["keyflow"]
        why = first_error(kf)
        if workload.target_ratios or workload is STARTUP:
            rows.append(Target(f"{workload.name}: Python SDK loop ÷ keyflow",
                               ratios(outcomes["python"], kf), 5, True, why_missing=why or first_error(outcomes["python"])))
        if workload.target_ratios:
            rows.append(Target(f"{workload.name}: curl + jq ÷ keyflow",
                               ratios(outcomes["curljq"], kf), 10, True, why_missing=why or first_error(outcomes["curljq"])))
        if workload is not STARTUP:
            rows.append(Target(f"{workload.name}: keyflow ÷ plain-curl floor",
                               ratios(kf, outcomes["floor"]), 1.5, False, why_missing=why or first_error(outcomes["floor"])))
        rss = [o.rss_kb / 1024 for o in kf if o.ok and o.rss_kb]
        memory = Target(f"{workload.name}: keyflow peak memory", [max(rss)] if rss else [], MEMORY_LIMIT_MB, False,
                        unit="MB", why_missing=why)
        memory.count = len(rss)
        rows.append(memory)
    return rows


def workload_section(workload, outcomes, runs_wanted):
    lines = [f"### {workload.title}", ""]
    script = SCRIPTS[workload.name]
    lines.append("| way | source | median | spread (min–max) | runs | keyflow peak RSS |")
    lines.append("| --- | --- | ---: | --- | ---: | ---: |")
    for way in ["keyflow", "python", "curljq", "floor"]:
        values = seconds(outcomes[way])
        median, low, high = summary(values)
        source = WAY_FILES[way].format(playbook=workload.playbook, script=script)
        if way == "python":
            source += f" (appwrite {'22.2.0' if workload.sdk == 'sdk22' else '27.0.0'})"
        rss = ""
        if way == "keyflow":
            peaks = [o.rss_kb for o in outcomes[way] if o.ok and o.rss_kb]
            rss = f"{max(peaks) / 1024:.1f} MB" if peaks else "—"
        spread = f"{fmt_time(low)}–{fmt_time(high)}" if values else "—"
        lines.append(f"| {WAY_LABELS[way]} | {source} | {fmt_time(median)} | {spread} | "
                     f"{len(values)}/{len(outcomes[way]) or runs_wanted} | {rss} |")
    lines.append("")
    kf = outcomes["keyflow"]
    comparisons = [
        ("Python SDK loop ÷ keyflow", ratios(outcomes["python"], kf)),
        ("curl + jq ÷ keyflow", ratios(outcomes["curljq"], kf)),
        ("keyflow ÷ plain-curl floor", ratios(kf, outcomes["floor"])),
    ]
    lines.append("| ratio (same run) | median | runs (min–max) |")
    lines.append("| --- | ---: | --- |")
    for label, values in comparisons:
        median, low, high = summary(values)
        lines.append(f"| {label} | {fmt_ratio(median)} | "
                     + (f"{fmt_ratio(low)}–{fmt_ratio(high)} ({len(values)} runs)" if values else "—") + " |")
    lines.append("")
    failures = [(way, first_error(outcomes[way])) for way in outcomes if first_error(outcomes[way])]
    for way, error in failures:
        lines.append(f"- {WAY_LABELS[way]} not measured or incomplete: `{error}`")
    if failures:
        lines.append("")
    return lines


def glance(results):
    """One line per workload: medians of each way and the three ratios."""
    lines = ["## At a glance", "",
             "| workload | keyflow | Python SDK | curl + jq | plain-curl floor | Python ÷ keyflow | curl+jq ÷ keyflow "
             "| keyflow ÷ floor |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for workload in API_WORKLOADS + [STARTUP]:
        outcomes = results.get(workload.name)
        if outcomes is None:
            continue
        medians = [fmt_time(summary(seconds(outcomes[way]))[0]) for way in ["keyflow", "python", "curljq", "floor"]]
        kf = outcomes["keyflow"]
        rs = [fmt_ratio(summary(ratios(outcomes["python"], kf))[0]), fmt_ratio(summary(ratios(outcomes["curljq"], kf))[0]),
              fmt_ratio(summary(ratios(kf, outcomes["floor"]))[0])]
        lines.append(f"| {workload.name} | " + " | ".join(medians + rs) + " |")
    return lines + ["", "Medians; ratios are medians of per-run ratios (a ratio above 1 in the first two columns means "
                    "keyflow was faster). — means not measured: see the workload's section.", ""]


def targets_text(results):
    """The targets table as plain text, for the terminal."""
    rows = targets(results)
    width = max((len(row.label) for row in rows), default=10)
    return "\n".join(f"{row.label:<{width}}  {row.wanted():>8}  {row.measured():<40} {row.status.strip('*')}"
                     for row in rows)


def helper_section(name, result):
    titles = {
        "bench-parse": "`keyflow check` throughput and scaling (scripts/bench-parse, issue 2)",
        "bench-sandbox": "Sandbox requests per second and latency with wrk (scripts/bench-sandbox, issue 3)",
        "bench-client": "Client over libcurl (scripts/bench-client, issue 4)",
        "bench-runtime": "Interpreter (scripts/bench-runtime, issue 5)",
        "bench-fleet": "Fleet: rotation across 50 projects with an organization key (scripts/bench-fleet, issue 14)",
        "bench-latency": "Over a slow network: 25 ms on every request, round trips counted (scripts/bench-latency, issue 19)",
    }
    lines = [f"### {titles.get(name, name)}", ""]
    if result.get("missing"):
        lines += [f"Not measured: `scripts/{name}` is not in this tree yet.", ""]
        return lines
    if "timeout" in result:
        lines.append(f"Stopped after {result['timeout']:.0f} s without finishing; what it printed until then:")
    elif result["exit"] != 0:
        lines.append(f"Exited with status {result['exit']} after {result['seconds']:.0f} s; what it printed:")
    else:
        lines.append(f"Printed (took {result['seconds']:.0f} s):")
    body = (result.get("stdout") or "").strip()
    if result.get("exit", 0) != 0 and result.get("stderr"):
        body += "\n" + "\n".join(result["stderr"].strip().splitlines()[-15:])
    if name in MARKDOWN_OUTPUT and result.get("exit", 1) == 0:
        lines += ["", body, ""]  # it prints Markdown tables of its own
    else:
        lines += ["", "```", body or "(nothing)", "```", ""]
    return lines


MARKDOWN_OUTPUT = {"bench-latency"}


def render(info, results, scripts, elapsed, args, deadline_hit):
    rows = targets(results)
    out = ["# keyflow benchmarks", "",
           "Generated by `scripts/bench` — do not edit by hand; run it again. "
           "Every figure below comes from one run of it.", ""]
    out += ["## Machine and software", "",
            "| | |", "| --- | --- |",
            f"| date | {info['date']} |",
            f"| CPUs (nproc) | {info['cpus']} |",
            f"| CPU model | {info['cpu']} |",
            f"| memory | {info['memory']} |",
            f"| system | {info['os']} |",
            f"| load average at start | {info['load']} (the machine was shared with other work) |",
            f"| keyflow | {info['keyflow']} |",
            f"| curl | {info['curl']} |",
            f"| jq | {info['jq']} |",
            f"| Python | {info['python']}, appwrite {info['sdk22']} (create_key) and {info['sdk27']} |",
            f"| whole `scripts/bench` run | {elapsed:.0f} s (set-up and build not included) |",
            ""]
    out += glance(results)
    out += ["## Targets (issue 8)", "", "| target | wanted | measured | |", "| --- | --- | --- | --- |"]
    for row in rows:
        out.append(f"| {row.label} | {row.wanted()} | {row.measured()} | {row.status} |")
    out.append(f"| whole `scripts/bench` run (set-up and build excluded) | < 600 s | {elapsed:.0f} s | "
               + ("met" if elapsed < 600 else "**missed**") + " |")
    out.append("")
    out += ["## API workloads", "",
            f"Each way ran {args.runs} times; every run of every way had a sandbox of its own holding the same "
            "starting state, and each run's result was checked before its time counted.", ""]
    for workload in API_WORKLOADS:
        if workload.name in results:
            out += workload_section(workload, results[workload.name], args.runs)
    if "startup" in results:
        out += ["## Start-up", "",
                f"The three-statement playbook and the same three calls the other ways, {args.startup_runs} runs "
                "each, against one running sandbox (the calls do not change stored keys).", ""]
        out += workload_section(STARTUP, results["startup"], args.startup_runs)
    if scripts:
        out += ["## Language, server and client figures", "",
                "Printed by the other issues' benchmark scripts, run by `scripts/bench` with the same release build "
                "(`KEYFLOW_BIN`).", ""]
        for name, result in scripts.items():
            out += helper_section(name, result)
    out += method_section(args, deadline_hit)
    out += closing_note(rows, results, elapsed, info)
    return "\n".join(out).rstrip() + "\n"


def method_section(args, deadline_hit):
    lines = ["## Method", "",
             "- **Sandbox.** `keyflow serve --port 0 --legacy-key-create` (servers 1.9.1–1.9.5 let an API key "
             "create keys, which the Python SDK 22.2.0 and the curl script need). Each workload's starting state is "
             "seeded once through the API by one parallel `curl` process; the stopped sandbox's data directory is "
             "then copied for every timed run, so every way starts from byte-identical state on a freshly started "
             "server. Sandbox start and seeding are outside the timings.",
             "- **What is timed.** Wall time of the whole process: `keyflow run FILE` (release build), the Python "
             "script (interpreter start and SDK import included), the bash script, or the floor's `curl` process. "
             "Credentials reach every way through the environment (`APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID`, "
             "`APPWRITE_API_KEY`, `APPWRITE_SESSION`); keyflow also gets `--endpoint` and `--project`.",
             "- **Same run, turning order.** In each run the four ways are timed back to back, in an order that "
             "turns by one each run; a ratio is formed within a run and the table gives the median and range of "
             "those per-run ratios.",
             "- **Checked results.** After each timed execution the harness lists the keys and checks the outcome "
             "(1,000 keys with the right scopes and expiry; 1,000 grants with expiry kept; 200 successors whose "
             "secrets are in their files and 200 renamed old keys expiring within the grace; exactly the 500 "
             "expired keys gone). A way that fails or gets a wrong result is reported as not measured, with the "
             "error, and not retried.",
             "- **The Python way** is the official SDK as its documentation shows it: `Client()` with "
             "`set_endpoint/set_project/set_key`, `Project(client)`, one call at a time. PUT replaces a key, so policy "
             "change writes every key back whole (`update_key` with the name, scopes and expiry the list returned); "
             "keyflow's `grant` does the same read-modify-write — one list, then one PUT per key with every field — "
             "and so do the curl script and the floor.",
             "- **The curl + jq way** is one `curl` process per request, `jq` where a response must be read or "
             "changed (policy change: one `jq` pass over the list writes every PUT body; rotation: one `jq` pass "
             "over the list and one per new secret), request bodies for fixed fields written with `printf`-style strings.",
             "- **The plain-curl floor** sends the same HTTP requests as the workload (policy change: the list and "
             "1,000 PUTs with the bodies precomputed; rotation: the list, 200 creates writing their "
             "responses to the secret files, 200 renames; sweep: the filtered list and 500 DELETEs) from one `curl` "
             "process with kept-alive connections, `--parallel --parallel-max 8` (keyflow's default concurrency), "
             "all requests in one config file of `next` groups. Start-up's floor sends its three requests "
             "sequentially over one connection.",
             "- **Memory.** keyflow runs under `/usr/bin/time -f %M`; the figure is the largest maximum resident set "
             "size over the runs.",
             "- **Noise.** The machine has 2 cores; keyflow, the other ways and the sandbox share them, and other "
             "work may have been running (see the load average).",
             ]
    if deadline_hit:
        lines.append(f"- **Budget.** The workloads' time budget ({args.budget:.0f} s) ran out, so later runs were "
                     "skipped; they are marked.")
    return lines + [""]


def time_spent(results):
    """Seconds each way spent in its timed runs, over all workloads."""
    spent = {way: 0.0 for way in WAY_LABELS}
    for outcomes in results.values():
        for way, runs in outcomes.items():
            spent[way] += sum(seconds(runs))
    return spent


def closing_note(rows, results, elapsed, info):
    lines = ["## Closing note", ""]
    quoted = [f"{row.label}: {row.measured()} ({row.status.strip('*')})" for row in rows]
    lines.append("Ratios as measured in this run (median of per-run ratios, with the range over runs):")
    lines.append("")
    lines += [f"- {q}" for q in quoted]
    lines.append("")
    missed = [row for row in rows if row.status != "met"]
    if elapsed >= 600:
        spent = time_spent(results)
        lines.append(f"- The whole run took {elapsed:.0f} s, over the 10 minutes asked for. Of that, the timed runs "
                     "themselves took " + ", ".join(f"{WAY_LABELS[w]} {spent[w]:.0f} s" for w in WAY_LABELS)
                     + f"; the load average was {info['load']} when it started (other work shared the 2 cores). "
                     "The alternatives' own slowness is most of it; fewer runs would shorten it but the issue asks "
                     "for at least five.")
        lines.append("")
    if not missed:
        lines.append("Every target was met.")
        return lines + [""]
    lines.append("Targets missed or not measured, and why:")
    lines.append("")
    for row in missed:
        reason = explain(row, results)
        lines.append(f"- {row.label} — {row.status.strip('*')}: {reason}")
    lines.append("")
    return lines


def explain(row, results):
    if row.median is None:
        return f"`{row.why_missing}`" if row.why_missing else "no successful run."
    name = row.label.split(":")[0]
    outcomes = results.get(name, {})
    kf = summary(seconds(outcomes.get("keyflow", [])))[0]
    floor = summary(seconds(outcomes.get("floor", [])))[0]
    requests = next((o.requests for o in outcomes.get("floor", []) if o.ok and o.requests), None)
    rate = f" ({requests / floor:,.0f} requests/s for its {requests:,} requests)" if requests and floor else ""
    if "memory" in row.label:
        return (f"keyflow's peak resident set was {row.high:.1f} MB, above {MEMORY_LIMIT_MB} MB. Closing it means "
                "holding less per key while the statement runs (streaming the key list instead of keeping it whole).")
    if "floor" in row.label:
        startup = summary(seconds(results.get("startup", {}).get("keyflow", [])))[0]
        text = f"keyflow took {fmt_time(kf)}, the floor {fmt_time(floor)}{rate}"
        if startup is not None and kf > floor:
            share = min(1.0, startup / (kf - floor))
            text += (f"; keyflow's whole three-call start-up playbook takes {fmt_time(startup)}, at most "
                     f"{share:.0%} of that gap")
        if name == "rotation":
            return text + (". keyflow does more than the floor's two requests per key: it reads the successor back "
                           "before retiring the old key (a concurrent run whose sink failed may have deleted it), "
                           "so three requests per key, and it makes each secret file durable (fsync of the file and "
                           "its folder) before the old key is retired, where the floor's curl only writes. Closing "
                           "it means dropping that read (a server-side precondition on the PUT would do, which the "
                           "Keys API lacks) or batching the fsyncs of many sinks, which would delay every "
                           "retirement to the slowest sink.")
        return text + (". Closing it means less client work per request (the floor sends precomputed requests, "
                       "keyflow evaluates the playbook, reads each key before writing it where the statement needs "
                       "that, and checks each answer).")
    other = "python" if "Python" in row.label else "curljq"
    theirs = summary(seconds(outcomes.get(other, [])))[0]
    bound = summary(ratios(outcomes.get(other, []), outcomes.get("floor", [])))[0]
    text = f"keyflow took {fmt_time(kf)}, the {WAY_LABELS[other]} {fmt_time(theirs)}"
    if bound is not None and bound < row.limit:
        return text + (f". Even the plain-curl floor is only {fmt_ratio(bound)} faster than the {WAY_LABELS[other]} "
                       f"here: the sandbox shares the 2 cores with the client and answers this workload at the "
                       f"floor's pace{rate}, so no client can be {row.limit:g}× faster on this machine. A faster "
                       "server (or a machine where the server has cores of its own) would close it; keyflow's "
                       "distance from the floor is in the floor row.")
    return text + (f"; the floor is {fmt_ratio(bound)} faster than the {WAY_LABELS[other]}, so the gap is keyflow's "
                   "own overhead (see its distance from the floor).")
