#!/usr/bin/env bash
# Policy change with curl and jq: grant users.write to every tenant key. PUT replaces
# the key, so each key is fetched and sent back whole (name, scopes, expiry). The
# fetched keys stream through one jq that writes each key's new body, and the PUTs
# follow as the bodies come out (one curl process per request).
source "$(dirname "$0")/common.sh"
api "$APPWRITE_ENDPOINT/project/keys" |
  jq -r '.keys[] | select(.name | startswith("tenant-")) | .["$id"]' |
  while read -r id; do
    api "$APPWRITE_ENDPOINT/project/keys/$id"
    echo
  done |
  jq -r --unbuffered '.["$id"], ({name, scopes: ((.scopes - ["users.write"]) + ["users.write"]),
                                  expire: (if .expire == "" then null else .expire end)} | tojson)' |
  while read -r id && read -r body; do
    api -o /dev/null -X PUT "$APPWRITE_ENDPOINT/project/keys/$id" -d "$body"
  done
