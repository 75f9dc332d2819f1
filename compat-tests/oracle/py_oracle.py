"""Differential oracle: PyPI `avro`'s avro.compatibility (a port of Java's checker), applied the
way Confluent applies Java's. Same JSONL protocol as JavaOracle.java."""
import json
import sys

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType


def parse(schema, refs):
    names = avro.schema.Names()
    for r in refs or []:
        avro.schema.make_avsc_object(r, names)
    return avro.schema.make_avsc_object(schema, names)


def check(reader, writer, who, index):
    r = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    out = []
    if r.compatibility is SchemaCompatibilityType.incompatible:
        for t, loc, msg in zip(r.incompatibilities, r.locations, r.messages):
            out.append({"type": t.name.upper(), "location": loc, "message": msg, "reader": who, "existing_index": index})
    return out


def verdict(case):
    refs = case.get("refs")
    new = parse(case["new"], refs)
    existing = [parse(e, refs) for e in case["existing"]]
    mode = case["mode"]
    transitive = mode.endswith("_TRANSITIVE")
    old_reads_new = mode.startswith(("FORWARD", "FULL"))
    new_reads_old = mode.startswith(("BACKWARD", "FULL"))
    indices = list(range(len(existing)))[::-1]
    if not transitive:
        indices = indices[:1]
    incs = []
    if mode != "NONE":
        for i in indices:
            if old_reads_new:
                incs += check(existing[i], new, "old", i)
            if new_reads_old:
                incs += check(new, existing[i], "new", i)
            if incs:
                break
    return {"id": case["id"], "compatible": not incs, "incompatibilities": incs}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        try:
            res = verdict(case)
        except Exception as e:  # a schema that does not parse
            res = {"id": case["id"], "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(res))


if __name__ == "__main__":
    main()
