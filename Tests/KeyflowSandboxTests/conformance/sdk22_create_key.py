"""`create_key` of the official Python SDK appwrite==22.2.0 (the last with it, docs/appwrite-api.md §2).
Usage: sdk22_create_key.py legacy|current — against `--legacy-key-create` an API key
with keys.write creates keys; against a current server it gets 403 key_creation_denied."""
import sys

from appwrite.enums.project_key_scopes import ProjectKeyScopes as S
from appwrite.services.project import Project

from harness import API_KEY, check, client, expect_error, run

MODE = sys.argv[1]
project = Project(client())


def test_create_key():
    if MODE == "current":
        expect_error("create_key on a current server", lambda: project.create_key("sdk22-denied", "Denied", [S.KEYS_READ]), 403, "key_creation_denied")
        return
    k = project.create_key("sdk22-key", "From SDK 22", [S.KEYS_READ, S.USERS_READ], expire="2030-06-01T00:00:00.000+00:00")
    check("create_key: fields", k.id == "sdk22-key" and k.name == "From SDK 22" and k.scopes == ["keys.read", "users.read"]
          and k.expire == "2030-06-01T00:00:00.000+00:00" and k.secret.startswith("standard_"), k.name)
    never = project.create_key("sdk22-never", "Never", [])
    check("create_key: no expire means never", never.expire == "", never.expire)
    made = Project(client(key=k.secret))
    check("created key authenticates", made.get_key("sdk22-key").secret == k.secret, "")
    expect_error("created key has no keys.write", lambda: made.create_key("sdk22-x", "x", []), 401, "general_unauthorized_scope")
    expect_error("create_key duplicate", lambda: project.create_key("sdk22-key", "Again", []), 409, "key_already_exists")
    expect_error("create_key invalid id", lambda: project.create_key("-x", "x", []), 400, "general_argument_invalid")
    listed = project.list_keys()
    check("SDK 22 list sees it", any(key.id == "sdk22-key" for key in listed.keys), "")
    project.update_key("sdk22-key", "Renamed", [S.KEYS_READ])
    check("SDK 22 update drops expire", project.get_key("sdk22-key").expire == "", "")
    project.delete_key("sdk22-key")
    expect_error("SDK 22 delete effective", lambda: made.list_keys(), 401, "user_unauthorized")


if __name__ == "__main__":
    run([test_create_key])
