"""Read BOI's public calls from Kafka as a partner institution (SASL/SCRAM-SHA-512, read-only principal).

    pip install aiokafka
    KAFKA_BOOTSTRAP=kafka.example.org:9092 KAFKA_USERNAME=partner KAFKA_PASSWORD=… \
    KAFKA_GROUP=partner-mi-entidad python consumer.py

The `partner` principal may read `calls.published.v1` in consumer groups whose names start with `partner-`,
and nothing else. Each message is a `CallPublished` event (JSON Schema:
shared/schemas/calls.published.v1.json), keyed by `call_id`; the same call comes again when it changes,
so keep the latest `version` per call.
"""

import asyncio
import json
import os
import ssl
import sys

from aiokafka import AIOKafkaConsumer


async def main() -> None:
    tls = os.environ.get("KAFKA_TLS") == "1"  # SASL_SSL across networks; SASL_PLAINTEXT on a private one
    consumer = AIOKafkaConsumer(
        "calls.published.v1",
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
        security_protocol="SASL_SSL" if tls else "SASL_PLAINTEXT",
        ssl_context=ssl.create_default_context() if tls else None,
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username=os.environ.get("KAFKA_USERNAME", "partner"),
        sasl_plain_password=os.environ["KAFKA_PASSWORD"],
        group_id=os.environ.get("KAFKA_GROUP", "partner-example"),  # must start with "partner-"
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        async for record in consumer:
            try:
                event = json.loads(record.value)
                print(event["call_id"], event["version"], event["change"], event["call"]["title"], flush=True)
            except (ValueError, KeyError, TypeError):  # not a CallPublished: note it and go on
                print(f"skipped {record.partition}:{record.offset}", file=sys.stderr, flush=True)
            await consumer.commit()  # after handling it: at-least-once
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(main())
