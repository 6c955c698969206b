"""Onboarding with the official Python SDK (appwrite==22.2.0, the last with create_key):
one key per tenant, created one after another as the SDK's examples show."""
import os
from datetime import datetime, timedelta, timezone

from appwrite.client import Client
from appwrite.enums.project_key_scopes import ProjectKeyScopes
from appwrite.id import ID
from appwrite.services.project import Project
from pool import each

client = Client()
client.set_endpoint(os.environ["APPWRITE_ENDPOINT"])
client.set_project(os.environ["APPWRITE_PROJECT_ID"])
client.set_key(os.environ["APPWRITE_API_KEY"])
project = Project(client)

expire = (datetime.now(timezone.utc) + timedelta(days=90)).isoformat(timespec="milliseconds")
with open(os.environ["BENCH_TENANTS"]) as f:
    tenants = [line.strip() for line in f if line.strip() and not line.startswith("#")]


def create(tenant):
    project.create_key(
        key_id=ID.unique(),
        name=f"tenant-{tenant}",
        scopes=[ProjectKeyScopes.DATABASES_READ, ProjectKeyScopes.USERS_READ],
        expire=expire,
    )


each(create, tenants)
print(f"created {len(tenants)} keys")
