"""Conformance of the sandbox's organization routes (docs/appwrite-api.md §4.7) with the
official Python SDK appwrite==27.0.0: its `Organization` service (list_projects and the
project-key routes it has: list, get, update, delete, ephemeral) driven by the organization
key, and the header resolution table, credential by credential, with its errors. The
sandbox is started with two projects (PROJECTS[0] holds the bootstrap API key). Creates,
which this SDK lacks, and the second organization go over plain HTTP."""
import base64
import json
import time

import requests
from appwrite.enums.project_key_scopes import ProjectKeyScopes as S
from appwrite.query import Query
from appwrite.services.organization import Organization
from appwrite.services.project import Project

from harness import (API_KEY, ENDPOINT, ORGANIZATION, ORGANIZATION_KEY, PROJECTS, check, client, expect_error,
                     org_client, run, session_headers)

A1, A2 = PROJECTS[0], PROJECTS[1]
B = "org-b-27"
B1 = "b27-one"
org = Organization(org_client())
READ_MESSAGE = '(role: applications) missing scopes (["organization.projects.keys.read","keys.read"])'


def post(path, body, headers):
    return requests.post(f"{ENDPOINT}{path}", headers=headers, data=json.dumps(body))


def org_key_headers(key=ORGANIZATION_KEY, organization=ORGANIZATION, project="console"):
    return {"X-Appwrite-Key": key, "X-Appwrite-Organization": organization, "X-Appwrite-Project": project,
            "content-type": "application/json"}


def setup_second_organization():
    r = post("/teams", {"teamId": B, "name": "Org B"}, session_headers(organization=None))
    check("second organization: POST /teams", r.status_code == 201 and r.json()["$id"] == B, r.text[:200])
    r = post("/organization/projects", {"projectId": B1, "name": "B one"}, session_headers(organization=B))
    check("second organization: project", r.status_code == 201 and r.json()["teamId"] == B, r.text[:200])


def org_key_with(scopes, expire=None, key_id="unique()"):
    body = {"keyId": key_id, "name": "scoped", "scopes": scopes}
    if expire is not None:
        body["expire"] = expire
    r = post("/organization/keys", body, session_headers())
    check(f"organization key {scopes}", r.status_code == 201 and r.json()["secret"].startswith("organization_"), r.text[:200])
    return r.json()["secret"]


def test_list_projects():
    listed = org.list_projects()
    check("list_projects: the organization's projects", [p.id for p in listed.projects] == PROJECTS and listed.total == len(PROJECTS),
          str([p.id for p in listed.projects]))
    check("list_projects: teamId", all(p.teamid == ORGANIZATION for p in listed.projects), "teamId")
    check("list_projects: not the other organization's", B1 not in [p.id for p in listed.projects], "leak")
    limited = org.list_projects(queries=[Query.limit(1)])
    check("list_projects: limit", [p.id for p in limited.projects] == PROJECTS[:1] and limited.total == len(PROJECTS), str(limited.total))
    after = org.list_projects(queries=[Query.cursor_after(A1)])
    check("list_projects: cursorAfter", [p.id for p in after.projects] == PROJECTS[1:], str([p.id for p in after.projects]))
    searched = org.list_projects(search=A2)
    check("list_projects: search", [p.id for p in searched.projects] == [A2], str([p.id for p in searched.projects]))
    no_total = org.list_projects(total=False)
    check("list_projects: total=false", no_total.total == 0 and len(no_total.projects) == len(PROJECTS), str(no_total.total))
    b_listed = Organization(org_client(key=None, organization=B))
    expect_error("list_projects: no credentials", lambda: b_listed.list_projects(), 401, "general_unauthorized_scope")


