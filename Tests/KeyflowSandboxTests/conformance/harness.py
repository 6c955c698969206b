"""Tiny harness for the sandbox conformance scripts: named checks, a failure list, and
an exit status the Swift test reads. Secrets are never printed."""
import json
import os
import sys
import traceback

import requests

try:  # appwrite (server SDKs)
    from appwrite.client import Client
    from appwrite.exception import AppwriteException
except ImportError:  # appwrite-console (module appwrite_console)
    from appwrite_console.client import Client
    from appwrite_console.exception import AppwriteException

# The sandbox's credentials: DIR/sandbox.json named by SANDBOX_JSON (as `keyflow serve` writes it).
with open(os.environ["SANDBOX_JSON"]) as f:
    _credentials = json.load(f)
ENDPOINT = _credentials["endpoint"]
PROJECT = _credentials["project"]
API_KEY = _credentials["apiKey"]
SESSION = _credentials["session"]
EMAIL = _credentials["email"]
PASSWORD = _credentials["password"]
# The organization of docs/appwrite-api.md §4.7 (absent from sandbox.json files of older sandboxes).
ORGANIZATION = _credentials.get("organization")
ORGANIZATION_KEY = _credentials.get("organizationKey")
PROJECTS = _credentials.get("projects", [PROJECT])

_failures = []
_checks = 0


def check(name, condition, detail=""):
    global _checks
    _checks += 1
    if not condition:
        _failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}", flush=True)


def client(key=API_KEY, project=PROJECT):
    c = Client().set_endpoint(ENDPOINT).set_project(project)
    if key is not None:
        c.set_key(key)
    return c


def org_client(key=ORGANIZATION_KEY, organization=ORGANIZATION, project=None):
    """A client for the organization routes: the key, `X-Appwrite-Organization` when given, and
    `X-Appwrite-Project` only when `project` is given (the SDKs then send it empty)."""
    c = Client().set_endpoint(ENDPOINT)
    if project is not None:
        c.set_project(project)
    if key is not None:
        c.set_key(key)
    if organization is not None:
        c.set_organization(organization)
    return c


def session_headers(organization=ORGANIZATION, project="console"):
    """The console's own headers on organization routes: session cookie, project `console`, the organization."""
    h = {"X-Appwrite-Project": project, "Cookie": f"a_session_console={SESSION}", "content-type": "application/json"}
    if organization is not None:
        h["X-Appwrite-Organization"] = organization
    return h


def expect_error(name, call, code, type_):
    """Runs `call`, which must raise AppwriteException with this HTTP code and type."""
    try:
        call()
    except AppwriteException as e:
        check(name, e.code == code and e.type == type_, f"got {e.code} {e.type}: {e.message}, wanted {code} {type_}")
        return e
    except Exception as e:  # noqa: BLE001
        check(name, False, f"raised {type(e).__name__}: {e}")
        return None
    check(name, False, f"succeeded, wanted {code} {type_}")
    return None


def console_headers():
    return {
        "X-Appwrite-Project": PROJECT,
        "Cookie": f"a_session_console={SESSION}",
        "X-Appwrite-Mode": "admin",
        "content-type": "application/json",
    }


def console_create(key_id, name, scopes, expire=None, description=None):
    """POST /project/keys as the Appwrite Console does (session cookie + admin mode)."""
    body = {"keyId": key_id, "name": name, "scopes": scopes}
    if expire is not None:
        body["expire"] = expire
    if description is not None:
        body["description"] = description
    return requests.post(f"{ENDPOINT}/project/keys", headers=console_headers(), data=json.dumps(body))


def run(tests):
    for test in tests:
        try:
            test()
        except Exception:  # noqa: BLE001
            _failures.append(f"{test.__name__}: exception\n{traceback.format_exc()}")
            print(f"FAIL {test.__name__}: exception\n{traceback.format_exc()}", flush=True)
    print(f"conformance checks ok {_checks - len(_failures)}, failed {len(_failures)}", flush=True)
    sys.exit(1 if _failures or _checks == 0 else 0)
