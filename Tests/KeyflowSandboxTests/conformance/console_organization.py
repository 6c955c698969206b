"""Conformance of the sandbox's organization routes (docs/appwrite-api.md §4.7) with the
official console SDK appwrite-console==0.14.0, the one that has what server SDKs lack:
`Teams.create` (a second organization), `Organization.create_project`,
`Organization.create_project_key` and the organization keys (`create_key`, `list_keys`,
`get_key`, `update_key`, `delete_key`), with a console session and with organization keys,
and the isolation between two organizations."""
from appwrite_console.enums.organization_key_scopes import OrganizationKeyScopes as O
from appwrite_console.enums.project_key_scopes import ProjectKeyScopes as S
from appwrite_console.query import Query
from appwrite_console.services.organization import Organization
from appwrite_console.services.project import Project
from appwrite_console.services.teams import Teams

from harness import (ENDPOINT, ORGANIZATION, PROJECTS, SESSION, Client, check, client, expect_error, org_client, run)

A1, A2 = PROJECTS[0], PROJECTS[1]
B = "org-b-console"
B1 = "bc-one"


def session_client(organization=ORGANIZATION):
    c = Client().set_endpoint(ENDPOINT).set_project("console").set_cookie(f"a_session_console={SESSION}")
    if organization is not None:
        c.set_organization(organization)
    return c


as_owner = Organization(session_client())


def test_teams_create():
    team = Teams(session_client(organization=None)).create(B, "Org B")
    check("Teams.create: the team", team.id == B and team.name == "Org B" and team.total == 1, team.id)
    expect_error("Teams.create: id taken", lambda: Teams(session_client(organization=None)).create(B, "again"), 409, "team_already_exists")
    expect_error("Teams.create: without a session", lambda: Teams(Client().set_endpoint(ENDPOINT).set_project("console")).create("x", "x"),
                 401, "general_unauthorized_scope")
    project = Organization(session_client(organization=B)).create_project(B1, "B one")
    check("create_project in the new organization", project.id == B1 and project.teamid == B, project.teamid)
    expect_error("create_project: id taken", lambda: Organization(session_client(organization=B)).create_project(A1, "dup"),
                 409, "project_already_exists")
    listed = Organization(session_client(organization=B)).list_projects()
    check("list_projects of the new organization", [p.id for p in listed.projects] == [B1], str([p.id for p in listed.projects]))


def test_organization_keys():
    made = as_owner.create_key("console-org-key", "CI", [O.PROJECTS_READ, O.ORGANIZATION_PROJECTS_KEYS_WRITE, O.ORGANIZATION_PROJECTS_KEYS_READ])
    check("create_key: organization secret", made.secret.startswith("organization_") and len(made.secret) == 269, "secret")
    check("create_key: scopes", made.scopes == ["projects.read", "organization.projects.keys.write", "organization.projects.keys.read"], str(made.scopes))
    listed = as_owner.list_keys()
    check("list_keys: bootstrap and new key", {k.id for k in listed.keys} >= {"sandbox-organization", "console-org-key"}, str([k.id for k in listed.keys]))
    named = as_owner.list_keys(queries=[Query.equal("name", ["CI"])])
    check("list_keys: queries", [k.id for k in named.keys] == ["console-org-key"], str([k.id for k in named.keys]))
    got = as_owner.get_key("console-org-key")
    check("get_key", got.secret == made.secret and got.name == "CI", got.name)
    updated = as_owner.update_key("console-org-key", "CI renamed", [O.PROJECTS_READ, O.ORGANIZATION_PROJECTS_KEYS_WRITE,
                                                                   O.ORGANIZATION_PROJECTS_KEYS_READ], expire="2031-01-01T00:00:00.000+00:00")
    check("update_key", updated.name == "CI renamed" and updated.expire == "2031-01-01T00:00:00.000+00:00", updated.name)
    expect_error("create_key: project scope refused", lambda: as_owner.create_key("bad-scope", "x", ["users.read"]), 400, "general_argument_invalid")
    expect_error("create_key: id taken by a project key", lambda: as_owner.create_key("sandbox-admin", "x", [O.PROJECTS_READ]), 409, "key_already_exists")
    expect_error("get_key: another organization's key", lambda: Organization(session_client(organization=B)).get_key("console-org-key"), 404, "key_not_found")

    # The new organization key at work: creates a project key, lists projects, cannot reach organization B.
    with_key = Organization(org_client(key=made.secret))
    created = with_key.create_project_key(A2, "by-console-org-key", "From the new org key", [S.USERS_READ])
    check("create_project_key with an organization key", created.secret.startswith("standard_"), created.id)
    check("list_projects with it", [p.id for p in with_key.list_projects().projects] == PROJECTS, "projects")
    expect_error("organization key of A on a project of B", lambda: with_key.create_project_key(B1, "unique()", "x", []), 404, "project_not_found")
    expect_error("organization key of A with the header of B", lambda: Organization(org_client(key=made.secret, organization=B)).list_projects(),
                 403, "project_id_missing")
    expect_error("organization keys do not manage organization keys", lambda: with_key.list_keys(), 401, "general_unauthorized_scope")

    as_owner.delete_key("console-org-key")
    expect_error("delete_key: gone", lambda: as_owner.get_key("console-org-key"), 404, "key_not_found")
    expect_error("deleted organization key no longer authenticates", lambda: Organization(org_client(key=made.secret, project="console")).list_projects(),
                 401, "user_unauthorized")


def test_create_project_key_with_a_session():
    made = as_owner.create_project_key(A1, "by-session", "Session made", [S.KEYS_READ], description="from the console SDK")
    check("create_project_key (session): 201 with secret", made.secret.startswith("standard_") and made.description == "from the console SDK", made.id)
    seen = Project(client()).get_key("by-session")
    check("project route sees it", seen.secret == made.secret, seen.name)
    listed = as_owner.list_project_keys(A1)
    check("list_project_keys (session)", "by-session" in [k.id for k in listed.keys], "missing")
    as_owner.update_project_key(A1, "by-session", "Renamed", [S.KEYS_READ])
    check("update_project_key (session)", as_owner.get_project_key(A1, "by-session").name == "Renamed", "name")
    eph = as_owner.create_ephemeral_project_key(A2, [S.USERS_READ], 60)
    check("create_ephemeral_project_key (session)", eph.secret.startswith("ephemeral_"), "secret")
    as_owner.delete_project_key(A1, "by-session")
    expect_error("delete_project_key (session)", lambda: Project(client()).get_key("by-session"), 404, "key_not_found")
    expect_error("session of B's owner on a project of A", lambda: Organization(session_client(organization=B)).create_project_key(A1, "unique()", "x", []),
                 404, "project_not_found")
    expect_error("session without organization", lambda: Organization(session_client(organization=None)).create_project_key(A1, "unique()", "x", []),
                 401, "general_unauthorized_scope")
    expect_error("project key cannot create", lambda: Organization(client()).create_project_key(A1, "unique()", "x", []), 403, "key_creation_denied")
    expect_error("create_project_key: bad scope", lambda: as_owner.create_project_key(A1, "unique()", "x", ["projects.read"]), 400, "general_argument_invalid")
    expect_error("create_project_key: no name", lambda: as_owner.create_project_key(A1, "unique()", "", []), 400, "general_argument_invalid")


run([test_teams_create, test_organization_keys, test_create_project_key_with_a_session])
