#!/usr/bin/env bash
# Start-up cost with curl and jq: the same three calls as scripts/benchlib/playbooks/startup.kf.
source "$(dirname "$0")/common.sh"
umask 077
api "$APPWRITE_ENDPOINT/project/keys" | jq .total
api -X POST "$APPWRITE_ENDPOINT/project/keys/ephemeral" -d '{"scopes":["users.read"],"duration":3600}' |
  jq -r .secret >ci.key
api -X POST "$APPWRITE_ENDPOINT/project/keys/ephemeral" -d '{"scopes":["databases.read"],"duration":900}' |
  jq -r .secret >db.key
