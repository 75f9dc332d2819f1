"""Writes compat-tests/cases.jsonl: realistic evolutions of every domain schema of this
workspace, plus focused cases for each resolution rule, each with Java Avro 1.12.1's verdict.

A case is data: a `base` schema file (or inline `base_schema`), a `history` of registered
versions and the `new` version, each a list of edits applied to the base text
({"after": anchor, "find": text, "replace": text}: the first `find` after `anchor`), a Confluent
`mode`, the `expected` verdict (filled in here by the Java oracle, the authority) and the
evolution-policy rule ids the change must trigger (`policy`, written by hand from seed 000 §5).

Run: python3 compat-tests/tools/make_cases.py "$(bash scripts/oracle.sh | tail -1)"
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMAS = os.path.join(ROOT, "schemas")
DOMAINS = ["user", "supplier", "community", "product", "promotion", "post", "order"]


def apply(text, edits):
    for e in edits:
        start = text.index(e["after"]) if e.get("after") else 0
        i = text.index(e["find"], start)
        text = text[:i] + e["replace"] + text[i + len(e["find"]):]
    return text


def payloads(domain):
    doc = json.load(open(os.path.join(SCHEMAS, domain + ".avsc")))
    return doc, doc["fields"][1]["type"]


def field_line(rec, f):
    return json.dumps(f, ensure_ascii=False)


def pick(recs, pred):
    for r in recs:
        for i, f in enumerate(r["fields"]):
            if pred(r, i, f):
                return r, f
    return None, None


def domain_changes(domain):
    """(slug, description, edits, policy rule ids, benign?)"""
    doc, recs = payloads(domain)
    key = recs[0]["fields"][0]["name"]
    out = []
    anchor = lambda r: '"name": "%s",' % r["name"]
    r0 = recs[0]
    first = r0["fields"][0]
    add_opt = {"after": anchor(r0), "find": field_line(r0, first), "replace": field_line(r0, first) + ',\n          {"name": "source_app", "type": ["null", "string"], "default": null, "doc": "App that caused the event, if known."}'}
    out.append(("add-optional-field", f"{r0['name']}: add an optional field with a null default", [add_opt], [], True))
    add_req = {"after": anchor(r0), "find": field_line(r0, first), "replace": field_line(r0, first) + ',\n          {"name": "origin_channel", "type": "string", "doc": "Channel that caused the event."}'}
    out.append(("add-required-field", f"{r0['name']}: add a required field without a default", [add_req], ["FIELD_ADDED_WITHOUT_DEFAULT"], False))
    add_req_def = {"after": anchor(r0), "find": field_line(r0, first), "replace": field_line(r0, first) + ',\n          {"name": "origin_region", "type": "string", "default": "eu", "doc": "Region that caused the event."}'}
    out.append(("add-field-with-default", f"{r0['name']}: add a required field with a default", [add_req_def], [], True))

    r, f = pick(recs, lambda r, i, f: i > 0 and f["type"] == "string")
    if r:
        line = field_line(r, f)
        out.append(("remove-field", f"{r['name']}: remove required field {f['name']}", [{"after": anchor(r), "find": ",\n          " + line, "replace": ""}] if r["fields"].index(f) > 0 else [], ["FIELD_REMOVED"], False))
        g = dict(f, name=f["name"] + "_text")
        out.append(("rename-field", f"{r['name']}: rename {f['name']} without an alias", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_RENAMED"], False))
        g = {"name": f["name"] + "_text", "aliases": [f["name"]], **{k: v for k, v in f.items() if k != "name"}}
        out.append(("rename-field-with-alias", f"{r['name']}: rename {f['name']} keeping the old name in aliases", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_RENAMED"], False))
        g = dict(f, type=["null", "string"], default=None)
        g = {k: g[k] for k in ["name", "type", "default", "doc"] if k in g}
        out.append(("make-optional", f"{r['name']}: make {f['name']} optional (required to optional is allowed)", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], [], False))
        g = dict(f, type="bytes")
        out.append(("string-to-bytes", f"{r['name']}: {f['name']} string to bytes (an Avro promotion)", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_TYPE_CHANGED"], False))
        g = dict(f, type="int")
        out.append(("string-to-int", f"{r['name']}: {f['name']} string to int", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_TYPE_CHANGED"], False))

    r, f = pick(recs, lambda r, i, f: isinstance(f["type"], list) and f["type"][0] == "null" and f["type"][1] == "string")
    if r:
        line = field_line(r, f)
        g = {"name": f["name"], "type": "string", "doc": f["doc"]}
        out.append(("make-required", f"{r['name']}: make optional {f['name']} required", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_MADE_REQUIRED"], False))

    r, f = pick(recs, lambda r, i, f: f["type"] in ("long", "int") or (isinstance(f["type"], dict) and f["type"].get("logicalType") == "timestamp-millis"))
    if r:
        line = field_line(r, f)
        if isinstance(f["type"], dict):
            g = dict(f, type={"type": "long", "logicalType": "timestamp-micros"})
            out.append(("timestamp-millis-to-micros", f"{r['name']}: {f['name']} millis to micros (resolution ignores logical types)", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_TYPE_CHANGED"], False))
            g = dict(f, type="string")
            out.append(("timestamp-to-string", f"{r['name']}: {f['name']} to an ISO string", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_TYPE_CHANGED"], False))
        elif f["type"] == "long":
            g = dict(f, type="int")
            out.append(("long-to-int", f"{r['name']}: narrow {f['name']} long to int", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_TYPE_CHANGED"], False))
            g = dict(f, type="double")
            out.append(("long-to-double", f"{r['name']}: widen {f['name']} long to double (promotion)", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_TYPE_CHANGED"], False))
        else:
            g = dict(f, type="long")
            out.append(("int-to-long", f"{r['name']}: widen {f['name']} int to long (promotion)", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["FIELD_TYPE_CHANGED"], False))

    # A field constraint made stricter: Avro ignores constraints (Java calls it compatible);
    # the data already written may break the new bound.
    r, f = pick(recs, lambda r, i, f: isinstance(f.get("constraints"), dict) and "minimum" in f["constraints"])
    if r:
        line = field_line(r, f)
        g = dict(f, constraints=dict(f["constraints"], minimum=f["constraints"]["minimum"] + 1))
        out.append(("tighten-constraint", f"{r['name']}: raise the minimum of {f['name']} (Avro ignores constraints)", [{"after": anchor(r), "find": line, "replace": field_line(r, g)}], ["CONSTRAINT_TIGHTENED"], True))

    # Enums defined inline in this domain.
    text = open(os.path.join(SCHEMAS, domain + ".avsc")).read()
    enums = []
    for r in recs:
        for f in r["fields"]:
            t = f["type"]
            if isinstance(t, dict) and t.get("type") == "enum":
                enums.append(t)
            if isinstance(t, dict) and t.get("type") == "array" and isinstance(t["items"], dict) and t["items"].get("type") == "enum":
                enums.append(t["items"])
    with_default = [e for e in enums if "default" in e]
    without_default = [e for e in enums if "default" not in e]
    for e in with_default[:1] + without_default[:1]:
        syms = json.dumps(e["symbols"])
        anchor_e = '"name": "%s"' % e["name"]
        new_syms = json.dumps(e["symbols"][:-1] + ["ARCHIVED", e["symbols"][-1]])
        out.append((f"add-enum-symbol-{e['name']}", f"{e['name']}: add a symbol" + (" (the enum has a default)" if "default" in e else " (no enum default)"), [{"after": anchor_e, "find": syms, "replace": new_syms}], [], True))
        victim = next(x for x in e["symbols"][1:] + e["symbols"][:1] if x != e.get("default"))
        rest = [s for s in e["symbols"] if s != victim]
        out.append((f"remove-enum-symbol-{e['name']}", f"{e['name']}: remove symbol {victim}", [{"after": anchor_e, "find": syms, "replace": json.dumps(rest)}], ["ENUM_SYMBOL_REMOVED"], False))

    # Event types: add one, remove one, rename one.
    last = recs[-1]
    last_block = text[text.index('      {\n        "type": "record",\n        "name": "%s"' % last["name"]):]
    last_block = last_block[:last_block.index("\n      }") + len("\n      }")]
    prefix = domain
    new_rec = ('      {\n        "type": "record",\n        "name": "%sArchived",\n        "event_type": "%s.archived",\n        "privacy_tier": "INTERNAL",\n        "doc": "The entity was archived.",\n        "fields": [\n          {"name": "%s", "type": "string", "doc": "Id of the entity."}\n        ]\n      }'
               % (prefix.capitalize(), prefix, key))
    out.append(("add-event-type", f"add event type {prefix}.archived", [{"find": last_block, "replace": last_block + ",\n" + new_rec}], [], True))
    out.append(("remove-event-type", f"remove event type {last['event_type']}", [{"find": ",\n" + last_block, "replace": ""}], ["UNION_BRANCH_REMOVED"], False))
    renamed = last_block.replace('"name": "%s"' % last["name"], '"name": "%sV2"' % last["name"], 1)
    out.append(("rename-payload-record", f"rename payload record {last['name']} without an alias", [{"find": last_block, "replace": renamed}], ["UNION_BRANCH_REMOVED"], False))
    aliased = last_block.replace('"name": "%s",' % last["name"], '"name": "%sV2",\n        "aliases": ["%s"],' % (last["name"], doc["namespace"] + "." + last["name"]), 1)
    out.append(("rename-payload-record-with-alias", f"rename payload record {last['name']} with its old full name as alias", [{"find": last_block, "replace": aliased}], [], False))
    out.append(("change-namespace", "move the domain to another namespace (names compare unqualified)", [{"find": '"namespace": "%s"' % doc["namespace"], "replace": '"namespace": "%s.v2"' % doc["namespace"]}], [], False))
    out.append(("doc-only", "edit a doc string only", [{"find": '"doc": "%s"' % doc["doc"].replace('"', '\\"'), "replace": '"doc": "%s (v2)"' % doc["doc"].replace('"', '\\"')}], [], True))
    return out


def semantic_cases():
    """Focused cases for each resolution rule (inline schemas)."""
    rec = lambda name, fields, **kw: {"type": "record", "name": name, "fields": fields, **kw}
    f = lambda n, t, **kw: {"name": n, "type": t, **kw}
    cases = []
    add = lambda slug, desc, mode, new, existing, policy=None: cases.append({"id": "semantics/" + slug + "/" + mode, "description": desc, "mode": mode, "new_schema": new, "existing_schemas": existing, **({"policy": policy} if policy is not None else {})})
    for a, b in [("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"), ("long", "double"), ("float", "double"), ("string", "bytes"), ("bytes", "string")]:
        add(f"promote-{a}-{b}-in-array", f"{a} to {b} inside array items", "BACKWARD", {"type": "array", "items": b}, [{"type": "array", "items": a}])
        add(f"promote-{a}-{b}-in-map", f"{a} to {b} inside map values", "FULL", {"type": "map", "values": b}, [{"type": "map", "values": a}])
        add(f"promote-{a}-{b}-into-union", f"{a} read by a nullable {b} union", "BACKWARD", ["null", b], [a])
    add("nullable-writer-nonnull-reader", "a nullable writer read by a non-null reader", "BACKWARD", rec("R", [f("a", "int")]), [rec("R", [f("a", ["null", "int"], default=None)])])
    add("writer-union-all-readable", "reader long, writer [int, long]", "BACKWARD", "long", [["int", "long"]])
    add("enum-default-absorbs-removed", "an enum-level default makes removed symbols readable", "BACKWARD", {"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "A"}, [{"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}])
    add("enum-field-default-not-enough", "a field-level default does not help a removed symbol", "BACKWARD", rec("R", [f("e", {"type": "enum", "name": "E", "symbols": ["A"]}, default="A")]), [rec("R", [f("e", {"type": "enum", "name": "E", "symbols": ["A", "B"]})])])
    add("fixed-size", "fixed size change", "FORWARD", {"type": "fixed", "name": "H", "size": 32}, [{"type": "fixed", "name": "H", "size": 16}])
    add("record-rename-alias-full", "a renamed record with the old full name as alias", "BACKWARD", rec("New", [f("a", "int")], namespace="x", aliases=["x.Old"]), [rec("Old", [f("a", "int")], namespace="x")])
    add("record-rename-alias-short-other-ns", "a short alias fails when the namespace changed too", "BACKWARD", rec("New", [f("a", "int")], namespace="y", aliases=["Old"]), [rec("Old", [f("a", "int")], namespace="x")])
    add("field-alias", "a renamed field with the old name in aliases", "BACKWARD", rec("R", [f("b", "int", aliases=["a"])]), [rec("R", [f("a", "int")])])
    lst = lambda extra: rec("Node", [f("value", "int"), f("next", ["null", "Node"], default=None)] + extra)
    add("recursive-compatible", "a recursive list gains an optional field", "FULL", lst([f("tag", ["null", "string"], default=None)]), [lst([])])
    add("recursive-incompatible", "a recursive list gains a required field", "BACKWARD", lst([f("tag", "string")]), [lst([])])
    add("logical-types-ignored", "uuid to string and timestamp-millis to micros resolve", "FULL", rec("R", [f("id", "string"), f("t", {"type": "long", "logicalType": "timestamp-micros"})]), [rec("R", [f("id", {"type": "string", "logicalType": "uuid"}), f("t", {"type": "long", "logicalType": "timestamp-millis"})])])
    add("bytes-vs-fixed-decimal", "decimal on bytes versus decimal on fixed", "BACKWARD", {"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 10, "scale": 2}, [{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}])
    # Histories: transitive modes see every version, newest first, and report the first failure.
    v1 = rec("R", [f("a", "int")])
    v2 = rec("R", [f("a", "int"), f("b", "string", default="x")])
    v3 = rec("R", [f("b", "string", default="x")])
    for mode in ["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"]:
        add("history-drop-required-field", "v1 a; v2 adds b with a default; new drops a", mode, v3, [v1, v2])
        add("history-oldest-breaks", "only the oldest version is unreadable", mode, rec("R", [f("a", "long"), f("c", "string")]), [rec("R", [f("a", "int")]), rec("R", [f("a", "int"), f("c", "string")])])
    add("empty-history", "no registered version is always compatible", "FULL_TRANSITIVE", v1, [])
    return cases


def main():
    cp = sys.argv[1]
    cases = []
    modes = ["BACKWARD", "FORWARD", "FULL"]
    for domain in DOMAINS:
        for slug, desc, edits, policy, benign in domain_changes(domain):
            if not edits:
                continue
            for mode in modes:
                cases.append({"id": f"{domain}/{slug}/{mode}", "description": desc, "base": domain + ".avsc", "mode": mode, "history": [[]], "new": edits, "policy": policy})
        # A three-version history in every transitive mode: v2 adds an optional field (benign),
        # then the new version breaks the oldest readers only in some modes.
        changes = domain_changes(domain)
        benign = next(c for c in changes if c[0] == "add-optional-field")
        for slug, desc, edits, policy, _ in [c for c in changes if c[0] in ("remove-event-type", "add-required-field", "add-event-type")]:
            for mode in ["BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"]:
                cases.append({"id": f"{domain}/history-{slug}/{mode}", "description": f"v2: {benign[1]}; new: {desc}", "base": domain + ".avsc", "mode": mode, "history": [[], benign[2]], "new": benign[2] + edits, "policy": policy})
    cases += semantic_cases()

    envelope = json.load(open(os.path.join(SCHEMAS, "envelope.avsc")))
    oracle_in = []
    for c in cases:
        if "base" in c:
            base = open(os.path.join(SCHEMAS, c["base"])).read()
            new = json.loads(apply(base, c["new"]))
            existing = [json.loads(apply(base, h)) for h in c["history"]]
            oracle_in.append({"id": c["id"], "mode": c["mode"], "new": new, "existing": existing, "refs": [envelope]})
        else:
            oracle_in.append({"id": c["id"], "mode": c["mode"], "new": c["new_schema"], "existing": c["existing_schemas"]})
    proc = subprocess.run(["java", "-cp", cp, "JavaOracle"], input="".join(json.dumps(x) + "\n" for x in oracle_in), capture_output=True, text=True, cwd=ROOT, check=True)
    verdicts = {}
    for line in proc.stdout.splitlines():
        v = json.loads(line)
        if "error" in v:
            raise SystemExit(f"{v['id']}: Java cannot parse the case: {v['error']}")
        verdicts[v["id"]] = {"compatible": v["compatible"], "incompatibilities": v["incompatibilities"]}
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    with open(os.path.join(ROOT, "compat-tests", "cases.jsonl"), "w") as out:
        for c in cases:
            c["expected"] = verdicts[c["id"]]
            out.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases, {sum(1 for c in cases if not c['expected']['compatible'])} incompatible")


if __name__ == "__main__":
    main()
