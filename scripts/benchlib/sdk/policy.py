"""Policy change with the official Python SDK (appwrite==27.0.0): grant users.write to
every tenant key. PUT replaces the key, so each key is written back whole (name,
scopes and expiry, as the list returned them), or its expiry would be dropped —
the same read-modify-write keyflow does."""
import os

from appwrite.client import Client
from appwrite.enums.project_key_scopes import ProjectKeyScopes
from appwrite.services.project import Project
from pool import each

client = Client()
client.set_endpoint(os.environ["APPWRITE_ENDPOINT"])
client.set_project(os.environ["APPWRITE_PROJECT_ID"])
client.set_key(os.environ["APPWRITE_API_KEY"])
project = Project(client)


def grant(key):
    project.update_key(
        key_id=key.id,
        name=key.name,
        scopes=key.scopes + [ProjectKeyScopes.USERS_WRITE],
        expire=key.expire or None,
        description=key.description or None,
    )


chosen = [key for key in project.list_keys().keys
          if key.name.startswith("tenant-") and ProjectKeyScopes.USERS_WRITE.value not in key.scopes]
each(grant, chosen)
print(f"granted users.write to {len(chosen)} keys")
