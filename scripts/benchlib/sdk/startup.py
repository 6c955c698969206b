"""Start-up cost with the official Python SDK (appwrite==27.0.0): the same three calls
as scripts/benchlib/playbooks/startup.kf — count the keys, then mint two short-lived keys and
write their secrets to ci.key and db.key."""
import os

from appwrite.client import Client
from appwrite.enums.project_key_scopes import ProjectKeyScopes
from appwrite.services.project import Project

client = Client()
client.set_endpoint(os.environ["APPWRITE_ENDPOINT"])
client.set_project(os.environ["APPWRITE_PROJECT_ID"])
client.set_key(os.environ["APPWRITE_API_KEY"])
project = Project(client)


def save(path, secret):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")


print(project.list_keys().total)
save("ci.key", project.create_ephemeral_key(scopes=[ProjectKeyScopes.USERS_READ], duration=3600).secret)
save("db.key", project.create_ephemeral_key(scopes=[ProjectKeyScopes.DATABASES_READ], duration=900).secret)
