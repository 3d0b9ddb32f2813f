#!/usr/bin/env python3
"""Start to first greeting, polled tightly: the time from spawning a chat server to its greeting.

The benchmark kit's start-up figure polls with a connection attempt every 5 ms from a busy core, so
it adds up to several milliseconds of its own. This polls a TCP connect every 0.2 ms (on CPU 0; the
server runs on CPU 1, as in the kit), then does the WebSocket handshake and waits for the greeting with chat_probe.py's client.

Usage: deploy/e2e/start-to-greeting.py 'COMMAND with {PORT}' [RUNS]
  e.g. deploy/e2e/start-to-greeting.py 'exec /tmp/fc-bench-builds/aot/fleckchat --port {PORT} --bind 127.0.0.1' 9
Prints the medians of the time to a bound listener and to the greeting, in milliseconds.
"""
import os
import socket
import statistics
import subprocess
import sys
import time

from chat_probe import TIMEOUT, Client


def once(command: str, port: int) -> tuple[float, float]:
    start = time.perf_counter()
    server = subprocess.Popen(command.replace("{PORT}", str(port)), shell=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              preexec_fn=lambda: os.sched_setaffinity(0, {1}))
    try:
        while True:
            sock = socket.socket()
            try:
                sock.connect(("127.0.0.1", port))
                break
            except OSError:
                sock.close()
                if server.poll() is not None:
                    sys.exit(f"the server exited with {server.returncode} before listening")
                time.sleep(0.0002)
        listening = time.perf_counter()
        sock.settimeout(TIMEOUT)
        client = Client("127.0.0.1", port, "/chat", sock=sock)
        client.wait_for(lambda t: t.startswith("You are connected!"), "greeting")
        greeted = time.perf_counter()
        client.close()
        return (listening - start) * 1000, (greeted - start) * 1000
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    os.sched_setaffinity(0, {0})
    results = [once(sys.argv[1], 18200 + i) for i in range(runs)]
    greetings = [r[1] for r in results]
    print(f"listening: median {statistics.median(r[0] for r in results):.1f} ms; first greeting: median "
          f"{statistics.median(greetings):.1f} ms (min {min(greetings):.1f}, max {max(greetings):.1f}; {runs} runs)")


if __name__ == "__main__":
    main()
