"""Confluent's client-side field level encryption (CSFLE) against ours, through `schemactl
registry serve` and its DEK registry: Confluent's AvroSerializer/AvroDeserializer with the
ENCRYPT rule executor and its local KMS (the secret given, as `rule.conf` `secret`).

    csfle_client.py URL write OUT SECRET   serialize a user.contact_registered with the latest
                                           registered schema and its rule set; write OUT
    csfle_client.py URL read FILE [SECRET] decode a framed message; print it as JSON (without
                                           SECRET the encrypted fields stay ciphertext)
"""
import json
import sys

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import FieldEncryptionExecutor
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import LocalKmsDriver
from confluent_kafka.serialization import MessageField, SerializationContext

TOPIC = "sc.domain.user"


def ctx():
    return SerializationContext(TOPIC, MessageField.VALUE)


def event():
    return {
        "envelope": {
            "event_id": "5d3c1f0e-8a2b-4c6d-9e7f-0a1b2c3d4e5f",
            "event_type": "user.contact_registered",
            "entity_type": "USER",
            "entity_id": "64f1c2b7e0d3a4c5bbbbbbbb",
            "entity_version": 1,
            "occurred_at": 1764000000456,
            "trace_id": None,
            "correlation_id": None,
            "producer": "python-producer",
            "actor": {"actor_type": "SYSTEM", "actor_id": None},
            "schema_version": 1,
            "privacy_tier": "RESTRICTED",
        },
        "data": (
            "sc.events.user.UserContactRegistered",
            {"user_id": "64f1c2b7e0d3a4c5bbbbbbbb", "email": "bob@example.com"},
        ),
    }


def main():
    FieldEncryptionExecutor.register()
    LocalKmsDriver.register()
    url, mode = sys.argv[1], sys.argv[2]
    client = SchemaRegistryClient({"url": url})
    if mode == "write":
        conf = {"auto.register.schemas": False, "use.latest.version": True}
        ser = AvroSerializer(client, None, conf=conf, rule_conf={"secret": sys.argv[4]})
        open(sys.argv[3], "wb").write(ser(event(), ctx()))
    elif mode == "read":
        rule_conf = {"secret": sys.argv[4]} if len(sys.argv) > 4 else None
        de = AvroDeserializer(client, return_record_name=True, rule_conf=rule_conf)
        value = de(open(sys.argv[3], "rb").read(), ctx())
        print(json.dumps(value, default=str, sort_keys=True))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
