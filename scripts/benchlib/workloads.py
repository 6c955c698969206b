"""The API workloads: their starting state, the requests of their plain-curl floor,
and a check that a way of doing the workload really did it.

Every way (keyflow playbook, Python SDK script, curl+jq script, plain-curl floor)
runs against its own fresh sandbox holding the same seeded state. Seeded keys get
custom ids equal to their names, so the floor's requests can be written in advance.
"""

import os
from datetime import datetime, timedelta, timezone

from curlbatch import Request

TENANTS = 1000
ROTATED = 200
OTHER_SERVICES = 300
SWEEP_TOTAL = 1000
SWEEP_EXPIRED = 500

BASE_SCOPES = ["databases.read", "users.read"]
GRANTED = "users.write"


def iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T")) if value else None


def _list_all():
    """keyflow's own list request: every key in one page, no total."""
    import json
    import urllib.parse
    limit = urllib.parse.quote(json.dumps({"method": "limit", "values": [5000]}, separators=(",", ":")), safe="")
    return Request("GET", f"/project/keys?queries%5B0%5D={limit}&total=false")


def tenant_names():
    return [f"{i:04d}" for i in range(1, TENANTS + 1)]


def create(key_id, name, scopes, expire):
    return Request("POST", "/project/keys", {"keyId": key_id, "name": name, "scopes": scopes, "expire": expire})


class VerificationError(RuntimeError):
    pass


def expect(condition, message):
    if not condition:
        raise VerificationError(message)


class Workload:
    name = ""
    title = ""
    sdk = "sdk27"
    playbook = ""
    target_ratios = True  # the 5x / 10x targets apply

    def prepare(self, workdir):
        """Files a run needs (inputs, an output folder); returns keyflow's name=value arguments."""
        return {}

    def seed(self, now):
        """Requests that build the starting state (sent by the fast seeder)."""
        return []

    def floor(self, sandbox, workdir, now):
        """(requests, parallel): the same HTTP requests the workload makes, for one curl process."""
        raise NotImplementedError

    def verify(self, sandbox, workdir, now):
        raise NotImplementedError


class Onboarding(Workload):
    name = "onboarding"
    title = "Onboarding: create 1,000 tenant keys"
    sdk = "sdk22"
    playbook = "onboard.kf"

    def prepare(self, workdir):
        path = os.path.join(workdir, "tenants.txt")
        with open(path, "w") as f:
            f.write("\n".join(tenant_names()) + "\n")
        return {"tenants_file": path}

    def floor(self, sandbox, workdir, now):
        expire = iso(now + timedelta(days=90))
        return [create("unique()", f"tenant-{t}", BASE_SCOPES, expire) for t in tenant_names()], 8

    def verify(self, sandbox, workdir, now):
        tenants = [k for k in sandbox.keys() if k["name"].startswith("tenant-")]
        names = sorted(k["name"] for k in tenants)
        expect(names == [f"tenant-{t}" for t in tenant_names()],
               f"expected the 1,000 tenant keys once each, found {len(names)} ({len(set(names))} distinct names)")
        for key in tenants:
            expect(sorted(key["scopes"]) == BASE_SCOPES, f"{key['name']} has scopes {key['scopes']}")
            expire = parse(key["expire"])
            expect(expire is not None and timedelta(days=89) < expire - now < timedelta(days=91),
                   f"{key['name']} expires at {key['expire']!r}, not in 90 days")


class PolicyChange(Workload):
    name = "policy"
    title = "Policy change: grant users.write to those 1,000 keys"
    playbook = "policy.kf"

    def seed(self, now):
        self.expire = iso(now + timedelta(days=90))
        return [create(f"tenant-{t}", f"tenant-{t}", BASE_SCOPES, self.expire) for t in tenant_names()]

    def floor(self, sandbox, workdir, now):
        requests = [_list_all()]
        requests += [Request("PUT", f"/project/keys/tenant-{t}",
                             {"name": f"tenant-{t}", "scopes": BASE_SCOPES + [GRANTED], "expire": self.expire})
                     for t in tenant_names()]
        return requests, 8

    def verify(self, sandbox, workdir, now):
        tenants = [k for k in sandbox.keys() if k["name"].startswith("tenant-")]
        expect(len(tenants) == TENANTS, f"expected {TENANTS} tenant keys, found {len(tenants)}")
        for key in tenants:
            expect(sorted(key["scopes"]) == sorted(BASE_SCOPES + [GRANTED]),
                   f"{key['name']} has scopes {key['scopes']}")
            expect(parse(key["expire"]) == parse(self.expire),
                   f"{key['name']} lost its expiry ({key['expire']!r}, was {self.expire})")


