#!/usr/bin/env python3
"""Interop test: the official Confluent Python client against a Schema Registry.

Usage:
    python3 tests/interop/confluent_client.py http://127.0.0.1:PORT [--keep-going]

Expects a fresh, empty registry (no subjects, default config: BACKWARD, READWRITE).
Uses only `confluent_kafka` (schema_registry + avro serdes, see requirements.txt) and the
standard library. Prints one line per check; on the first failure prints what was sent,
what Confluent Schema Registry returns and what came back, and exits 1. With --keep-going it
reports every failing check and exits 1 at the end (a failed call whose result later checks
need aborts the rest of its step).

Expected behaviour follows Confluent Schema Registry 8.x (see target/confluent-notes.md).
"""

import json
import struct
import sys
import traceback
import urllib.error
import urllib.request
import uuid

try:
    import confluent_kafka
    from confluent_kafka.schema_registry import SchemaRegistryClient, Schema, SchemaReference
    from confluent_kafka.schema_registry.error import SchemaRegistryError
    from confluent_kafka.schema_registry.avro import AvroSerializer, AvroDeserializer
    from confluent_kafka.serialization import SerializationContext, MessageField
except ImportError as e:  # pragma: no cover
    print("cannot import confluent_kafka schema registry / avro modules: %s" % e)
    print("install with: python3 -m pip install -r tests/interop/requirements.txt")
    sys.exit(2)


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

class CheckFailed(Exception):
    pass


KEEP_GOING = False
FAILURES = []
PASSED = 0


def _fmt(v):
    if isinstance(v, (dict, list)):
        try:
            return json.dumps(v, sort_keys=True)
        except TypeError:
            return repr(v)
    if isinstance(v, SchemaRegistryError):
        return "SchemaRegistryError(http=%s, error_code=%s, message=%r)" % (
            v.http_status_code, v.error_code, v.error_message)
    return repr(v)


def ok(name):
    global PASSED
    PASSED += 1
    print("ok    %s" % name, flush=True)


def fail(name, request, expected, got, fatal=True):
    lines = ["FAIL  %s" % name,
             "      request:  %s" % request,
             "      expected: %s" % expected,
             "      got:      %s" % got]
    msg = "\n".join(lines)
    print(msg, flush=True)
    FAILURES.append(msg)
    if not KEEP_GOING:
        print("\n1 failure (stopped at the first; use --keep-going to see all)")
        sys.exit(1)
    if fatal:
        raise CheckFailed(name)


def check(name, request, expected_desc, got, cond):
    if cond:
        ok(name)
    else:
        fail(name, request, expected_desc, _fmt(got), fatal=False)


def check_eq(name, request, expected, got):
    check(name, request, _fmt(expected), got, got == expected)


def expect_error(name, request, fn, codes, http=None):
    """fn() must raise SchemaRegistryError with error_code in codes (and http status if given)."""
    if isinstance(codes, int):
        codes = (codes,)
    exp = "SchemaRegistryError error_code in %s%s" % (
        list(codes), "" if http is None else ", HTTP %s" % http)
    try:
        res = fn()
    except SchemaRegistryError as e:
        if e.error_code in codes and (http is None or e.http_status_code == http):
            ok(name)
            return e
        fail(name, request, exp, _fmt(e), fatal=False)
        return e
    except CheckFailed:
        raise
    except Exception as e:  # noqa: BLE001
        fail(name, request, exp, "%s: %s" % (type(e).__name__, e), fatal=False)
        return e
    fail(name, request, exp, "no error, returned %s" % _fmt(res), fatal=False)
    return None


def call(name, request, fn):
    """Run fn(); an exception is a failure of check `name`."""
    try:
        return fn()
    except CheckFailed:
        raise
    except SchemaRegistryError as e:
        fail(name, request, "success", _fmt(e))
    except Exception as e:  # noqa: BLE001
        tb = traceback.extract_tb(e.__traceback__)
        where = "%s:%s" % (tb[-1].filename.rsplit("/", 1)[-1], tb[-1].lineno) if tb else "?"
        fail(name, request, "success", "%s: %s (raised at %s)" % (type(e).__name__, e, where))


# --------------------------------------------------------------------------------------------
# Raw HTTP (stdlib) for response-shape checks the client hides
# --------------------------------------------------------------------------------------------

BASE = None


