"""Expiry sweep with the official Python SDK (appwrite==27.0.0): list the keys whose
expiry has passed (a server-side query) and delete them one by one."""
import os
from datetime import datetime, timezone

from appwrite.client import Client
from appwrite.query import Query
from appwrite.services.project import Project
from pool import each

client = Client()
client.set_endpoint(os.environ["APPWRITE_ENDPOINT"])
client.set_project(os.environ["APPWRITE_PROJECT_ID"])
client.set_key(os.environ["APPWRITE_API_KEY"])
project = Project(client)

now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
expired = project.list_keys(queries=[Query.less_than("expire", now)]).keys
each(lambda key: project.delete_key(key_id=key.id), expired)
print(f"deleted {len(expired)} keys")
