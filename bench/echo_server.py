"""The baseline: the smallest AMQP request/reply server (aio-pika), no framework.

Replies in nameko's reply format so the same measuring client reads both."""

from __future__ import annotations

import asyncio
import sys

import aio_pika


async def serve(amqp_uri: str) -> None:
    connection = await aio_pika.connect_robust(amqp_uri)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=64)
    exchange = await channel.declare_exchange("nameko-rpc", aio_pika.ExchangeType.TOPIC,
                                              durable=True)
    queue = await channel.declare_queue("bench-echo", auto_delete=True)
    await queue.bind(exchange, routing_key="echo.*")

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            await exchange.publish(
                aio_pika.Message(b'{"result": {"status": "ok"}, "error": null}',
                                 content_type="application/json",
                                 correlation_id=message.correlation_id),
                routing_key=message.reply_to or "")

    await queue.consume(on_message)
    print("ready", flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1]))
