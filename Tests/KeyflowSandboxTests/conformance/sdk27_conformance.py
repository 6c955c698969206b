"""Conformance of the sandbox with the official Python SDK appwrite==27.0.0
(docs/appwrite-api.md §4–§9): every route, the error catalogue rows that apply, both query
encodings, pagination, ephemeral keys, expiry, deletion taking effect at once."""
import base64
import json
import time
import urllib.parse

import requests
from appwrite.enums.project_key_scopes import ProjectKeyScopes as S
from appwrite.query import Query
from appwrite.services.account import Account
from appwrite.services.project import Project

from harness import (API_KEY, EMAIL, ENDPOINT, PASSWORD, PROJECT, check, client, console_create,
                     console_headers, expect_error, run)

KEY_FIELDS = ["$id", "$createdAt", "$updatedAt", "name", "description", "expire", "scopes", "secret", "accessedAt", "sdks"]
project = Project(client())


def create(key_id, name="key", scopes=("users.read",), expire=None, description=None):
    r = console_create(key_id, name, list(scopes), expire, description)
    check(f"console create {key_id}", r.status_code == 201, f"{r.status_code} {r.text[:200]}")
    return r.json()


def test_health_version():
    r = requests.get(f"{ENDPOINT}/health/version")
    check("health version", r.status_code == 200 and r.json() == {"version": "1.9.6"}, r.text)


def test_console_login_and_create():
    session = Account(client(key=None, project="console")).create_email_password_session(EMAIL, PASSWORD)
    check("login session model", session.provider == "email" and session.current, str(session.provider))
    r = requests.post(f"{ENDPOINT}/account/sessions/email", headers={"X-Appwrite-Project": "console", "content-type": "application/json"},
                      data=json.dumps({"email": EMAIL, "password": PASSWORD}))
    cookie = r.cookies.get("a_session_console")
    check("login sets a_session_console", r.status_code == 201 and bool(cookie), str(r.status_code))
    body = {"keyId": "via-login", "name": "Via login", "scopes": ["keys.read"]}
    created = requests.post(f"{ENDPOINT}/project/keys", data=json.dumps(body), headers={
        "X-Appwrite-Project": PROJECT, "X-Appwrite-Mode": "admin", "content-type": "application/json",
        "Cookie": f"a_session_console={cookie}"})
    check("create with fresh console session", created.status_code == 201, created.text[:200])


def test_create_key_shape():
    k = create("shape-1", "Shape one", ["users.read", "teams.write", "users.read"], description="d")
    check("create: all fields in server order", list(k.keys()) == KEY_FIELDS, str(list(k.keys())))
    check("create: secret format", k["secret"].startswith("standard_") and len(k["secret"]) == 265
          and all(c in "0123456789abcdef" for c in k["secret"][9:]), "bad secret format")
    check("create: expire empty when never", k["expire"] == "", k["expire"])
    check("create: accessedAt empty", k["accessedAt"] == "" and k["sdks"] == [], k["accessedAt"])
    check("create: scopes order and duplicates kept", k["scopes"] == ["users.read", "teams.write", "users.read"], str(k["scopes"]))
    check("create: timestamp format", len(k["$createdAt"]) == 29 and k["$createdAt"].endswith("+00:00") and k["$createdAt"][10] == "T", k["$createdAt"])
    u = create("unique()", "Generated")
    check("create: unique() gives 20 hex", len(u["$id"]) == 20 and all(c in "0123456789abcdef" for c in u["$id"]), u["$id"])
    e = create("shape-exp", "Exp", expire="2030-01-01T00:00:00.000+00:00")
    check("create: expire round-trips", e["expire"] == "2030-01-01T00:00:00.000+00:00", e["expire"])
    d = create("shape-date", "Date only", expire="2026-12-31")
    check("create: date-only expire", d["expire"] == "2026-12-31T00:00:00.000+00:00", d["expire"])
    z = create("shape-zone", "Zoned", expire="2030-01-01T02:00:00+02:00")
    check("create: expire converted to UTC", z["expire"] == "2030-01-01T00:00:00.000+00:00", z["expire"])


