#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd, no pip).

Listens on 127.0.0.1:PORT (0: any free port) and prints one JSON line per
event on standard output:
  {"event": "listening", "port": N}
  {"event": "refused", "n": K}              a DATA refused with 451 (--refuse)
  {"event": "stalling", "n": K}             the whole message is in; no answer yet (--stall)
  {"event": "dropped", "n": K}              the client went away before the answer: not taken
  {"event": "message", "n": K, "mail_from": "...", "rcpt_tos": [...], "data": "..."}
With --dir DIR each taken message is also written to DIR/K.eml.

--refuse N   answer the end of DATA of the first N transactions with 451
--stall N    hold the answer to the end of DATA of the first N transactions
             for --stall-seconds (default 60); a client that disconnects
             meanwhile leaves nothing (as a server that commits a message
             when it acknowledges it).
Stops on SIGTERM or when standard input closes.
"""
import argparse
import asyncio
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Sink:
    def __init__(self, args):
        self.args = args
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        n = self.n
        if n <= self.args.refuse:
            emit({"event": "refused", "n": n})
            return "451 4.3.0 Try again later"
        if n <= self.args.refuse + self.args.stall:
            emit({"event": "stalling", "n": n})
            try:
                await asyncio.sleep(self.args.stall_seconds)
            except asyncio.CancelledError:
                emit({"event": "dropped", "n": n})
                raise
            if server.transport is None or server.transport.is_closing():
                emit({"event": "dropped", "n": n})
                return "451 4.3.0 Gone"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        if self.args.dir:
            with open(os.path.join(self.args.dir, f"{n}.eml"), "w", encoding="utf-8") as f:
                f.write(raw)
        emit({"event": "message", "n": n, "mail_from": envelope.mail_from,
              "rcpt_tos": list(envelope.rcpt_tos), "data": raw})
        return "250 2.0.0 Message accepted"


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--dir")
    ap.add_argument("--refuse", type=int, default=0)
    ap.add_argument("--stall", type=int, default=0)
    ap.add_argument("--stall-seconds", type=float, default=60.0)
    args = ap.parse_args()
    loop = asyncio.get_running_loop()
    handler = Sink(args)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", ident="kontakt-test-sink"),
        host="127.0.0.1", port=args.port)
    emit({"event": "listening", "port": server.sockets[0].getsockname()[1]})
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_signal_handler(signal.SIGINT, done.set)
    loop.add_reader(sys.stdin.fileno(), lambda: done.set() if not sys.stdin.buffer.read1(1 << 16) else None)
    await done.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
