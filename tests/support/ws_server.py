#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A WebSocket server for sockkit's tests, on Debian's python3-websockets (an
implementation independent of sockkit's). What it does depends on the path:

  /close/CODE   closes at once with CODE
  /fragments    sends one message in three fragments, then echoes
  /refuse       answers HTTP 403 and does not upgrade
  anything else echoes every message back

It pings every 50 ms and closes (1011) a client that has not answered within
500 ms. It offers the subprotocols "mqtt" and "echo".

Usage: ws_server.py PORT [CERTFILE KEYFILE]   (with a certificate: wss)
"""
import asyncio
import http
import ssl
import sys

import websockets


async def serve(ws, path):
    if path.startswith("/close/"):
        await ws.close(code=int(path[len("/close/"):]), reason="as asked")
        return
    if path == "/fragments":
        await ws.send([b"frag", b"men", b"ted"])
    async for message in ws:
        await ws.send(message)


async def refuse(path, request_headers):
    if path == "/refuse":
        return http.HTTPStatus.FORBIDDEN, [], b"refused\n"
    return None


async def main():
    port = int(sys.argv[1])
    context = None
    if len(sys.argv) > 3:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
    async with websockets.serve(serve, "127.0.0.1", port, ssl=context,
                                subprotocols=["mqtt", "echo"], process_request=refuse,
                                ping_interval=0.05, ping_timeout=0.5, max_size=None):
        await asyncio.Future()


asyncio.run(main())