def test_get_list_update_delete():
    made = create("crud-1", "CRUD", ["users.read"], expire="2031-01-01T00:00:00.000+00:00")
    got = project.get_key("crud-1")
    check("get: same key", got.id == "crud-1" and got.name == "CRUD" and got.secret == made["secret"], got.name)
    check("get: expire", got.expire == "2031-01-01T00:00:00.000+00:00", got.expire)
    listed = project.list_keys()
    check("list: contains key", any(k.id == "crud-1" for k in listed.keys), "missing crud-1")
    check("list: total counts all", listed.total == len(listed.keys), f"{listed.total} vs {len(listed.keys)}")

    updated = project.update_key("crud-1", "CRUD renamed", [S.USERS_WRITE, S.KEYS_READ], expire="2032-02-02T00:00:00.000+00:00", description="desc")
    check("update: replaced fields", updated.name == "CRUD renamed" and updated.scopes == ["users.write", "keys.read"]
          and updated.expire == "2032-02-02T00:00:00.000+00:00" and updated.description == "desc", updated.name)
    check("update: secret unchanged", updated.secret == made["secret"], "secret changed")
    check("update: $updatedAt moves", updated.updatedat >= made["$updatedAt"], updated.updatedat)
    again = project.update_key("crud-1", "CRUD renamed", [S.USERS_WRITE])
    check("update: omitted expire means never", again.expire == "", again.expire)
    check("update: omitted description cleared", again.description == "", again.description)

    raw = requests.delete(f"{ENDPOINT}/project/keys/crud-1", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY, "content-type": "application/json"}, data="{}")
    check("delete: 204 empty, non-JSON type", raw.status_code == 204 and raw.content == b"" and not raw.headers["Content-Type"].startswith("application/json"), f"{raw.status_code} {raw.headers.get('Content-Type')}")
    expect_error("get after delete", lambda: project.get_key("crud-1"), 404, "key_not_found")
    expect_error("second delete", lambda: project.delete_key("crud-1"), 404, "key_not_found")

    create("crud-2", "Delete via SDK")
    result = project.delete_key("crud-2")
    check("delete via SDK returns empty body", result == b"", repr(result))


def test_deleted_secret_stops_at_once():
    k = create("doomed", "Doomed", ["keys.read"])
    doomed = Project(client(key=k["secret"]))
    check("doomed key works", doomed.get_key("doomed").id == "doomed", "")
    project.delete_key("doomed")
    expect_error("deleted key on next request", lambda: doomed.list_keys(), 401, "user_unauthorized")


