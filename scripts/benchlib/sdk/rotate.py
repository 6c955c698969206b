"""Rotation with the official Python SDK (appwrite==22.2.0, which can still create keys):
for every svc-* key create a successor with the same name and scopes, write its secret
to a file (mode 0600), then rename the old key and let it expire after a one-hour grace."""
import os
from datetime import datetime, timedelta, timezone

from appwrite.client import Client
from appwrite.id import ID
from appwrite.services.project import Project
from pool import each

client = Client()
client.set_endpoint(os.environ["APPWRITE_ENDPOINT"])
client.set_project(os.environ["APPWRITE_PROJECT_ID"])
client.set_key(os.environ["APPWRITE_API_KEY"])
project = Project(client)

out = os.environ["BENCH_OUT"]
now = datetime.now(timezone.utc)
grace_until = now + timedelta(hours=1)
successor_expire = (now + timedelta(days=90)).isoformat(timespec="milliseconds")
stamp = now.strftime("%Y-%m-%dT%H:%MZ")


def rotate(key):
    successor = project.create_key(key_id=ID.unique(), name=key.name, scopes=key.scopes, expire=successor_expire)
    fd = os.open(os.path.join(out, f"{key.name}.key"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(successor.secret + "\n")
    retire = grace_until
    if key.expire and datetime.fromisoformat(key.expire) < grace_until:
        retire = datetime.fromisoformat(key.expire)
    project.update_key(
        key_id=key.id,
        name=f"{key.name} (rotated {stamp})"[:128],
        scopes=key.scopes,
        expire=retire.isoformat(timespec="milliseconds"),
    )


chosen = [key for key in project.list_keys().keys if key.name.startswith("svc-")]
each(rotate, chosen)
print(f"rotated {len(chosen)} keys")
