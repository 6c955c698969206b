"""Many HTTP requests sent by one `curl` process over kept-alive connections.

Used twice: as the fast seeder that puts a workload's starting state into a
sandbox, and as the plain-curl floor — the same requests a workload makes, sent
by the fastest plain client there is. The requests go in a curl config file
(one `next` group each; mode 0600, since it carries the API key) and curl runs
them with `--parallel` when their order does not matter.
"""

import json
import os
import subprocess


class Request:
    __slots__ = ("method", "path", "body", "output")

    def __init__(self, method, path, body=None, output=None):
        self.method = method
        self.path = path
        self.body = body
        self.output = output


def _quote(value):
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_config(path, sandbox, requests, headers=None):
    """Writes the config file (every request with `headers`, by default the project's);
    returns its path."""
    lines = []
    headers = headers or sandbox.headers()
    for index, request in enumerate(requests):
        if index:
            lines.append("next")
        lines.append(f"url = {_quote(sandbox.endpoint + request.path)}")
        lines.append(f"request = {_quote(request.method)}")
        for name, value in headers.items():
            lines.append(f"header = {_quote(f'{name}: {value}')}")
        if request.body is not None:
            lines.append(f"data-binary = {_quote(json.dumps(request.body, separators=(',', ':')))}")
        lines.append(f"output = {_quote(request.output or os.devnull)}")
        lines.append('write-out = "%{http_code}\\n"')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def command(config_path, parallel):
    """The curl command line that sends a config file's requests."""
    args = ["curl", "--silent", "--show-error", "--no-progress-meter"]
    if parallel > 1:
        args += ["--parallel", "--parallel-max", str(parallel)]
    return args + ["--config", config_path]


def check_statuses(stdout, expected_count, what):
    """curl printed one status per request; all must be 2xx."""
    statuses = stdout.split()
    bad = [s for s in statuses if not s.startswith("2")]
    if len(statuses) != expected_count or bad:
        raise RuntimeError(
            f"{what}: expected {expected_count} 2xx answers, got {len(statuses)} answers"
            + (f" including {len(bad)} failures ({', '.join(sorted(set(bad)))})" if bad else ""))


def send(config_path, sandbox, requests, parallel=8, what="curl batch", headers=None):
    """Writes and runs a batch outside any timing (the seeder)."""
    write_config(config_path, sandbox, requests, headers)
    result = subprocess.run(command(config_path, parallel), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{what}: curl exited {result.returncode}: {result.stderr.strip()[:500]}")
    check_statuses(result.stdout, len(requests), what)
