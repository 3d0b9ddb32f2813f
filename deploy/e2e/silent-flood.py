#!/usr/bin/env python3
"""The silent-socket flood, with a fresh client timing its greeting throughout.

Opens N non-blocking TCP connections to the chat port that never send a byte, holds them, closes
them all, waits 2 s, and repeats. Meanwhile a fresh client connects from another loopback address
every 0.2 s, does the WebSocket handshake and waits for its greeting. Traffic stays on 127.0.0.0/8.

Usage: deploy/e2e/silent-flood.py PORT [SOCKETS [ROUNDS [HOLD_SECONDS [FROM_ADDRESS]]]]
  e.g. (daemon and flood both with 20,000 descriptors):
    prlimit --nofile=20000:20000 fleckchat --port 18080 --bind 127.0.0.1 &
    ulimit -n 30000; deploy/e2e/silent-flood.py 18080 19985 4 12 127.0.0.2
Prints how many greetings arrived and their latency (max, median, p99) in milliseconds.
"""
import socket
import sys
import threading
import time

from chat_probe import Client

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 19985
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
hold = float(sys.argv[4]) if len(sys.argv) > 4 else 12
source = sys.argv[5] if len(sys.argv) > 5 else "127.0.0.2"
greetings, failures, done = [], [], threading.Event()


def probe():
    started = time.monotonic()
    try:
        sock = socket.socket()
        sock.bind((source, 0))
        sock.settimeout(5)
        sock.connect(("127.0.0.1", port))
        client = Client("127.0.0.1", port, "/chat", sock=sock)
        client.wait_for(lambda line: line.startswith("You are connected!"), "the greeting")
        client.close()
        greetings.append((time.monotonic() - started) * 1000)
    except (OSError, ValueError, AssertionError, RuntimeError) as error:
        failures.append(f"{error} after {(time.monotonic() - started) * 1000:.0f} ms")


def prober():
    while not done.is_set():
        probe()
        time.sleep(0.2)


thread = threading.Thread(target=prober)
thread.start()
for round_number in range(rounds):
    silent = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        try:
            sock.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        silent.append(sock)
    print(f"round {round_number}: {len(silent)} silent sockets", flush=True)
    time.sleep(hold)
    for sock in silent:
        sock.close()
    time.sleep(2)
done.set()
thread.join()
greetings.sort()
if greetings:
    p99 = greetings[max(0, int(len(greetings) * 0.99) - 1)]
    print(f"greetings {len(greetings)}, failed {len(failures)}; ms: max {greetings[-1]:.1f}, "
          f"median {greetings[len(greetings) // 2]:.1f}, p99 {p99:.1f}")
else:
    print(f"no greeting arrived; failed {len(failures)}")
for failure in failures[:5]:
    print("failed:", failure)
sys.exit(1 if failures or not greetings else 0)
