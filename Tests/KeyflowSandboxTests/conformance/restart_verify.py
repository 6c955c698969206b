"""After a restart on the same data directory: every key written before is there,
unchanged, and still authenticates; the deleted one stays deleted. Usage: restart_verify.py STATE_FILE"""
import json
import sys

from appwrite.services.project import Project

from harness import check, client, expect_error, run

STATE = sys.argv[1]


def test_verify():
    with open(STATE) as f:
        before = json.load(f)
    project = Project(client())
    for key_id, old in before.items():
        now = project.get_key(key_id).model_dump(by_alias=True)
        for field in ["$id", "$createdAt", "name", "expire", "scopes", "secret"]:
            check(f"{key_id}.{field} kept", now[field] == old[field], f"{now[field]!r} != {old[field]!r}")
        check(f"{key_id} still authenticates", Project(client(key=old["secret"])).get_key(key_id).id == key_id, "")
    expect_error("deleted key stays deleted", lambda: project.get_key("persist-4"), 404, "key_not_found")
    ids = [k.id for k in project.list_keys().keys if k.id.startswith("persist-")]
    check("insertion order kept", ids == ["persist-0", "persist-1", "persist-2", "persist-3"], str(ids))


if __name__ == "__main__":
    run([test_verify])