def test_scope_and_auth_errors():
    reader = create("reader", "Reader", ["keys.read"])
    rp = Project(client(key=reader["secret"]))
    check("reader can list", rp.list_keys().total >= 1, "")
    e = expect_error("reader cannot update", lambda: rp.update_key("reader", "x", [S.KEYS_READ]), 401, "general_unauthorized_scope")
    if e:
        check("scope message pattern", e.message.startswith(f"app.{PROJECT}@service.") and e.message.endswith('(role: applications) missing scopes (["keys.write"])'), e.message)
    expect_error("reader cannot delete", lambda: rp.delete_key("reader"), 401, "general_unauthorized_scope")
    expect_error("reader cannot mint ephemeral", lambda: rp.create_ephemeral_key([S.KEYS_READ], 60), 401, "general_unauthorized_scope")
    none = create("no-scopes", "Nothing", [])
    expect_error("key without scopes cannot read", lambda: Project(client(key=none["secret"])).get_key("no-scopes"), 401, "general_unauthorized_scope")

    anon = Project(client(key=None))
    for name, call in [
        ("list", lambda: anon.list_keys()), ("get", lambda: anon.get_key("reader")),
        ("update", lambda: anon.update_key("reader", "x", [])), ("delete", lambda: anon.delete_key("reader")),
        ("ephemeral", lambda: anon.create_ephemeral_key([], 60)),
    ]:
        e = expect_error(f"unauthenticated {name}", call, 401, "general_unauthorized_scope")
        if e and name == "list":
            check("guest scope message", e.message == 'User (role: guests) missing scopes (["keys.read"])', e.message)
    r = requests.post(f"{ENDPOINT}/project/keys", headers={"X-Appwrite-Project": PROJECT, "content-type": "application/json"}, data=json.dumps({"keyId": "x", "name": "x", "scopes": []}))
    check("unauthenticated create", r.status_code == 401 and r.json()["type"] == "general_unauthorized_scope", r.text[:200])

    expect_error("garbage standard key", lambda: Project(client(key="standard_" + "0" * 256)).list_keys(), 401, "user_unauthorized")
    expect_error("legacy key without prefix", lambda: Project(client(key="abcdef")).list_keys(), 401, "user_unauthorized")
    expect_error("unknown project", lambda: Project(client(project="no-such-project")).list_keys(), 404, "project_not_found")
    r = requests.get(f"{ENDPOINT}/project/keys", headers={"X-Appwrite-Key": API_KEY})
    check("key without project header", r.status_code == 403 and r.json()["type"] == "project_id_missing", r.text[:200])
    r = requests.get(f"{ENDPOINT}/project/keys?project={PROJECT}", headers={"X-Appwrite-Key": API_KEY})
    check("project only as parameter", r.status_code == 403 and r.json()["type"] == "project_id_missing", r.text[:200])
    r = requests.get(f"{ENDPOINT}/project/keys/nope", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY})
    check("error body shape", r.headers["Content-Type"] == "application/json; charset=UTF-8"
          and list(r.json().keys()) == ["message", "code", "type", "version"] and r.json()["code"] == 404, r.text[:200])

    r = requests.post(f"{ENDPOINT}/project/keys", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY, "content-type": "application/json"},
                      data=json.dumps({"keyId": "by-key", "name": "By key", "scopes": []}))
    check("create with API key denied", r.status_code == 403 and r.json()["type"] == "key_creation_denied", r.text[:200])
    eph = project.create_ephemeral_key([S.KEYS_WRITE, S.KEYS_READ], 60)
    r = requests.post(f"{ENDPOINT}/project/keys", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": eph.secret, "content-type": "application/json"},
                      data=json.dumps({"keyId": "by-eph", "name": "By eph", "scopes": []}))
    check("create with ephemeral key denied", r.status_code == 403 and r.json()["type"] == "key_creation_denied", r.text[:200])
    r = requests.post(f"{ENDPOINT}/project/keys", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY, "content-type": "application/json"},
                      data=json.dumps({"keyId": "_bad", "name": "x", "scopes": []}))
    check("create: validation before denial", r.status_code == 400 and r.json()["type"] == "general_argument_invalid", r.text[:200])

    r = console_create("crud-dup", "Dup", [])
    r = console_create("crud-dup", "Dup", [])
    check("duplicate id", r.status_code == 409 and r.json()["type"] == "key_already_exists", r.text[:200])


def test_expired_standard_key():
    past = create("past", "Past", ["keys.read"], expire="2020-01-01T00:00:00.000+00:00")
    expect_error("expired key", lambda: Project(client(key=past["secret"])).list_keys(), 401, "project_key_expired")


