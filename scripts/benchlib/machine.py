"""What the report says about the machine and the software measured."""
import os
import platform
import subprocess
from datetime import datetime, timezone


def _run(args):
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=20)
        return (result.stdout or result.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _cpu_model():
    for line in _run(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _os():
    try:
        with open("/etc/os-release") as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        return fields.get("PRETTY_NAME", "").strip('"')
    except OSError:
        return platform.system()


def _sdk_version(python):
    return _run([python, "-c", "import importlib.metadata as m; print(m.version('appwrite'))"]) or "missing"


def describe(keyflow, sdk_pythons):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": f"{_os()}, Linux {platform.release()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "keyflow": (_run([keyflow, "--version"]) or "?") + " (release build), commit "
                   + (_run(["git", "-C", root, "rev-parse", "--short", "HEAD"]) or "?"),
        "curl": _run(["curl", "--version"]).splitlines()[0] if _run(["curl", "--version"]) else "missing",
        "jq": _run(["jq", "--version"]) or "missing",
        "python": _run([sdk_pythons["sdk27"], "--version"]) or "missing",
        "sdk22": _sdk_version(sdk_pythons["sdk22"]),
        "sdk27": _sdk_version(sdk_pythons["sdk27"]),
    }
