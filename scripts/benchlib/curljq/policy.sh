#!/usr/bin/env bash
# Policy change with curl and jq: grant users.write to every tenant key. PUT replaces
# the key, so each key is sent back whole (name, scopes, expiry, as the list returned
# them) — the same read-modify-write keyflow does. One jq pass over the list writes
# every new body; one curl process per PUT.
source "$(dirname "$0")/common.sh"
api "$APPWRITE_ENDPOINT/project/keys" |
  jq -r '.keys[] | select((.name | startswith("tenant-")) and (.scopes | index("users.write") | not)) |
         .["$id"], ({name, scopes: (.scopes + ["users.write"]),
                     expire: (if .expire == "" then null else .expire end)} | tojson)' |
  while read -r id && read -r body; do
    api -o /dev/null -X PUT "$APPWRITE_ENDPOINT/project/keys/$id" -d "$body"
  done
