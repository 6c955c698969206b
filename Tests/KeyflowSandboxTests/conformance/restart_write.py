"""Before a restart: creates keys (console and ephemeral-free) and records what the next
process must find. Usage: restart_write.py STATE_FILE"""
import json
import sys

from appwrite.enums.project_key_scopes import ProjectKeyScopes as S
from appwrite.services.project import Project

from harness import check, client, console_create, run

STATE = sys.argv[1]


def test_write():
    project = Project(client())
    keys = {}
    for n in range(5):
        r = console_create(f"persist-{n}", f"Persist {n}", ["keys.read"], expire="2035-01-01T00:00:00.000+00:00" if n % 2 else None)
        check(f"create persist-{n}", r.status_code == 201, r.text[:200])
        keys[f"persist-{n}"] = r.json()
    project.update_key("persist-0", "Persist zero, renamed", [S.KEYS_READ, S.USERS_READ])
    keys["persist-0"] = project.get_key("persist-0").model_dump(by_alias=True)
    project.delete_key("persist-4")
    del keys["persist-4"]
    with open(STATE, "w") as f:
        json.dump(keys, f)


if __name__ == "__main__":
    run([test_write])
