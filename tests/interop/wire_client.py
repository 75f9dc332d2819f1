"""Confluent's Python serializers against our wire format, through `schemactl registry serve`.

    wire_client.py URL read FILE          decode a framed message we wrote; print it as JSON
    wire_client.py URL write-latest OUT   serialize an order.created with the latest
                                          registered schema (use.latest.version), write OUT
    wire_client.py URL write-schema SCHEMA_FILE OUT
                                          serialize with exactly SCHEMA_FILE's schema (looked up,
                                          not registered), as a producer on an older version does

Messages carry Confluent's framing; the order subject references the envelope subject.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

TOPIC = "sc.domain.order"
ENVELOPE = "sc.events.common.Envelope"


def ctx():
    return SerializationContext(TOPIC, MessageField.VALUE)


def event(extra=None):
    created = {
        "order_id": "64f1c2b7e0d3a4c5deadbeef",
        "order_number": "SC-PY-1",
        "customer_id": "64f1c2b7e0d3a4c5aaaaaaaa",
        "item_count": 2,
        "total_cents": 4599,
        "currency": "EUR",
        "status": "PENDING",
    }
    created.update(extra or {})
    return {
        "envelope": {
            "event_id": "0b7e5a52-3f7c-4b55-8d2b-5f0e6c1d9a10",
            "event_type": "order.created",
            "entity_type": "ORDER",
            "entity_id": "64f1c2b7e0d3a4c5deadbeef",
            "entity_version": 1,
            "occurred_at": 1764000000123,
            "trace_id": None,
            "correlation_id": None,
            "producer": "python-producer",
            "actor": {"actor_type": "SYSTEM", "actor_id": None},
            "schema_version": 1,
            "privacy_tier": "INTERNAL",
        },
        # fastavro picks the union branch of a (name, value) tuple.
        "data": ("sc.events.order.OrderCreated", created),
    }


def main():
    url, mode = sys.argv[1], sys.argv[2]
    client = SchemaRegistryClient({"url": url})
    if mode == "read":
        data = open(sys.argv[3], "rb").read()
        value = AvroDeserializer(client, return_record_name=True)(data, ctx())
        print(json.dumps(value, default=str, sort_keys=True))
    elif mode == "write-latest":
        ser = AvroSerializer(client, None, conf={"auto.register.schemas": False, "use.latest.version": True})
        open(sys.argv[3], "wb").write(ser(event(), ctx()))
    elif mode == "write-schema":
        text = open(sys.argv[3]).read()
        env = client.get_latest_version(ENVELOPE)
        schema = Schema(text, "AVRO", [SchemaReference(ENVELOPE, ENVELOPE, env.version)])
        ser = AvroSerializer(client, schema, conf={"auto.register.schemas": False})
        open(sys.argv[4], "wb").write(ser(event({"legacy_code": "from-python"}), ctx()))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