def test_validation_errors():
    def bad(name, body, pattern):
        r = requests.post(f"{ENDPOINT}/project/keys", headers=console_headers(), data=json.dumps(body))
        ok = r.status_code == 400 and r.json()["type"] == "general_argument_invalid" and pattern in r.json()["message"]
        check(f"validation: {name}", ok, f"{r.status_code} {r.text[:200]}")

    bad("missing keyId", {"name": "n", "scopes": []}, 'Param "keyId" is not optional.')
    bad("missing name", {"keyId": "v1", "scopes": []}, 'Param "name" is not optional.')
    bad("missing scopes", {"keyId": "v1", "name": "n"}, 'Param "scopes" is not optional.')
    bad("keyId leading underscore", {"keyId": "_x", "name": "n", "scopes": []}, "Invalid `keyId` param: ")
    bad("keyId leading dot", {"keyId": ".x", "name": "n", "scopes": []}, "Invalid `keyId` param: ")
    bad("keyId 37 chars", {"keyId": "a" * 37, "name": "n", "scopes": []}, "Invalid `keyId` param: ")
    bad("keyId bad char", {"keyId": "a b", "name": "n", "scopes": []}, "Invalid `keyId` param: ")
    bad("empty name", {"keyId": "v1", "name": "", "scopes": []}, "Invalid `name` param: ")
    bad("name 129 chars", {"keyId": "v1", "name": "n" * 129, "scopes": []}, "Invalid `name` param: ")
    bad("unknown scope", {"keyId": "v1", "name": "n", "scopes": ["keys.admin"]}, "Invalid `scopes` param: ")
    bad("scope case", {"keyId": "v1", "name": "n", "scopes": ["Keys.Read"]}, "Invalid `scopes` param: ")
    bad("201 scopes", {"keyId": "v1", "name": "n", "scopes": ["users.read"] * 201}, "Invalid `scopes` param: ")
    bad("bad expire", {"keyId": "v1", "name": "n", "scopes": [], "expire": "tomorrow-ish"}, "Invalid `expire` param: ")
    ok = console_create("v-ok", "n" * 128, ["users.read"] * 200)
    check("validation: limits accepted", ok.status_code == 201, ok.text[:200])
    multi = console_create("v-multibyte", "é" * 128, [])
    check("validation: name counted in characters", multi.status_code == 201, multi.text[:200])

    for duration, good in [(0, False), (3601, False), (1, True), (3600, True), ("600", True)]:
        r = requests.post(f"{ENDPOINT}/project/keys/ephemeral", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY, "content-type": "application/json"},
                          data=json.dumps({"scopes": [], "duration": duration}))
        if good:
            check(f"duration {duration!r} accepted", r.status_code == 201, r.text[:200])
        else:
            check(f"duration {duration!r} rejected", r.status_code == 400 and "Invalid `duration` param: " in r.json()["message"], r.text[:200])
    r = requests.post(f"{ENDPOINT}/project/keys/ephemeral", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY, "content-type": "application/json"},
                      data=json.dumps({"scopes": []}))
    check("duration missing", r.status_code == 400 and r.json()["message"] == 'Param "duration" is not optional.', r.text[:200])

    r = requests.put(f"{ENDPOINT}/project/keys/v-ok", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY, "content-type": "application/json"},
                     data=json.dumps({"scopes": []}))
    check("PUT requires name", r.status_code == 400 and r.json()["message"] == 'Param "name" is not optional.', r.text[:200])
    expect_error("path keyId invalid", lambda: project.get_key("-bad"), 400, "general_argument_invalid")
    expect_error("update unknown key", lambda: project.update_key("no-such-key", "n", []), 404, "key_not_found")
    r = requests.post(f"{ENDPOINT}/project/keys", headers=console_headers(), data="{not json")
    check("malformed JSON body", r.status_code == 400 and r.json()["type"] == "general_argument_invalid", r.text[:200])


