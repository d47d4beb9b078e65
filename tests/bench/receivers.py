"""Fast local webhook receivers for the fan-out bench, run as their own process so that they do not share
the bench's interpreter: `python -m tests.bench.receivers N` listens on N ports of 127.0.0.1 (printed
as one JSON line), answers every POST `204` on keep-alive HTTP/1.1 connections, and answers
`GET /count` (on any port) with the requests and distinct `webhook-id`s all of them received."""

import asyncio
import json
import sys

requests = 0
ids: set[str] = set()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global requests
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method = lines[0].split(" ", 1)[0]
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
            length = int(headers.get("content-length", "0"))
            if length:
                await reader.readexactly(length)
            if method == "GET":
                body = json.dumps({"requests": requests, "ids": len(ids)}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                requests += 1
                ids.add(headers.get("webhook-id", ""))
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(count: int) -> None:
    servers = [await asyncio.start_server(handle, "127.0.0.1", 0) for _ in range(count)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
