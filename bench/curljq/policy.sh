#!/usr/bin/env bash
# Policy change with curl and jq: grant users.write to every tenant key. PUT replaces
# the key, so each key is fetched and sent back whole (name, scopes, expiry).
source "$(dirname "$0")/common.sh"
api "$APPWRITE_ENDPOINT/project/keys" |
  jq -r '.keys[] | select(.name | startswith("tenant-")) | .["$id"]' |
  while read -r id; do
    body=$(api "$APPWRITE_ENDPOINT/project/keys/$id" |
      jq -c '{name, scopes: ((.scopes - ["users.write"]) + ["users.write"]),
              expire: (if .expire == "" then null else .expire end)}')
    api -o /dev/null -X PUT "$APPWRITE_ENDPOINT/project/keys/$id" -d "$body"
  done
