#!/usr/bin/python3
"""A Switchboard gateway in a page of Python: opens a web chat and prints its updates.

Speaks the edge protocol (docs/protocol.md) in JSON text frames with Debian's
python3-websockets (`apt-get install python3-websockets`):

    /usr/bin/python3 docs/examples/client.py --url ws://127.0.0.1:8080/ws \
        --tenant demo --key demo-key --customer cust-42 --queue billing \
        --intent balance --say "My bill doubled this month" --csat 5

It says Hello as ROLE_GATEWAY, sends OpenContact (CHANNEL_CHAT), prints every push
(ContactUpdate, ChatLine), sends the --say line once an agent is connected, and ends
the contact with EndContact (and the --csat rating) when the agent wraps up, after
--seconds, or on Ctrl-C.
"""

import argparse
import asyncio
import itertools
import json
import sys
import time

import websockets


class EdgeError(Exception):
    """The server's Error: `code` by name and a message."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


class Gateway:
    """One connection: requests by requestId, pushes to a queue."""

    def __init__(self, ws):
        self.ws = ws
        self.ids = (f"r{n}" for n in itertools.count(1))
        self.pending = {}
        self.pushes = asyncio.Queue()

    async def read_loop(self):
        try:
            await self.read_frames()
        except websockets.exceptions.ConnectionClosed:
            pass
        for waiter in self.pending.values():
            if not waiter.done():
                waiter.set_exception(EdgeError("DISCONNECTED", "connection closed"))
        await self.pushes.put(("closed", {}))

    async def read_frames(self):
        async for frame in self.ws:
            env = json.loads(frame)
            request_id = env.pop("requestId", "")
            (kind, body), = env.items() or [("", {})]
            waiter = self.pending.pop(request_id, None)
            if waiter is not None:
                if kind == "error":
                    waiter.set_exception(EdgeError(body.get("code", "ERROR_CODE_UNSPECIFIED"), body.get("message", "")))
                else:
                    waiter.set_result(body)
            else:
                await self.pushes.put((kind, body))

    async def request(self, kind, body, timeout=10):
        request_id = next(self.ids)
        waiter = asyncio.get_running_loop().create_future()
        self.pending[request_id] = waiter
        await self.ws.send(json.dumps({"requestId": request_id, kind: body}))
        return await asyncio.wait_for(waiter, timeout)


def show(kind, body):
    print(f"{time.strftime('%H:%M:%S')} {kind}: {json.dumps(body)}", flush=True)


async def run(args):
    async with websockets.connect(args.url, max_size=1 << 20) as ws:
        gw = Gateway(ws)
        reader = asyncio.create_task(gw.read_loop())
        try:
            return await chat(gw, args)
        finally:
            reader.cancel()


async def chat(gw, args):
    hello = {"role": "ROLE_GATEWAY", "tenant": args.tenant, "apiKey": args.key}
    show("welcome", await gw.request("hello", hello))

    contact_id = args.contact or f"py-{int(time.time() * 1000):x}"
    show("contactOpened", await gw.request("openContact", {
        "contactId": contact_id,
        "customerId": args.customer,
        "channel": "CHANNEL_CHAT",
        "media": ["text"],
        "intent": args.intent,
        "language": args.language,
        "queue": args.queue,
        "journey": ["python example: opened a chat"],
        "attached": [{"key": "question", "value": args.say}] if args.say else [],
    }))

    said = False
    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline:
            try:
                kind, body = await asyncio.wait_for(gw.pushes.get(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
            if kind == "closed":
                print("connection closed by the server", file=sys.stderr)
                return 1
            show(kind, body)
            if kind != "contactUpdate" or body.get("contactId") != contact_id:
                continue
            state = body.get("state", "")
            if state == "CONTACT_STATE_CONNECTED" and args.say and not said:
                said = True
                try:
                    show("customerMessage", await gw.request("customerMessage", {"contactId": contact_id, "text": args.say}))
                except EdgeError as e:
                    # NOT_CONNECTED: e.g. a simulated agent of `serve --demo` took the chat.
                    print(f"customerMessage: {e}", file=sys.stderr)
            elif state in ("CONTACT_STATE_WRAP_UP", "CONTACT_STATE_COMPLETED"):
                break  # the agent ended the conversation: rate it
            elif state in ("CONTACT_STATE_ABANDONED", "CONTACT_STATE_FAILED"):
                return 0  # nothing left to end
    except asyncio.CancelledError:
        pass  # Ctrl-C: still say goodbye below

    end = {"contactId": contact_id, "reason": "customer_left"}
    if args.csat:
        end["csat"] = args.csat
    try:
        show("endContact", await gw.request("endContact", end))
    except EdgeError as e:
        print(f"endContact: {e}", file=sys.stderr)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="ws://127.0.0.1:8080/ws")
    p.add_argument("--tenant", default="demo")
    p.add_argument("--key", required=True, help="the tenant's API key")
    p.add_argument("--customer", default="cust-1")
    p.add_argument("--contact", help="contact id (default: a fresh one)")
    p.add_argument("--queue", default="general")
    p.add_argument("--intent", default="roaming")
    p.add_argument("--language", default="en")
    p.add_argument("--say", default="", help="what the customer says once connected")
    p.add_argument("--csat", type=int, default=0, help="rating 1..5 sent with EndContact")
    p.add_argument("--seconds", type=float, default=120, help="give up after this long")
    args = p.parse_args()
    try:
        return asyncio.run(run(args))
    except EdgeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, websockets.exceptions.WebSocketException) as e:
        print(f"cannot talk to {args.url}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
