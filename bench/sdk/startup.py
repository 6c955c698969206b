"""Start-up cost with the official Python SDK (appwrite==27.0.0): the same three calls
as bench/playbooks/startup.kf — count the keys, show one, mint a one-hour ephemeral
key and write its secret to ci.key."""
import os

from appwrite.client import Client
from appwrite.enums.project_key_scopes import ProjectKeyScopes
from appwrite.services.project import Project

client = Client()
client.set_endpoint(os.environ["APPWRITE_ENDPOINT"])
client.set_project(os.environ["APPWRITE_PROJECT_ID"])
client.set_key(os.environ["APPWRITE_API_KEY"])
project = Project(client)

print(project.list_keys().total)
key = project.get_key(key_id="startup-key")
print(key.id, key.name, ",".join(key.scopes), key.expire or "never")
ephemeral = project.create_ephemeral_key(scopes=[ProjectKeyScopes.USERS_READ], duration=3600)
fd = os.open("ci.key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    f.write(ephemeral.secret + "\n")
