"""The fleet workload written as a user would with the official console SDK
(appwrite-console 0.14.0, the SDK that has create_project_key): every project of the
organization, every key of it named like PREFIX that expires within a week, rotated —
a successor created with the old key's scopes and a 90-day expiry, then the old key
renamed and cut to an hour of grace. One request after the other, a plain loop (with
BENCH_POOL=8, eight projects at a time: scripts/benchlib/sdk/pool.py).

usage: fleet_sdk.py ENDPOINT ORGANIZATION ORGANIZATION_KEY PREFIX
"""
import datetime
import os
import sys

from appwrite_console.client import Client
from appwrite_console.id import ID
from appwrite_console.query import Query
from appwrite_console.services.organization import Organization

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk"))
from pool import each  # noqa: E402

endpoint, organization, key, prefix = sys.argv[1:5]
client = Client().set_endpoint(endpoint).set_project("console").set_organization(organization).set_key(key)
org = Organization(client)

now = datetime.datetime.now(datetime.timezone.utc)
soon = now + datetime.timedelta(days=7)
stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")


def rotate_project(project):
    rotated = 0
    keys = org.list_project_keys(project.id, queries=[Query.limit(5000)]).keys
    for k in keys:
        if not k.name.startswith(prefix) or not k.expire:
            continue
        expire = datetime.datetime.fromisoformat(k.expire.replace("Z", "+00:00"))
        if expire >= soon:
            continue
        org.create_project_key(project.id, ID.unique(), k.name, k.scopes,
                               expire=(now + datetime.timedelta(days=90)).isoformat())
        org.update_project_key(project.id, k.id, f"{k.name} (rotated {stamp})", k.scopes,
                               expire=(now + datetime.timedelta(hours=1)).isoformat())
        rotated += 1
    return rotated


projects = org.list_projects(queries=[Query.limit(100)]).projects
rotated = sum(each(rotate_project, projects))  # BENCH_POOL=8: eight projects at a time
print(f"rotated {rotated} keys in {len(projects)} projects")