def test_project_keys_round_trip():
    r = post(f"/organization/projects/{A2}/keys", {"keyId": "org27-a2", "name": "Made by org key", "scopes": ["users.read"]},
             org_key_headers())
    check("create (HTTP) with the organization key: 201", r.status_code == 201, r.text[:200])
    made = r.json()
    check("create: standard secret", made["secret"].startswith("standard_") and len(made["secret"]) == 265, "secret")
    listed = org.list_project_keys(A2)
    check("list_project_keys: the new key", [k.id for k in listed.keys] == ["org27-a2"] and listed.total == 1, str([k.id for k in listed.keys]))
    a1 = org.list_project_keys(A1, queries=[Query.equal("name", ["Sandbox bootstrap key"])])
    check("list_project_keys: queries, the first project's bootstrap key", [k.id for k in a1.keys] == ["sandbox-admin"], str([k.id for k in a1.keys]))
    expect_error("list_project_keys: cursor of another project", lambda: org.list_project_keys(A2, queries=[Query.cursor_after("sandbox-admin")]),
                 400, "general_cursor_not_found")
    got = org.get_project_key(A2, "org27-a2")
    check("get_project_key: secret unmasked", got.secret == made["secret"] and got.name == "Made by org key", got.name)
    expect_error("get_project_key: key of another project", lambda: org.get_project_key(A1, "org27-a2"), 404, "key_not_found")
    updated = org.update_project_key(A2, "org27-a2", "Renamed", [S.USERS_WRITE], expire="2031-01-01T00:00:00.000+00:00")
    check("update_project_key: replaced", updated.name == "Renamed" and updated.scopes == ["users.write"]
          and updated.expire == "2031-01-01T00:00:00.000+00:00" and updated.secret == made["secret"], updated.name)
    cleared = org.update_project_key(A2, "org27-a2", "Renamed", [S.USERS_WRITE])
    check("update_project_key: expire omitted never expires", cleared.expire == "", cleared.expire)
    # The very key the project routes see.
    r = post(f"/organization/projects/{A1}/keys", {"keyId": "org27-a1", "name": "In the first", "scopes": ["keys.read"]},
             org_key_headers())
    check("create in the first project", r.status_code == 201, r.text[:200])
    seen = Project(client()).get_key("org27-a1")
    check("project route sees the organization route's key", seen.secret == r.json()["secret"], seen.name)
    Project(client()).update_key("org27-a1", "Renamed by project route", [S.KEYS_READ])
    check("organization route sees the project route's change", org.get_project_key(A1, "org27-a1").name == "Renamed by project route", "name")
    eph = org.create_ephemeral_project_key(A2, [S.USERS_READ], 600)
    payload = json.loads(base64.urlsafe_b64decode(eph.secret.split(".")[1] + "=="))
    check("create_ephemeral_project_key: token for the path project", eph.secret.startswith("ephemeral_") and payload["projectId"] == A2
          and abs(payload["exp"] - time.time() - 600) < 30, str(payload.get("projectId")))
    org.delete_project_key(A2, "org27-a2")
    expect_error("delete_project_key: gone", lambda: org.get_project_key(A2, "org27-a2"), 404, "key_not_found")
    expect_error("delete_project_key: twice", lambda: org.delete_project_key(A2, "org27-a2"), 404, "key_not_found")
    dup = post(f"/organization/projects/{A2}/keys", {"keyId": "sandbox-admin", "name": "dup", "scopes": []}, org_key_headers())
    check("create: id taken in another project: 409", dup.status_code == 409 and dup.json()["type"] == "key_already_exists", dup.text[:200])
    expect_error("invalid path projectId", lambda: org.list_project_keys("-bad"), 400, "general_argument_invalid")
    expect_error("console is no project", lambda: org.list_project_keys("console"), 404, "project_not_found")


def test_header_resolution():
    """docs/appwrite-api.md §4.7: which headers an organization key needs."""
    ok = Organization(org_client(project="console")).list_project_keys(A1)
    check("org key, org header, project console: ok", ok.total >= 1, str(ok.total))
    ok = Organization(org_client(project=A1)).list_project_keys(A2)
    check("org key, org header, project header of the organization: ok", ok.total >= 0, str(ok.total))
    expect_error("org header missing, project header of the organization", lambda: Organization(org_client(organization=None, project=A1)).list_project_keys(A2),
                 403, "organization_id_missing")
    expect_error("org header of another organization, project header of ours", lambda: Organization(org_client(organization=B, project=A1)).list_project_keys(A2),
                 403, "organization_id_missing")
    expect_error("org header missing, project header empty", lambda: Organization(org_client(organization=None)).list_project_keys(A1),
                 403, "project_id_missing")
    expect_error("org header of another organization, project header empty", lambda: Organization(org_client(organization=B)).list_project_keys(A1),
                 403, "project_id_missing")
    expect_error("org header of no organization, project header empty", lambda: Organization(org_client(organization="nope")).list_project_keys(A1),
                 403, "project_id_missing")
    expect_error("org header missing, project console", lambda: Organization(org_client(organization=None, project="console")).list_project_keys(A1),
                 401, "user_unauthorized")
    expect_error("project header of another organization", lambda: Organization(org_client(project=B1)).list_project_keys(A1),
                 401, "user_unauthorized")
    expect_error("project header unknown", lambda: Organization(org_client(project="no-such-project")).list_project_keys(A1),
                 404, "project_not_found")
    expect_error("path project of another organization", lambda: org.list_project_keys(B1), 404, "project_not_found")
    expect_error("path project of another organization (get)", lambda: org.get_project_key(B1, "sandbox-admin"), 404, "project_not_found")
    expect_error("garbage organization key", lambda: Organization(org_client(key="organization_" + "0" * 256, project="console")).list_project_keys(A1),
                 401, "user_unauthorized")