def test_queries_and_pagination():
    ids = [f"page-{n:02d}" for n in range(12)]
    for n, key_id in enumerate(ids):
        create(key_id, f"Page {n % 3}", ["users.read"] if n % 2 else ["teams.read", "users.write"],
               expire=f"2030-01-{n + 1:02d}T00:00:00.000+00:00")
    page_filter = Query.equal("name", ["Page 0", "Page 1", "Page 2"])
    allp = project.list_keys(queries=[page_filter])
    check("equal filter", [k.id for k in allp.keys] == ids and allp.total == 12, str([k.id for k in allp.keys]))
    first = project.list_keys(queries=[page_filter, Query.limit(5)])
    check("limit", [k.id for k in first.keys] == ids[:5] and first.total == 12, str(first.total))
    second = project.list_keys(queries=[page_filter, Query.limit(5), Query.offset(5)])
    check("offset", [k.id for k in second.keys] == ids[5:10], str([k.id for k in second.keys]))
    nototal = project.list_keys(queries=[page_filter, Query.limit(2)], total=False)
    check("total=false", nototal.total == 0 and len(nototal.keys) == 2, str(nototal.total))

    # Cursor pagination forwards through everything, then backwards.
    seen, cursor = [], None
    while True:
        qs = [page_filter, Query.limit(5)] + ([Query.cursor_after(cursor)] if cursor else [])
        page = project.list_keys(queries=qs)
        if not page.keys:
            break
        seen += [k.id for k in page.keys]
        cursor = page.keys[-1].id
    check("cursorAfter walks all", seen == ids, str(seen))
    before = project.list_keys(queries=[page_filter, Query.limit(3), Query.cursor_before("page-07")])
    check("cursorBefore", [k.id for k in before.keys] == ["page-04", "page-05", "page-06"], str([k.id for k in before.keys]))

    check("notEqual", [k.id for k in project.list_keys(queries=[page_filter, Query.not_equal("name", "Page 0")]).keys] == [i for n, i in enumerate(ids) if n % 3], "")
    lt = project.list_keys(queries=[page_filter, Query.less_than("expire", "2030-01-04T00:00:00.000+00:00")])
    check("lessThan expire", [k.id for k in lt.keys] == ids[:3], str([k.id for k in lt.keys]))
    gt = project.list_keys(queries=[page_filter, Query.greater_than("expire", "2030-01-10T00:00:00.000+00:00")])
    check("greaterThan expire", [k.id for k in gt.keys] == ids[10:], str([k.id for k in gt.keys]))
    cs = project.list_keys(queries=[page_filter, Query.contains("scopes", ["teams.read"])])
    check("contains scopes", [k.id for k in cs.keys] == ids[0::2], str([k.id for k in cs.keys]))
    cn = project.list_keys(queries=[Query.contains("name", ["age 2"])])
    check("contains name substring", [k.id for k in cn.keys] == [i for n, i in enumerate(ids) if n % 3 == 2], str([k.id for k in cn.keys]))
    desc = project.list_keys(queries=[page_filter, Query.order_desc("expire"), Query.limit(3)])
    check("orderDesc", [k.id for k in desc.keys] == ids[::-1][:3], str([k.id for k in desc.keys]))
    asc = project.list_keys(queries=[page_filter, Query.order_asc("name"), Query.limit(4)])
    check("orderAsc with sequence tie-break", [k.id for k in asc.keys] == ["page-00", "page-03", "page-06", "page-09"], str([k.id for k in asc.keys]))
    desc_cursor = project.list_keys(queries=[page_filter, Query.order_desc("expire"), Query.cursor_after("page-09"), Query.limit(2)])
    check("cursor under orderDesc", [k.id for k in desc_cursor.keys] == ["page-08", "page-07"], str([k.id for k in desc_cursor.keys]))
    created = project.list_keys(queries=[Query.greater_than("$createdAt", "2000-01-01T00:00:00.000+00:00"), Query.equal("$id", ["page-03"])])
    check("$createdAt and $id filters", [k.id for k in created.keys] == ["page-03"], "")

    # The other array encoding: queries[]=… (Swift SDK), sent by hand.
    enc = urllib.parse.quote
    qs = "&".join(f"queries%5B%5D={enc(q)}" for q in [page_filter, Query.limit(2), Query.offset(1)])
    r = requests.get(f"{ENDPOINT}/project/keys?{qs}", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY})
    check("queries[] encoding", r.status_code == 200 and [k["$id"] for k in r.json()["keys"]] == ids[1:3], r.text[:200])
    qs = "&".join(f"queries[{n}]={enc(q)}" for n, q in enumerate([page_filter, Query.limit(1)]))
    r = requests.get(f"{ENDPOINT}/project/keys?{qs}&total=0", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY})
    check("queries[N] unencoded brackets, total=0", r.status_code == 200 and [k["$id"] for k in r.json()["keys"]] == ids[:1] and r.json()["total"] == 0, r.text[:200])
    r = requests.get(f"{ENDPOINT}/project/keys?total=maybe", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY})
    check("bad total", r.status_code == 400 and r.json()["type"] == "general_argument_invalid", r.text[:200])

    expect_error("cursor not found", lambda: project.list_keys(queries=[Query.cursor_after("no-such")]), 400, "general_cursor_not_found")
    expect_error("order null with cursor", lambda: project.list_keys(queries=[Query.order_asc("expire"), Query.cursor_after("shape-1")]), 400, "database_query_order_null")
    expect_error("equal on scopes", lambda: project.list_keys(queries=[Query.equal("scopes", ["users.read"])]), 400, "general_argument_invalid")
    expect_error("unknown attribute", lambda: project.list_keys(queries=[Query.equal("secret", ["x"])]), 400, "general_argument_invalid")
    expect_error("select not allowed", lambda: project.list_keys(queries=[Query.select(["name"])]), 400, "general_argument_invalid")
    expect_error("query not JSON", lambda: project.list_keys(queries=["{nope"]), 400, "general_argument_invalid")
    expect_error("limit 0", lambda: project.list_keys(queries=[Query.limit(0)]), 400, "general_argument_invalid")
    r = requests.get(f"{ENDPOINT}/project/keys?queries[0]=" + enc('{"method":"cursorAfter","values":[5]}'), headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY})
    check("bad cursor value", r.status_code == 400 and r.json()["type"] == "general_query_invalid", r.text[:200])