def raw(method, path, body=None, text=False):
    """Returns (status, content_type, parsed JSON, or the body text if text=True or not JSON)."""
    data = None
    headers = {"Accept": "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
                         "application/json"}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/vnd.schemaregistry.v1+json"
    req = urllib.request.Request(BASE.rstrip("/") + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, ctype, text_ = r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        status, ctype, body_text = e.code, e.headers.get("Content-Type", ""), e.read().decode()
    else:
        body_text = text_
    if text:
        return status, ctype, body_text
    try:
        return status, ctype, json.loads(body_text)
    except ValueError:
        return status, ctype, body_text


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------

def js(obj):
    return json.dumps(obj)


USER_V1 = {
    "type": "record", "name": "User", "namespace": "interop.test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "age", "type": "int"},
    ],
}
USER_V2 = {  # BACKWARD compatible with v1: optional field with default
    "type": "record", "name": "User", "namespace": "interop.test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "email", "type": ["null", "string"], "default": None},
    ],
}
USER_V3_OK = {  # BACKWARD compatible with v2
    "type": "record", "name": "User", "namespace": "interop.test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "email", "type": ["null", "string"], "default": None},
        {"name": "nickname", "type": "string", "default": ""},
    ],
}
USER_BAD = {  # NOT backward compatible: new field without default
    "type": "record", "name": "User", "namespace": "interop.test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "country", "type": "string"},
    ],
}
ENVELOPE = {
    "type": "record", "name": "Envelope", "namespace": "sc.events.common",
    "doc": "Interop copy of the shared envelope.",
    "fields": [
        {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "event_type", "type": "string"},
        {"name": "entity_type", "type": {"type": "enum", "name": "EntityType",
                                         "symbols": ["USER", "ORDER"]}},
        {"name": "occurred_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "trace_id", "type": ["null", "string"], "default": None},
        {"name": "actor", "type": {"type": "record", "name": "Actor", "fields": [
            {"name": "actor_type", "type": {"type": "enum", "name": "ActorType",
                                            "symbols": ["USER", "SYSTEM"], "default": "SYSTEM"}},
            {"name": "actor_id", "type": ["null", "string"], "default": None},
        ]}},
    ],
}
ENVELOPE_NAME = "sc.events.common.Envelope"
ORDER = {
    "type": "record", "name": "OrderCreated", "namespace": "sc.events.order",
    "fields": [
        {"name": "envelope", "type": ENVELOPE_NAME},
        {"name": "order_id", "type": "string"},
        {"name": "total_cents", "type": "long"},
    ],
}
PAYMENT = {
    "type": "record", "name": "Payment", "namespace": "interop.test",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount_cents", "type": "long"},
        {"name": "method", "type": {"type": "enum", "name": "Method", "symbols": ["CARD", "CASH"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}
SHIPMENT_V1 = {
    "type": "record", "name": "Shipment", "namespace": "interop.test",
    "fields": [{"name": "shipment_id", "type": "string"}, {"name": "weight_g", "type": "int"}],
}
SHIPMENT_V2 = {
    "type": "record", "name": "Shipment", "namespace": "interop.test",
    "fields": [{"name": "shipment_id", "type": "string"}, {"name": "weight_g", "type": "int"},
               {"name": "carrier", "type": "string", "default": "none"}],
}
REREG = {
    "type": "record", "name": "ReRegistered", "namespace": "interop.test",
    "fields": [{"name": "x", "type": "int"}],
}
FRESH_AFTER_DELETES = {
    "type": "record", "name": "BrandNew", "namespace": "interop.test",
    "fields": [{"name": "y", "type": "string"}, {"name": "z", "type": "double"}],
}
READONLY_SCHEMA = {
    "type": "record", "name": "ReadOnlyThing", "namespace": "interop.test",
    "fields": [{"name": "a", "type": "int"}],
}
INVALID_TYPE = '{"type":"record","name":"Broken","fields":[{"name":"x","type":"no_such_type"}]}'
INVALID_JSON = '{"type": "record", "name": "Broken", "fields": ['

S_USER = "interop-user-value"
S_USER_COPY = "interop-user-copy"
S_ENVELOPE = "interop-envelope"
S_ORDER = "interop-order-value"
S_ORDER2 = "interop-order2-value"
S_AUTO = "interop-auto-value"
S_LATEST = "interop-latest-value"
S_LOOKUP = "interop-lookup-value"
S_REREG = "interop-rereg"
S_FRESH = "interop-fresh"
S_RO = "interop-readonly"


def avro(d, refs=None):
    return Schema(js(d), "AVRO", refs or [])


def same_schema(text, expected_dict):
    """Registry may canonicalize (compact JSON); compare parsed JSON."""
    try:
        return json.loads(text) == expected_dict
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# Client helpers (robust across client versions)
# --------------------------------------------------------------------------------------------

CLIENT = None
STATE = {}
ALL_IDS = set()


def sr():
    """The client with its caches cleared, so every call below really goes to the server."""
    global CLIENT
    if hasattr(CLIENT, "clear_caches"):
        CLIENT.clear_caches()
    else:
        CLIENT = SchemaRegistryClient({"url": BASE})
    return CLIENT


def register(subject, schema):
    """Returns (id, version or None)."""
    c = sr()
    if hasattr(c, "register_schema_full_response"):
        rs = c.register_schema_full_response(subject, schema)
        sid, ver = rs.schema_id, rs.version
    else:
        sid, ver = c.register_schema(subject, schema), None
    ALL_IDS.add(sid)
    return sid, ver


def get_version(subject, version, deleted=False):
    c = sr()
    if deleted:
        try:
            return c.get_version(subject, version, deleted=True)
        except TypeError as e:
            if "deleted" not in str(e):
                raise
            fail("get_version(deleted=True)", "GET /subjects/%s/versions/%s?deleted=true" % (subject, version),
                 "client supporting deleted=", "this client version lacks it: %s" % e)
    return c.get_version(subject, version)


def sid_of(rs):
    return getattr(rs, "schema_id", None)


def header_check(name, payload, expected_id):
    check(name + ": 5-byte Confluent header (magic 0, big-endian id %s)" % expected_id,
          "serialize", "bytes starting 00 %s" % struct.pack(">I", expected_id).hex(),
          payload[:5].hex() if isinstance(payload, (bytes, bytearray)) else payload,
          isinstance(payload, (bytes, bytearray)) and len(payload) > 5
          and payload[0] == 0 and struct.unpack(">I", payload[1:5])[0] == expected_id)


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------

def step_preconditions():
    subs = call("GET /subjects", "GET /subjects", lambda: sr().get_subjects())
    check_eq("registry starts empty (GET /subjects)", "GET /subjects", [], subs)
    types = call("GET /schemas/types", "GET /schemas/types", lambda: sr().get_schema_types()) \
        if hasattr(CLIENT, "get_schema_types") else None
    if types is not None:
        check("GET /schemas/types lists AVRO", "GET /schemas/types", "a list containing \"AVRO\"",
              types, isinstance(types, list) and "AVRO" in types)
    lvl = call("GET /config", "GET /config", lambda: sr().get_compatibility())
    check_eq("default global compatibility (GET /config -> compatibilityLevel)", "GET /config",
             "BACKWARD", lvl)
    st, ctype, body = raw("GET", "/config")
    check("GET /config content type is JSON", "GET /config",
          "application/vnd.schemaregistry.v1+json or application/json", ctype,
          "application/vnd.schemaregistry.v1+json" in ctype or "application/json" in ctype)
    st, ctype, body = raw("GET", "/subjects/interop-nope/versions")
    check("error body shape {error_code, message} (GET /subjects/interop-nope/versions)",
          "GET /subjects/interop-nope/versions",
          'HTTP 404 {"error_code": 40401, "message": "Subject \'interop-nope\' not found."}',
          (st, body), st == 404 and isinstance(body, dict) and body.get("error_code") == 40401
          and isinstance(body.get("message"), str))


def step_register():
    req = "POST /subjects/%s/versions %s" % (S_USER, js(USER_V1))
    id1, v = call("register user v1", req, lambda: register(S_USER, avro(USER_V1)))
    check("register user v1 returns an int id > 0", req, "int > 0", id1,
          isinstance(id1, int) and id1 > 0)
    if v is not None:
        check_eq("register user v1 -> version 1", req, 1, v)
    STATE["id1"] = id1

    req2 = "POST /subjects/%s/versions (same schema)" % S_USER_COPY
    idc, vc = call("register same schema under second subject", req2,
                   lambda: register(S_USER_COPY, avro(USER_V1)))
    check_eq("same schema under two subjects shares one id", req2, id1, idc)
    if vc is not None:
        check_eq("second subject starts at version 1", req2, 1, vc)

    req3 = "POST /subjects/%s/versions (identical to v1 again)" % S_USER
    idr, vr = call("re-register identical schema", req3, lambda: register(S_USER, avro(USER_V1)))
    check_eq("re-register identical returns the same id", req3, id1, idr)
    if vr is not None:
        check_eq("re-register identical returns the existing version", req3, 1, vr)
    vers = call("GET versions", "GET /subjects/%s/versions" % S_USER, lambda: sr().get_versions(S_USER))
    check_eq("re-register identical creates no new version", "GET /subjects/%s/versions" % S_USER,
             [1], vers)

    # Raw shape of the register response (8.x: id, version, guid, schemaType, schema).
    st, _, body = raw("POST", "/subjects/%s/versions" % S_USER, {"schema": js(USER_V1)})
    check("raw register response is 200 with int id", "POST /subjects/%s/versions (raw)" % S_USER,
          '200 {"id": %s, ...}' % id1, (st, body),
          st == 200 and isinstance(body, dict) and body.get("id") == id1)
    if isinstance(body, dict) and "guid" in body:
        try:
            uuid.UUID(str(body["guid"]))
            good = True
        except ValueError:
            good = False
        check("register response guid parses as a UUID (client does uuid.UUID(guid))",
              "POST /subjects/%s/versions (raw)" % S_USER, "UUID string", body["guid"], good)

    req4 = "POST /subjects/%s/versions %s" % (S_USER, js(USER_V2))
    id2, v2 = call("register user v2 (backward compatible)", req4, lambda: register(S_USER, avro(USER_V2)))
    check("new schema gets a new, larger id", req4, "id > %s" % id1, id2,
          isinstance(id2, int) and id2 > id1)
    if v2 is not None:
        check_eq("register user v2 -> version 2", req4, 2, v2)
    STATE["id2"] = id2
    vers = call("GET versions", "GET /subjects/%s/versions" % S_USER, lambda: sr().get_versions(S_USER))
    check_eq("get_versions after v2", "GET /subjects/%s/versions" % S_USER, [1, 2], vers)


def step_read():
    id1, id2 = STATE["id1"], STATE["id2"]
    r = "GET /subjects/%s/versions/latest" % S_USER
    latest = call("get_latest_version", r, lambda: sr().get_latest_version(S_USER))
    check_eq("get_latest_version -> version", r, 2, latest.version)
    check_eq("get_latest_version -> id", r, id2, sid_of(latest))
    check_eq("get_latest_version -> subject", r, S_USER, latest.subject)
    check("get_latest_version -> schema text is v2", r, js(USER_V2), latest.schema.schema_str,
          same_schema(latest.schema.schema_str, USER_V2))
    check_eq("get_latest_version -> schemaType (absent means AVRO)", r, "AVRO", latest.schema.schema_type)

    r = "GET /subjects/%s/versions/1" % S_USER
    v1 = call("get_version 1", r, lambda: get_version(S_USER, 1))
    check_eq("get_version(1) -> version", r, 1, v1.version)
    check_eq("get_version(1) -> id", r, id1, sid_of(v1))
    check("get_version(1) -> schema text is v1", r, js(USER_V1), v1.schema.schema_str,
          same_schema(v1.schema.schema_str, USER_V1))

    st, _, body = raw("GET", "/subjects/%s/versions/-1" % S_USER)
    check("GET versions/-1 is the latest", "GET /subjects/%s/versions/-1" % S_USER,
          "200 with version 2", (st, body), st == 200 and isinstance(body, dict) and body.get("version") == 2)
    st, _, body = raw("GET", "/subjects/%s/versions/1/schema" % S_USER, text=True)
    check("GET versions/1/schema returns the stored schema text verbatim (the `schema` field of GET versions/1)",
          "GET /subjects/%s/versions/1/schema" % S_USER, "200 with body %r" % v1.schema.schema_str,
          (st, body), st == 200 and body == v1.schema.schema_str)
    expect_error("get_version(99) -> 40402", "GET /subjects/%s/versions/99" % S_USER,
                 lambda: get_version(S_USER, 99), 40402, 404)
    expect_error("get_version on unknown subject -> 40401", "GET /subjects/interop-nope/versions/1",
                 lambda: get_version("interop-nope", 1), 40401, 404)
    expect_error("get_versions on unknown subject -> 40401", "GET /subjects/interop-nope/versions",
                 lambda: sr().get_versions("interop-nope"), 40401, 404)
    st, _, body = raw("GET", "/subjects/%s/versions/0" % S_USER)
    check("GET versions/0 -> 42202", "GET /subjects/%s/versions/0" % S_USER, "HTTP 422 error_code 42202",
          (st, body), st == 422 and isinstance(body, dict) and body.get("error_code") == 42202)
    st, _, body = raw("GET", "/subjects/%s/versions/abc" % S_USER)
    check("GET versions/abc -> 42202", "GET /subjects/%s/versions/abc" % S_USER, "HTTP 422 error_code 42202",
          (st, body), st == 422 and isinstance(body, dict) and body.get("error_code") == 42202)

    r = "GET /schemas/ids/%s" % id1
    s = call("get_schema by id", r, lambda: sr().get_schema(id1))
    check("get_schema(id1) -> v1 text", r, js(USER_V1), s.schema_str, same_schema(s.schema_str, USER_V1))
    check_eq("get_schema(id1) -> schemaType", r, "AVRO", s.schema_type)
    st, _, body = raw("GET", "/schemas/ids/%s/schema" % id1, text=True)
    check("GET /schemas/ids/{id}/schema returns the stored schema text verbatim",
          "GET /schemas/ids/%s/schema" % id1, "200 with body %r" % s.schema_str,
          (st, body), st == 200 and body == s.schema_str)
    expect_error("get_schema(unknown id) -> 40403", "GET /schemas/ids/987654",
                 lambda: sr().get_schema(987654), 40403, 404)
    if hasattr(CLIENT, "get_schema_versions"):
        r = "GET /schemas/ids/%s/versions" % id1
        sv = call("get_schema_versions", r, lambda: sr().get_schema_versions(id1))
        got = sorted((x.subject, x.version) for x in sv)
        check_eq("GET /schemas/ids/{id}/versions lists both subjects", r,
                 [(S_USER_COPY, 1), (S_USER, 1)], got)

    r = "GET /subjects"
    subs = call("get_subjects", r, lambda: sr().get_subjects())
    check_eq("get_subjects lists both subjects (sorted)", r, sorted([S_USER, S_USER_COPY]), subs)
    r = "GET /subjects?subjectPrefix=interop-user-c"
    subs = call("get_subjects(subject_prefix)", r, lambda: sr().get_subjects(subject_prefix="interop-user-c"))
    check_eq("get_subjects(subject_prefix=...) filters by prefix", r, [S_USER_COPY], subs)


def step_lookup():
    id1 = STATE["id1"]
    r = "POST /subjects/%s?normalize=False&deleted=False %s" % (S_USER, js(USER_V1))
    rs = call("lookup_schema (registered)", r, lambda: sr().lookup_schema(S_USER, avro(USER_V1)))
    check_eq("lookup_schema -> id", r, id1, sid_of(rs))
    check_eq("lookup_schema -> version", r, 1, rs.version)
    check_eq("lookup_schema -> subject", r, S_USER, rs.subject)
    st, _, body = raw("POST", "/subjects/%s" % S_USER, {"schema": js(USER_V1)})
    check("raw lookup response has subject, version, id, schema", "POST /subjects/%s (raw)" % S_USER,
          '200 {"subject": "%s", "version": 1, "id": %s, "schema": ...}' % (S_USER, id1), (st, body),
          st == 200 and isinstance(body, dict) and body.get("subject") == S_USER
          and body.get("version") == 1 and body.get("id") == id1 and isinstance(body.get("schema"), str))
    expect_error("lookup_schema (not registered) -> 40403",
                 "POST /subjects/%s %s" % (S_USER, js(USER_V3_OK)),
                 lambda: sr().lookup_schema(S_USER, avro(USER_V3_OK)), 40403, 404)
    expect_error("lookup_schema (unknown subject) -> 40401",
                 "POST /subjects/interop-nope %s" % js(USER_V1),
                 lambda: sr().lookup_schema("interop-nope", avro(USER_V1)), 40401, 404)


def step_compatibility():
    r = "POST /compatibility/subjects/%s/versions/latest %s" % (S_USER, js(USER_V3_OK))
    res = call("test_compatibility (compatible)", r, lambda: sr().test_compatibility(S_USER, avro(USER_V3_OK)))
    check_eq("test_compatibility BACKWARD compatible -> True", r, True, res)
    r = "POST /compatibility/subjects/%s/versions/latest %s" % (S_USER, js(USER_BAD))
    res = call("test_compatibility (incompatible)", r, lambda: sr().test_compatibility(S_USER, avro(USER_BAD)))
    check_eq("test_compatibility BACKWARD incompatible -> False", r, False, res)
    r = "POST /compatibility/subjects/%s/versions/1 %s" % (S_USER, js(USER_V2))
    res = call("test_compatibility against version 1", r,
               lambda: sr().test_compatibility(S_USER, avro(USER_V2), version=1))
    check_eq("test_compatibility v2 against version 1 -> True", r, True, res)
    st, _, body = raw("POST", "/compatibility/subjects/%s/versions/latest?verbose=true" % S_USER,
                      {"schema": js(USER_BAD)})
    check("verbose compatibility lists messages",
          "POST /compatibility/subjects/%s/versions/latest?verbose=true" % S_USER,
          '200 {"is_compatible": false, "messages": [non-empty]}', (st, body),
          st == 200 and isinstance(body, dict) and body.get("is_compatible") is False
          and isinstance(body.get("messages"), list) and len(body["messages"]) > 0)
    expect_error("test_compatibility against missing version -> 40402",
                 "POST /compatibility/subjects/%s/versions/42" % S_USER,
                 lambda: sr().test_compatibility(S_USER, avro(USER_V2), version=42), 40402, 404)
    if hasattr(CLIENT, "test_compatibility_all_versions"):
        r = "POST /compatibility/subjects/%s/versions %s" % (S_USER, js(USER_V3_OK))
        res = call("test_compatibility_all_versions", r,
                   lambda: sr().test_compatibility_all_versions(S_USER, avro(USER_V3_OK)))
        check_eq("test_compatibility_all_versions compatible -> True", r, True, res)

    # Global config.
    r = 'PUT /config {"compatibility": "FULL"}'
    res = call("set_compatibility global FULL", r, lambda: sr().set_compatibility(level="FULL"))
    got = res.get("compatibility") if isinstance(res, dict) else res
    check_eq("PUT /config echoes {\"compatibility\": \"FULL\"}", r, "FULL", got)
    check_eq("get_compatibility() after PUT", "GET /config", "FULL", call("get global", "GET /config",
                                                                        lambda: sr().get_compatibility()))
    call("reset global BACKWARD", 'PUT /config {"compatibility": "BACKWARD"}',
         lambda: sr().set_compatibility(level="BACKWARD"))
    check_eq("global back to BACKWARD", "GET /config", "BACKWARD",
             call("get global", "GET /config", lambda: sr().get_compatibility()))
    expect_error("set_compatibility invalid level -> 42203", 'PUT /config {"compatibility": "BOGUS"}',
                 lambda: sr().set_compatibility(level="BOGUS"), 42203, 422)

    # Subject config.
    expect_error("get_compatibility(subject) without subject config -> 40408",
                 "GET /config/%s" % S_USER, lambda: sr().get_compatibility(S_USER), 40408, 404)
    r = 'PUT /config/%s {"compatibility": "NONE"}' % S_USER
    res = call("set_compatibility subject NONE", r, lambda: sr().set_compatibility(S_USER, "NONE"))
    got = res.get("compatibility") if isinstance(res, dict) else res
    check_eq("PUT /config/{subject} echoes NONE", r, "NONE", got)
    check_eq("get_compatibility(subject) -> NONE", "GET /config/%s" % S_USER, "NONE",
             call("get subject config", "GET /config/%s" % S_USER, lambda: sr().get_compatibility(S_USER)))
    check_eq("global unaffected by subject config", "GET /config", "BACKWARD",
             call("get global", "GET /config", lambda: sr().get_compatibility()))
    r = "POST /compatibility/subjects/%s/versions/latest %s (subject level NONE)" % (S_USER, js(USER_BAD))
    check_eq("subject level NONE makes the incompatible schema compatible", r, True,
             call("test_compatibility under NONE", r, lambda: sr().test_compatibility(S_USER, avro(USER_BAD))))
    expect_error("set_compatibility(subject) invalid level -> 42203",
                 'PUT /config/%s {"compatibility": "sideways"}' % S_USER,
                 lambda: sr().set_compatibility(S_USER, "sideways"), 42203, 422)
    if hasattr(CLIENT, "delete_config"):
        call("delete subject config", "DELETE /config/%s" % S_USER, lambda: sr().delete_config(S_USER))
        expect_error("subject config gone after DELETE -> 40408", "GET /config/%s" % S_USER,
                     lambda: sr().get_compatibility(S_USER), 40408, 404)
    else:
        call("reset subject BACKWARD", 'PUT /config/%s {"compatibility": "BACKWARD"}' % S_USER,
             lambda: sr().set_compatibility(S_USER, "BACKWARD"))

    # Registration rejected by compatibility / validity.
    expect_error("register incompatible schema -> 409/40901 (HTTP 409)",
                 "POST /subjects/%s/versions %s" % (S_USER, js(USER_BAD)),
                 lambda: register(S_USER, avro(USER_BAD)), (409, 40901), 409)
    check_eq("rejected registration adds no version", "GET /subjects/%s/versions" % S_USER, [1, 2],
             call("versions", "GET /subjects/%s/versions" % S_USER, lambda: sr().get_versions(S_USER)))
    expect_error("register schema with unknown type -> 42201",
                 "POST /subjects/interop-invalid/versions %s" % INVALID_TYPE,
                 lambda: register("interop-invalid", Schema(INVALID_TYPE, "AVRO")), 42201, 422)
    expect_error("register malformed JSON schema -> 42201",
                 "POST /subjects/interop-invalid/versions %s" % INVALID_JSON,
                 lambda: register("interop-invalid", Schema(INVALID_JSON, "AVRO")), 42201, 422)
    subs = call("get_subjects", "GET /subjects", lambda: sr().get_subjects())
    check("failed registrations create no subject", "GET /subjects", "no interop-invalid", subs,
          isinstance(subs, list) and "interop-invalid" not in subs)


def step_references():
    r = "POST /subjects/%s/versions %s" % (S_ENVELOPE, js(ENVELOPE))
    env_id, env_v = call("register envelope", r, lambda: register(S_ENVELOPE, avro(ENVELOPE)))
    if env_v is not None:
        check_eq("envelope version 1", r, 1, env_v)
    STATE["env_id"] = env_id
    refs = [SchemaReference(ENVELOPE_NAME, S_ENVELOPE, 1)]
    STATE["order_refs"] = refs
    r = "POST /subjects/%s/versions %s references=[%s]" % (
        S_ORDER, js(ORDER), js({"name": ENVELOPE_NAME, "subject": S_ENVELOPE, "version": 1}))
    order_id, order_v = call("register record referencing the envelope", r,
                             lambda: register(S_ORDER, avro(ORDER, refs)))
    check("referencing schema gets its own id", r, "id != %s" % env_id, order_id, order_id != env_id)
    STATE["order_id"] = order_id

    # The client caches a register response's `schema` as the schema of that id; without its
    # `references` a deserializer sharing the client cannot resolve the envelope.
    ref_body = {"schema": js(ORDER), "schemaType": "AVRO",
                "references": [{"name": ENVELOPE_NAME, "subject": S_ENVELOPE, "version": 1}]}
    st, _, body = raw("POST", "/subjects/%s/versions" % S_ORDER, ref_body)
    check("register response with `schema` also carries `references`",
          "POST /subjects/%s/versions %s" % (S_ORDER, js(ref_body)),
          '200 {"id": %s, ...} and, if "schema" is present, "references": %s' % (
              order_id, js(ref_body["references"])), (st, body),
          st == 200 and isinstance(body, dict) and body.get("id") == order_id
          and ("schema" not in body or body.get("references") == ref_body["references"]))

    r = "GET /subjects/%s/versions/1" % S_ORDER
    rs = call("get_version of referencing schema", r, lambda: get_version(S_ORDER, 1))
    got_refs = [(x.name, x.subject, x.version) for x in (rs.schema.references or [])]
    check_eq("GET version returns the references", r, [(ENVELOPE_NAME, S_ENVELOPE, 1)], got_refs)
    check("GET version returns the unexpanded schema text", r, js(ORDER), rs.schema.schema_str,
          same_schema(rs.schema.schema_str, ORDER))
    r = "GET /schemas/ids/%s" % order_id
    s = call("get_schema of referencing schema", r, lambda: sr().get_schema(order_id))
    got_refs = [(x.name, x.subject, x.version) for x in (s.references or [])]
    check_eq("GET /schemas/ids/{id} returns the references", r, [(ENVELOPE_NAME, S_ENVELOPE, 1)], got_refs)

    r = "POST /subjects/%s (lookup with references)" % S_ORDER
    rs = call("lookup_schema with references", r, lambda: sr().lookup_schema(S_ORDER, avro(ORDER, refs)))
    check_eq("lookup with references -> id", r, order_id, sid_of(rs))

    if hasattr(CLIENT, "get_referenced_by"):
        r = "GET /subjects/%s/versions/1/referencedby" % S_ENVELOPE
        rb = call("get_referenced_by", r, lambda: sr().get_referenced_by(S_ENVELOPE, 1))
        check_eq("referencedby lists the referencing id", r, [order_id], rb)

    r = "POST /subjects/interop-dangling/versions (reference to missing subject)"
    expect_error("reference to a missing subject -> 42201", r,
                 lambda: register("interop-dangling",
                                  avro(ORDER, [SchemaReference(ENVELOPE_NAME, "interop-missing", 1)])),
                 42201, 422)
    expect_error("delete referenced version -> 42206", "DELETE /subjects/%s/versions/1" % S_ENVELOPE,
                 lambda: sr().delete_version(S_ENVELOPE, 1), 42206, 422)
    expect_error("delete referenced subject -> 42206", "DELETE /subjects/%s" % S_ENVELOPE,
                 lambda: sr().delete_subject(S_ENVELOPE), 42206, 422)
    check_eq("referenced version still there", "GET /subjects/%s/versions" % S_ENVELOPE, [1],
             call("versions", "GET /subjects/%s/versions" % S_ENVELOPE, lambda: sr().get_versions(S_ENVELOPE)))


def norm(v):
    """fastavro decodes logical types (uuid -> UUID, timestamp-millis -> datetime); undo that."""
    import datetime
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime):
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return (v - epoch) // datetime.timedelta(milliseconds=1)
    return v


def _roundtrip(label, ser, deser, topic, value, expected_id):
    ctx = SerializationContext(topic, MessageField.VALUE)
    payload = call(label + ": serialize", "AvroSerializer(%s)" % topic, lambda: ser(value, ctx))
    header_check(label, payload, expected_id)
    back = call(label + ": deserialize", "AvroDeserializer(%s)" % topic, lambda: deser(payload, ctx))
    check_eq(label + ": decodes back equal", "deserialize", value, norm(back))
    return payload


def step_serde():
    client = sr()
    env_value = {
        "event_id": "6f1c2a8e-2f4b-4c1e-9a7d-0c3b5e9f1a22",
        "event_type": "order.created",
        "entity_type": "ORDER",
        "occurred_at": 1700000000000,
        "trace_id": None,
        "actor": {"actor_type": "USER", "actor_id": "u-1"},
    }

    # (a) auto.register.schemas = True on a new subject.
    ser = call("AvroSerializer auto.register", "AvroSerializer(...)",
               lambda: AvroSerializer(client, js(PAYMENT), conf={"auto.register.schemas": True}))
    deser = AvroDeserializer(client)
    ctx = SerializationContext("interop-auto", MessageField.VALUE)
    value = {"payment_id": "p-1", "amount_cents": 1234, "method": "CARD", "note": None}
    payload = call("auto.register: serialize", "AvroSerializer(interop-auto)", lambda: ser(value, ctx))
    reg = call("auto.register: schema is now registered",
               "POST /subjects/%s (lookup)" % S_AUTO, lambda: sr().lookup_schema(S_AUTO, avro(PAYMENT)))
    ALL_IDS.add(sid_of(reg))
    check_eq("auto.register: registered as version 1", "POST /subjects/%s" % S_AUTO, 1, reg.version)
    header_check("auto.register", payload, sid_of(reg))
    back = call("auto.register: deserialize", "AvroDeserializer(interop-auto)", lambda: deser(payload, ctx))
    check_eq("auto.register: decodes back equal", "deserialize", value, norm(back))

    # (b) auto.register False + use.latest.version True on a pre-registered subject (2 versions).
    call("pre-register shipment v1", "POST /subjects/%s/versions" % S_LATEST,
         lambda: register(S_LATEST, avro(SHIPMENT_V1)))
    sh2, _ = call("pre-register shipment v2", "POST /subjects/%s/versions" % S_LATEST,
                  lambda: register(S_LATEST, avro(SHIPMENT_V2)))
    ser = AvroSerializer(sr(), js(SHIPMENT_V2),
                         conf={"auto.register.schemas": False, "use.latest.version": True})
    value = {"shipment_id": "s-1", "weight_g": 500, "carrier": "dhl"}
    _roundtrip("use.latest.version", ser, AvroDeserializer(sr()), "interop-latest", value, sh2)
    # The deserializer with use.latest.version looks the writer schema up (deleted=True) and
    # compares versions: needs `version` in the lookup response.
    deser_latest = AvroDeserializer(sr(), conf={"use.latest.version": True})
    _roundtrip("use.latest.version (deserializer too)", ser, deser_latest, "interop-latest", value, sh2)

    # (c) auto.register False, no use.latest: lookup path (POST /subjects/{s}).
    lk_id, _ = call("pre-register for lookup path", "POST /subjects/%s/versions" % S_LOOKUP,
                    lambda: register(S_LOOKUP, avro(SHIPMENT_V1)))
    ser = AvroSerializer(sr(), js(SHIPMENT_V1), conf={"auto.register.schemas": False})
    _roundtrip("lookup path (auto.register False)", ser, AvroDeserializer(sr()), "interop-lookup",
               {"shipment_id": "s-2", "weight_g": 7}, lk_id)
    ser_missing = AvroSerializer(sr(), js(SHIPMENT_V1), conf={"auto.register.schemas": False})
    expect_error("auto.register False on unknown subject -> 40401", "POST /subjects/interop-unknown-value",
                 lambda: ser_missing({"shipment_id": "s", "weight_g": 1},
                                     SerializationContext("interop-unknown", MessageField.VALUE)),
                 40401, 404)

    # (d) a record with a reference: the deserializer must resolve the named envelope.
    order_id, refs = STATE["order_id"], STATE["order_refs"]
    order_value = {"envelope": env_value, "order_id": "o-1", "total_cents": 4999}
    ser = call("AvroSerializer with references", "AvroSerializer(Schema(order, refs))",
               lambda: AvroSerializer(sr(), avro(ORDER, refs),
                                      conf={"auto.register.schemas": False, "use.latest.version": True}))
    _roundtrip("references (use.latest.version)", ser, AvroDeserializer(sr()), "interop-order",
               order_value, order_id)
    ser = call("AvroSerializer with references, auto.register", "AvroSerializer(Schema(order, refs))",
               lambda: AvroSerializer(sr(), avro(ORDER, refs), conf={"auto.register.schemas": True}))
    _roundtrip("references (auto.register on a new subject: same id)", ser, AvroDeserializer(sr()),
               "interop-order2", order_value, order_id)


def step_deletes():
    id1, id2 = STATE["id1"], STATE["id2"]
    # Soft delete of a version.
    r = "DELETE /subjects/%s/versions/2" % S_USER
    check_eq("soft delete version 2 returns 2", r, 2, call("soft delete version", r,
                                                           lambda: sr().delete_version(S_USER, 2)))
    check_eq("soft-deleted version not listed", "GET /subjects/%s/versions" % S_USER, [1],
             call("versions", "GET /subjects/%s/versions" % S_USER, lambda: sr().get_versions(S_USER)))
    check_eq("soft-deleted version listed with deleted=true", "GET /subjects/%s/versions?deleted=true" % S_USER,
             [1, 2], call("versions deleted", "GET /subjects/%s/versions?deleted=true" % S_USER,
                          lambda: sr().get_versions(S_USER, deleted=True)))
    expect_error("GET soft-deleted version -> 40402", "GET /subjects/%s/versions/2" % S_USER,
                 lambda: get_version(S_USER, 2), 40402, 404)
    rs = call("GET soft-deleted version with deleted=true", "GET /subjects/%s/versions/2?deleted=true" % S_USER,
              lambda: get_version(S_USER, 2, deleted=True))
    check_eq("GET versions/2?deleted=true -> id2", "GET /subjects/%s/versions/2?deleted=true" % S_USER,
             id2, sid_of(rs))
    latest = call("latest after soft delete", "GET /subjects/%s/versions/latest" % S_USER,
                  lambda: sr().get_latest_version(S_USER))
    check_eq("latest skips the soft-deleted version", "GET /subjects/%s/versions/latest" % S_USER, 1,
             latest.version)
    s = call("schema by id still served after soft delete", "GET /schemas/ids/%s" % id2,
             lambda: sr().get_schema(id2))
    check("GET /schemas/ids/{id} still serves a soft-deleted version's schema", "GET /schemas/ids/%s" % id2,
          js(USER_V2), s.schema_str, same_schema(s.schema_str, USER_V2))
    expect_error("soft delete again -> 40406", "DELETE /subjects/%s/versions/2" % S_USER,
                 lambda: sr().delete_version(S_USER, 2), 40406, 404)
    expect_error("permanent delete of a live version -> 40407",
                 "DELETE /subjects/%s/versions/1?permanent=true" % S_USER,
                 lambda: sr().delete_version(S_USER, 1, permanent=True), 40407, 404)
    r = "DELETE /subjects/%s/versions/2?permanent=true" % S_USER
    check_eq("permanent delete after soft delete returns 2", r, 2,
             call("permanent delete version", r, lambda: sr().delete_version(S_USER, 2, permanent=True)))
    expect_error("permanently deleted version gone even with deleted=true",
                 "GET /subjects/%s/versions/2?deleted=true" % S_USER,
                 lambda: get_version(S_USER, 2, deleted=True), 40402, 404)
    expect_error("delete version of unknown subject -> 40401", "DELETE /subjects/interop-nope/versions/1",
                 lambda: sr().delete_version("interop-nope", 1), 40401, 404)
    expect_error("delete missing version -> 40402", "DELETE /subjects/%s/versions/77" % S_USER,
                 lambda: sr().delete_version(S_USER, 77), 40402, 404)

    # Soft delete of a subject.
    r = "DELETE /subjects/%s" % S_USER_COPY
    check_eq("soft delete subject returns its versions", r, [1],
             call("soft delete subject", r, lambda: sr().delete_subject(S_USER_COPY)))
    subs = call("get_subjects", "GET /subjects", lambda: sr().get_subjects())
    check("soft-deleted subject no longer listed", "GET /subjects", "no %s" % S_USER_COPY, subs,
          isinstance(subs, list) and S_USER_COPY not in subs and S_USER in subs)
    subs = call("get_subjects deleted", "GET /subjects?deleted=true", lambda: sr().get_subjects(deleted=True))
    check("soft-deleted subject listed with deleted=true", "GET /subjects?deleted=true",
          "contains %s" % S_USER_COPY, subs, isinstance(subs, list) and S_USER_COPY in subs)
    expect_error("get_versions of soft-deleted subject -> 40401", "GET /subjects/%s/versions" % S_USER_COPY,
                 lambda: sr().get_versions(S_USER_COPY), 40401, 404)
    expect_error("lookup in soft-deleted subject -> 40401", "POST /subjects/%s" % S_USER_COPY,
                 lambda: sr().lookup_schema(S_USER_COPY, avro(USER_V1)), 40401, 404)
    expect_error("soft delete subject twice -> 40404", "DELETE /subjects/%s" % S_USER_COPY,
                 lambda: sr().delete_subject(S_USER_COPY), 40404, 404)
    expect_error("delete unknown subject -> 40401", "DELETE /subjects/interop-nope",
                 lambda: sr().delete_subject("interop-nope"), 40401, 404)

    # Permanent delete of a subject.
    expect_error("permanent delete without soft delete -> 40405", "DELETE /subjects/%s?permanent=true" % S_USER,
                 lambda: sr().delete_subject(S_USER, permanent=True), 40405, 404)
    check_eq("soft delete subject", "DELETE /subjects/%s" % S_USER, [1],
             call("soft delete subject", "DELETE /subjects/%s" % S_USER, lambda: sr().delete_subject(S_USER)))
    r = "DELETE /subjects/%s?permanent=true" % S_USER
    check_eq("permanent delete after soft delete", r, [1],
             call("permanent delete subject", r, lambda: sr().delete_subject(S_USER, permanent=True)))
    r = "DELETE /subjects/%s?permanent=true" % S_USER_COPY
    check_eq("permanent delete of the soft-deleted copy", r, [1],
             call("permanent delete subject", r, lambda: sr().delete_subject(S_USER_COPY, permanent=True)))
    subs = call("get_subjects deleted", "GET /subjects?deleted=true", lambda: sr().get_subjects(deleted=True))
    check("permanently deleted subjects gone even with deleted=true", "GET /subjects?deleted=true",
          "neither %s nor %s" % (S_USER, S_USER_COPY), subs,
          isinstance(subs, list) and S_USER not in subs and S_USER_COPY not in subs)
    expect_error("schema id of permanently deleted versions -> 40403", "GET /schemas/ids/%s" % id1,
                 lambda: sr().get_schema(id1), 40403, 404)

    # Soft delete then re-register: same id, next version number.
    r = "POST /subjects/%s/versions %s" % (S_REREG, js(REREG))
    rid, rv = call("register for re-register test", r, lambda: register(S_REREG, avro(REREG)))
    call("soft delete subject", "DELETE /subjects/%s" % S_REREG, lambda: sr().delete_subject(S_REREG))
    rid2, rv2 = call("re-register after soft delete", r, lambda: register(S_REREG, avro(REREG)))
    check_eq("re-register after soft delete keeps the id", r, rid, rid2)
    if rv2 is not None:
        check_eq("re-register after soft delete gets version 2 (max+1)", r, 2, rv2)
    check_eq("versions after re-register", "GET /subjects/%s/versions" % S_REREG, [2],
             call("versions", "GET /subjects/%s/versions" % S_REREG, lambda: sr().get_versions(S_REREG)))

    # Ids are not reused after deletes.
    r = "POST /subjects/%s/versions %s" % (S_FRESH, js(FRESH_AFTER_DELETES))
    before = {i for i in ALL_IDS if isinstance(i, int)} or {0}
    nid, nv = call("register new schema after deletes", r, lambda: register(S_FRESH, avro(FRESH_AFTER_DELETES)))
    check("new id after deletes is greater than every previous id", r,
          "id > %s (all ids so far: %s)" % (max(before), sorted(before)), nid,
          isinstance(nid, int) and nid > max(before))


def step_mode():
    c = sr()
    if not hasattr(c, "update_mode"):
        print("skip  mode checks (client has no update_mode)")
        return
    check_eq("global mode is READWRITE", "GET /mode", "READWRITE",
             call("get global mode", "GET /mode", lambda: sr().get_global_mode()))
    r = 'PUT /mode/%s {"mode": "READONLY"}' % S_RO
    check_eq("set subject mode READONLY", r, "READONLY",
             call("update_mode", r, lambda: sr().update_mode(S_RO, "READONLY")))
    check_eq("get subject mode", "GET /mode/%s" % S_RO, "READONLY",
             call("get_mode", "GET /mode/%s" % S_RO, lambda: sr().get_mode(S_RO)))
    expect_error("register in READONLY subject -> 42205", "POST /subjects/%s/versions" % S_RO,
                 lambda: register(S_RO, avro(READONLY_SCHEMA)), 42205, 422)
    expect_error("invalid mode -> 42204", 'PUT /mode/%s {"mode": "SIDEWAYS"}' % S_RO,
                 lambda: sr().update_mode(S_RO, "SIDEWAYS"), 42204, 422)
    call("delete subject mode", "DELETE /mode/%s" % S_RO, lambda: sr().delete_mode(S_RO))
    expect_error("subject mode gone -> 40409", "GET /mode/%s" % S_RO, lambda: sr().get_mode(S_RO), 40409, 404)
    rid, _ = call("register after leaving READONLY", "POST /subjects/%s/versions" % S_RO,
                  lambda: register(S_RO, avro(READONLY_SCHEMA)))
    check("register works again in READWRITE", "POST /subjects/%s/versions" % S_RO, "int id", rid,
          isinstance(rid, int))


STEPS = [
    ("preconditions", step_preconditions),
    ("register", step_register),
    ("read", step_read),
    ("lookup", step_lookup),
    ("compatibility and config", step_compatibility),
    ("references", step_references),
    ("serde round trips", step_serde),
    ("deletes", step_deletes),
    ("mode", step_mode),
]


def main(argv):
    global BASE, CLIENT, KEEP_GOING
    args = [a for a in argv[1:] if not a.startswith("--")]
    KEEP_GOING = "--keep-going" in argv[1:]
    if len(args) != 1:
        print(__doc__)
        return 2
    BASE = args[0].rstrip("/")
    # No retries: a 5xx from a server bug should show up at once, not after back-off.
    CLIENT = SchemaRegistryClient({"url": BASE, "max.retries": 0})
    ver = confluent_kafka.version()
    ver = ver[0] if isinstance(ver, tuple) else ver
    print("confluent-kafka %s against %s" % (ver, BASE), flush=True)
    for name, fn in STEPS:
        print("# %s" % name, flush=True)
        try:
            fn()
        except CheckFailed:
            print("      (rest of step '%s' skipped)" % name, flush=True)
        except KeyError as e:
            fail("step '%s' setup" % name, "-", "state from an earlier step", "missing %s" % e, fatal=False)
        except Exception as e:  # noqa: BLE001 - a check's bad value broke later code in the step
            tb = traceback.extract_tb(e.__traceback__)
            where = "%s:%s" % (tb[-1].filename.rsplit("/", 1)[-1], tb[-1].lineno) if tb else "?"
            fail("step '%s' crashed" % name, "-", "no exception",
                 "%s: %s (at %s)" % (type(e).__name__, e, where), fatal=False)
    if FAILURES:
        print("\n%d passed, %d failed" % (PASSED, len(FAILURES)))
        return 1
    print("\nall %d checks passed" % PASSED)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
