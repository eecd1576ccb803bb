"""Follow the platform's events over AMQP, read with the official CloudEvents SDK.

    pip install aio-pika cloudevents
    EVENTS_AMQP_URL=amqp://ext-<system>:<password>@<broker>:5672/ \
    EVENTS_QUEUE=ext.<system>.plans EVENTS_BINDINGS="plans.events:plan.# plans.events:task.#" \
    python amqp_subscriber.py
"""

import asyncio
import os

import aio_pika
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq_event

AMQP_URL = os.environ["EVENTS_AMQP_URL"]  # your system's own broker user and password
QUEUE = os.environ["EVENTS_QUEUE"]  # your queue prefix `ext.<system>.`, then any name
BINDINGS = os.environ.get("EVENTS_BINDINGS", "plans.events:#").split()  # exchange:routing key


async def main() -> None:
    async with await aio_pika.connect_robust(AMQP_URL) as connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(QUEUE, durable=True)  # kept while you are away
        for binding in BINDINGS:
            exchange, _, routing_key = binding.partition(":")
            await queue.bind(exchange, routing_key=routing_key)
        print(f"listening on {QUEUE}", flush=True)
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process():  # acknowledged once handled
                    event = from_rabbitmq_event(RabbitMQMessage(
                        headers={key: str(value) for key, value in message.headers.items()},
                        content_type=message.content_type, body=message.body))
                    # At least once: an event may come twice, skip ids already handled.
                    print(event.get_type(), event.get_id(), event.get_subject(), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