def test_organization_key_scopes_and_expiry():
    reader = Organization(org_client(key=org_key_with(["projects.read"])))
    check("projects.read key lists projects", reader.list_projects().total == len(PROJECTS), "list")
    e = expect_error("key lacking the route scope", lambda: reader.list_project_keys(A1), 401, "general_unauthorized_scope")
    check("scope message names both scopes", e is not None and e.message == f"app.console@service.127.0.0.1 {READ_MESSAGE}", e and e.message)
    legacy = Organization(org_client(key=org_key_with(["keys.read"])))
    check("keys.read is enough to read", legacy.list_project_keys(A1).total >= 1, "keys.read")
    expect_error("keys.read does not write", lambda: legacy.update_project_key(A1, "sandbox-admin", "x", [S.KEYS_READ]), 401, "general_unauthorized_scope")
    expect_error("keys.read does not list projects", lambda: legacy.list_projects(), 401, "general_unauthorized_scope")
    expired = Organization(org_client(key=org_key_with(["organization.projects.keys.read"], expire="2020-01-01T00:00:00.000+00:00")))
    expect_error("expired organization key", lambda: expired.list_project_keys(A1), 401, "project_key_expired")


def test_project_and_ephemeral_keys_on_organization_routes():
    own = Organization(client())  # the bootstrap key of A1, X-Appwrite-Project A1
    check("project key: own project", any(k.id == "sandbox-admin" for k in own.list_project_keys(A1).keys), "own")
    expect_error("project key: sibling project", lambda: own.list_project_keys(A2), 401, "user_unauthorized")
    expect_error("project key: sibling project (ephemeral)", lambda: own.create_ephemeral_project_key(A2, [S.USERS_READ], 60), 401, "user_unauthorized")
    expect_error("project key: other organization's project", lambda: own.list_project_keys(B1), 404, "project_not_found")
    expect_error("project key: list_projects lacks projects.read", lambda: own.list_projects(), 401, "general_unauthorized_scope")
    r = post(f"/organization/projects/{A1}/keys", {"keyId": "unique()", "name": "n", "scopes": []},
             {"X-Appwrite-Key": API_KEY, "X-Appwrite-Project": A1, "content-type": "application/json"})
    check("project key: create denied", r.status_code == 403 and r.json()["type"] == "key_creation_denied", r.text[:200])
    r = post(f"/organization/projects/{B1}/keys", {"keyId": "unique()", "name": "n", "scopes": []},
             {"X-Appwrite-Key": API_KEY, "X-Appwrite-Project": A1, "content-type": "application/json"})
    check("project key: create denied before the project check", r.status_code == 403 and r.json()["type"] == "key_creation_denied", r.text[:200])
    eph = own.create_ephemeral_project_key(A1, [S.KEYS_READ, S.KEYS_WRITE], 600)
    ephemeral = Organization(client(key=eph.secret))
    check("ephemeral key: own project", ephemeral.list_project_keys(A1).total >= 1, "own")
    expect_error("ephemeral key: sibling", lambda: ephemeral.get_project_key(A2, "x"), 401, "user_unauthorized")
    r = post(f"/organization/projects/{A1}/keys", {"keyId": "unique()", "name": "n", "scopes": []},
             {"X-Appwrite-Key": eph.secret, "X-Appwrite-Project": A1, "content-type": "application/json"})
    check("ephemeral key: create denied", r.status_code == 403 and r.json()["type"] == "key_creation_denied", r.text[:200])
    expect_error("no credentials", lambda: Organization(org_client(key=None)).list_project_keys(A1), 401, "general_unauthorized_scope")


def test_sessions():
    r = requests.get(f"{ENDPOINT}/organization/projects", headers=session_headers(organization=None))
    check("session without org header: list projects 404 team_not_found", r.status_code == 404 and r.json()["type"] == "team_not_found", r.text[:200])
    r = requests.get(f"{ENDPOINT}/organization/projects/{A1}/keys", headers=session_headers(organization=None))
    check("session without org header: keys 401 scope", r.status_code == 401 and r.json()["type"] == "general_unauthorized_scope", r.text[:200])
    r = requests.get(f"{ENDPOINT}/organization/projects/{A1}/keys", headers=session_headers(organization=B))
    check("session, org header B, project of A: 404", r.status_code == 404 and r.json()["type"] == "project_not_found", r.text[:200])
    r = requests.get(f"{ENDPOINT}/organization/projects/{A2}/keys", headers={**session_headers(organization=None, project=A1), "X-Appwrite-Mode": "admin"})
    check("session, project header A1, admin mode: sibling's keys", r.status_code == 200, r.text[:200])


run([setup_second_organization, test_list_projects, test_project_keys_round_trip, test_header_resolution,
     test_organization_key_scopes_and_expiry, test_project_and_ephemeral_keys_on_organization_routes, test_sessions])
