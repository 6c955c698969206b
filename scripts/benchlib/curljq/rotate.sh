#!/usr/bin/env bash
# Rotation with curl and jq: for every svc-* key create a successor with the same name
# and scopes, write its secret to a file, then rename the old key and let it expire
# after a one-hour grace. One jq pass over the list prepares both request bodies.
source "$(dirname "$0")/common.sh"
umask 077
stamp=$(date -u +%Y-%m-%dT%H:%MZ)
api "$APPWRITE_ENDPOINT/project/keys" |
  jq -r --arg expire "$(iso '+90 days')" --arg grace "$(iso '+1 hour')" --arg stamp "$stamp" '
    .keys[] | select(.name | startswith("svc-")) |
    .["$id"], .name,
    ({keyId: "unique()", name, scopes, expire: $expire} | tojson),
    ({name: ((.name + " (rotated " + $stamp + ")")[0:128]), scopes,
      expire: (if .expire != "" and .expire < $grace then .expire else $grace end)} | tojson)' |
  while read -r id && read -r name && read -r create && read -r retire; do
    api -X POST "$APPWRITE_ENDPOINT/project/keys" -d "$create" | jq -r .secret >"$BENCH_OUT/$name.key"
    api -o /dev/null -X PUT "$APPWRITE_ENDPOINT/project/keys/$id" -d "$retire"
  done
