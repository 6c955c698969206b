#!/usr/bin/env bash
# Start-up cost with curl and jq: the same three calls as bench/playbooks/startup.kf.
source "$(dirname "$0")/common.sh"
api "$APPWRITE_ENDPOINT/project/keys" | jq .total
api "$APPWRITE_ENDPOINT/project/keys/startup-key" |
  jq -r '"\(.["$id"]) \(.name) \(.scopes | join(",")) \(if .expire == "" then "never" else .expire end)"'
umask 077
api -X POST "$APPWRITE_ENDPOINT/project/keys/ephemeral" -d '{"scopes":["users.read"],"duration":3600}' |
  jq -r .secret >ci.key
