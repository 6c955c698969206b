#!/usr/bin/env bash
# Onboarding with curl: one POST per tenant, one after another.
source "$(dirname "$0")/common.sh"
expire=$(iso '+90 days')
while read -r tenant; do
  [ -n "$tenant" ] || continue
  api -o /dev/null -X POST "$APPWRITE_ENDPOINT/project/keys" \
    -d "{\"keyId\":\"unique()\",\"name\":\"tenant-$tenant\",\"scopes\":[\"databases.read\",\"users.read\"],\"expire\":\"$expire\"}"
done <"$BENCH_TENANTS"
