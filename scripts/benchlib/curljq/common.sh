# Shared by the curl+jq scripts: strict mode, the target from the environment, and
# `api`, one curl process per request. The credentials go in a 0600 header file,
# not on curl's command line where `ps` would show them.
set -euo pipefail
: "${APPWRITE_ENDPOINT:?}" "${APPWRITE_PROJECT_ID:?}" "${APPWRITE_API_KEY:?}"
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT
chmod 600 "$headers"
printf 'X-Appwrite-Project: %s\nX-Appwrite-Key: %s\ncontent-type: application/json\n' \
  "$APPWRITE_PROJECT_ID" "$APPWRITE_API_KEY" >"$headers"
api() { curl --silent --show-error --fail-with-body -H @"$headers" "$@"; }
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%S.000+00:00; }
