#!/usr/bin/env bash
# Expiry sweep with curl and jq: list the keys whose expiry has passed (a server-side
# query) and delete them one by one.
source "$(dirname "$0")/common.sh"
query=$(jq -nc --arg now "$(iso now)" '{method: "lessThan", attribute: "expire", values: [$now]}')
api --get "$APPWRITE_ENDPOINT/project/keys" --data-urlencode "queries[]=$query" |
  jq -r '.keys[] | .["$id"]' |
  while read -r id; do
    api -o /dev/null -X DELETE "$APPWRITE_ENDPOINT/project/keys/$id"
  done