def test_default_list_order_and_limit():
    for n in range(30):
        create(f"bulk-{n:02d}", f"Bulk {n}")
    listed = project.list_keys()
    bulk = [k.id for k in listed.keys if k.id.startswith("bulk-")]
    check("default list in insertion order", bulk == [f"bulk-{n:02d}" for n in range(30)], str(bulk))
    check("default list returns everything (limit 5000)", listed.total == len(listed.keys) and listed.total > 25, str(listed.total))


def test_ephemeral_keys():
    eph = project.create_ephemeral_key([S.KEYS_READ, S.USERS_READ], 120)
    check("ephemeral: model", eph.secret.startswith("ephemeral_") and eph.name == "" and len(eph.id) == 20, eph.name)
    header, payload, _ = eph.secret[len("ephemeral_"):].split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)
    claims = json.loads(base64.urlsafe_b64decode(pad(payload)))
    check("ephemeral: JWT header", json.loads(base64.urlsafe_b64decode(pad(header))) == {"typ": "JWT", "alg": "HS256"}, header)
    check("ephemeral: payload", claims["projectId"] == PROJECT and claims["scopes"] == ["keys.read", "users.read"]
          and abs(claims["exp"] - time.time() - 120) < 5, str(claims))
    check("ephemeral: expire format", eph.expire.endswith("Z") and len(eph.expire) == 27, eph.expire)
    ep = Project(client(key=eph.secret))
    check("ephemeral authenticates", ep.get_key("shape-1").id == "shape-1", "")
    expect_error("ephemeral lacks keys.write", lambda: ep.delete_key("shape-1"), 401, "general_unauthorized_scope")
    expect_error("ephemeral cannot be fetched", lambda: project.get_key(eph.id), 404, "key_not_found")
    tampered = eph.secret[:-2] + ("AA" if not eph.secret.endswith("AA") else "BB")
    expect_error("tampered ephemeral is a guest", lambda: Project(client(key=tampered)).list_keys(), 401, "general_unauthorized_scope")
    dyn = "dynamic_" + eph.secret[len("ephemeral_"):]
    check("dynamic_ prefix accepted", Project(client(key=dyn)).list_keys().total > 0, "")
    writer = Project(client(key=project.create_ephemeral_key([S.KEYS_WRITE], 60).secret))
    chained = writer.create_ephemeral_key([S.KEYS_READ], 60)
    check("ephemeral with keys.write mints more", chained.secret.startswith("ephemeral_"), "")


def test_expiry_and_access_bookkeeping():
    # Lifetimes of a few seconds, not one: on a loaded machine (CI runs two test workers)
    # a second can pass between minting and the first use.
    soon = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 4)) + ".000+00:00"
    short = create("short-lived", "Short", ["keys.read"], expire=soon)
    eph = project.create_ephemeral_key([S.KEYS_READ], 3)
    sp, ep = Project(client(key=short["secret"])), Project(client(key=eph.secret))
    check("short key works before expiry", sp.get_key("short-lived").accessedat != "", "accessedAt not set on use")
    check("short ephemeral works before expiry", ep.list_keys().total > 0, "")
    time.sleep(5.1)
    expect_error("standard key after expiry", lambda: sp.list_keys(), 401, "project_key_expired")
    expect_error("ephemeral after expiry is a guest", lambda: ep.list_keys(), 401, "general_unauthorized_scope")
    fresh = create("access-1", "Access", ["keys.read"])
    check("fresh key never accessed", fresh["accessedAt"] == "", fresh["accessedAt"])
    Project(client(key=fresh["secret"])).list_keys()
    check("accessedAt recorded", project.get_key("access-1").accessedat != "", "")


def test_legacy_console_alias():
    r = requests.get(f"{ENDPOINT}/projects/{PROJECT}/keys/shape-1", headers={"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": API_KEY})
    check("legacy /projects/{id}/keys alias", r.status_code == 200 and r.json()["$id"] == "shape-1", r.text[:200])
    r = requests.get(f"{ENDPOINT}/no/such/route")
    check("unknown route", r.status_code == 404 and r.json()["type"] == "general_route_not_found", r.text[:200])


if __name__ == "__main__":
    run([
        test_health_version, test_console_login_and_create, test_create_key_shape, test_get_list_update_delete,
        test_deleted_secret_stops_at_once, test_scope_and_auth_errors, test_expired_standard_key,
        test_validation_errors, test_queries_and_pagination, test_default_list_order_and_limit,
        test_ephemeral_keys, test_expiry_and_access_bookkeeping, test_legacy_console_alias,
    ])
