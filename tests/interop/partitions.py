"""Produces one message per key (a file, one key per line) to TOPIC with Confluent's Python
client set to the Java client's partitioner (librdkafka's murmur2_random), and prints a JSON
object mapping each key to the partition the broker acknowledged it on.

usage: partitions.py BOOTSTRAP TOPIC KEYS_FILE
"""
import json
import sys

from confluent_kafka import Producer


def main() -> None:
    bootstrap, topic, path = sys.argv[1:4]
    with open(path, encoding="utf-8") as f:
        keys = [line.rstrip("\n") for line in f]
    producer = Producer(
        {"bootstrap.servers": bootstrap, "partitioner": "murmur2_random", "linger.ms": 20}
    )
    placed = {}
    failures = []

    def report(err, msg):
        if err is not None:
            failures.append(str(err))
        else:
            placed[msg.key().decode("utf-8")] = msg.partition()

    for key in keys:
        while True:
            try:
                producer.produce(topic, key=key.encode("utf-8"), value=b"x", on_delivery=report)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    if producer.flush(120) != 0:
        sys.exit("messages still in flight after 120 s")
    if failures:
        sys.exit(f"{len(failures)} deliveries failed, first: {failures[0]}")
    json.dump(placed, sys.stdout)


if __name__ == "__main__":
    main()