class Rotation(Workload):
    name = "rotation"
    title = "Rotation: rotate 200 keys with a one-hour grace period"
    sdk = "sdk22"
    playbook = "rotate.kf"
    target_ratios = False  # issue 8's 5x/10x targets name onboarding, policy change and sweep

    def services(self):
        return [f"svc-{i:03d}" for i in range(1, ROTATED + 1)]

    def seed(self, now):
        self.expire = iso(now + timedelta(days=3))
        requests = [create(name, name, ["databases.read"], self.expire) for name in self.services()]
        requests += [create(f"other-{i:03d}", f"other-{i:03d}", BASE_SCOPES, self.expire)
                     for i in range(1, OTHER_SERVICES + 1)]
        return requests

    def prepare(self, workdir):
        out = os.path.join(workdir, "out")
        os.makedirs(out, exist_ok=True)
        return {"out": out}

    def floor(self, sandbox, workdir, now):
        out = os.path.join(workdir, "out")
        os.makedirs(out, exist_ok=True)
        expire = iso(now + timedelta(days=90))
        grace = iso(now + timedelta(hours=1))
        stamp = now.strftime("%Y-%m-%dT%H:%MZ")
        requests = [_list_all()]
        for name in self.services():
            # curl writes the whole response (holding the secret) to the file.
            requests.append(Request("POST", "/project/keys",
                                    {"keyId": "unique()", "name": name, "scopes": ["databases.read"], "expire": expire},
                                    output=os.path.join(out, f"{name}.key")))
            requests.append(Request("PUT", f"/project/keys/{name}",
                                    {"name": f"{name} (rotated {stamp})", "scopes": ["databases.read"], "expire": grace}))
        return requests, 8

    def verify(self, sandbox, workdir, now):
        keys = sandbox.keys()
        by_name = {}
        for key in keys:
            by_name.setdefault(key["name"], []).append(key)
        retired = [k for k in keys if k["name"].startswith("svc-") and "(rotated " in k["name"]]
        expect(len(retired) == ROTATED, f"expected {ROTATED} renamed old keys, found {len(retired)}")
        for key in retired:
            expect(key["$id"] in self.services(), f"renamed key {key['$id']} is not one of the seeded ones")
            expire = parse(key["expire"])
            expect(expire is not None and expire - now <= timedelta(hours=1, minutes=5),
                   f"old key {key['$id']} expires at {key['expire']!r}, not within the grace")
        for name in self.services():
            active = by_name.get(name, [])
            expect(len(active) == 1, f"{name}: expected one successor, found {len(active)}")
            successor = active[0]
            expect(successor["$id"] != name, f"{name} was not replaced by a new key")
            expect(successor["scopes"] == ["databases.read"], f"{name} successor has scopes {successor['scopes']}")
            path = os.path.join(workdir, "out", f"{name}.key")
            expect(os.path.exists(path), f"no secret file for {name}")
            with open(path) as f:
                expect(successor["secret"] in f.read(), f"{path} does not hold the successor's secret")
        others = [k for k in keys if k["name"].startswith("other-")]
        expect(len(others) == OTHER_SERVICES and all(k["expire"] for k in others),
               "keys outside the selection were touched")


class Sweep(Workload):
    name = "sweep"
    title = "Sweep: delete the 500 expired keys (of 1,000)"
    playbook = "sweep.kf"

    def seed(self, now):
        requests = []
        for i in range(1, SWEEP_TOTAL + 1):
            name = f"tenant-{i:04d}"
            expired = i % 2 == 1
            moment = now - timedelta(days=30, minutes=i) if expired else now + timedelta(days=30, minutes=i)
            requests.append(create(name, name, BASE_SCOPES, iso(moment)))
        return requests

    def floor(self, sandbox, workdir, now):
        requests = [_list_all()]
        requests += [Request("DELETE", f"/project/keys/tenant-{i:04d}") for i in range(1, SWEEP_TOTAL + 1, 2)]
        return requests, 8

    def verify(self, sandbox, workdir, now):
        keys = sandbox.keys()
        tenants = [k for k in keys if k["name"].startswith("tenant-")]
        expect(len(tenants) == SWEEP_TOTAL - SWEEP_EXPIRED,
               f"expected {SWEEP_TOTAL - SWEEP_EXPIRED} keys left, found {len(tenants)}")
        expect(all(parse(k["expire"]) > now for k in tenants), "an expired key is left")
        expect(any(k["$id"] == "sandbox-admin" or k["expire"] == "" for k in keys), "the never-expiring key was deleted")


class Startup(Workload):
    """Not timed per fresh sandbox: the three calls leave the stored state unchanged."""
    name = "startup"
    title = "Start-up: a three-statement playbook end to end"
    playbook = "startup.kf"
    target_ratios = False

    def seed(self, now):
        return [create("startup-key", "Startup key", BASE_SCOPES, iso(now + timedelta(days=30)))]

    def floor(self, sandbox, workdir, now):
        return [_list_all(),
                Request("POST", "/project/keys/ephemeral", {"scopes": ["users.read"], "duration": 3600},
                        output=os.path.join(workdir, "ci.key")),
                Request("POST", "/project/keys/ephemeral", {"scopes": ["databases.read"], "duration": 900},
                        output=os.path.join(workdir, "db.key"))], 1

    def verify(self, sandbox, workdir, now):
        for name in ("ci.key", "db.key"):
            path = os.path.join(workdir, name)
            expect(os.path.exists(path), f"no {name} written")
            with open(path) as f:
                expect("ephemeral_" in f.read(), f"{name} holds no ephemeral secret")
            os.remove(path)


API_WORKLOADS = [Onboarding(), PolicyChange(), Rotation(), Sweep()]
STARTUP = Startup()
