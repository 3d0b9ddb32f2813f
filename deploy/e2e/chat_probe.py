#!/usr/bin/env python3
"""Two WebSocket clients join a FleckChat daemon, one speaks, both must hear it.

Used by systemd-bed-test.sh inside the test machine, which has python3 but no .NET and no
WebSocket tool. Standard library only. Every wait is bounded; any failure exits 1 with a reason.

    chat_probe.py HOST PORT [--path /chat] [--cafile CERT.pem] [--during 'shell command']

--cafile speaks wss://, accepting only a server whose certificate CERT.pem vouches for.

--during runs the command after both clients joined and before the message, so the check
proves the members stayed connected through it (e.g. 'systemctl reload fleckchat').
"""
import argparse
import base64
import os
import socket
import ssl
import struct
import subprocess
import sys

TIMEOUT = 10.0


class Client:
    def __init__(self, host, port, path, cafile=None, sock=None):
        """Opens the connection, or takes SOCK, one already connected, and does the handshake."""
        self.sock = sock or socket.create_connection((host, port), timeout=TIMEOUT)
        if cafile:
            context = ssl.create_default_context(cafile=cafile)
            self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0].decode()
        if " 101 " not in status + " ":
            raise RuntimeError(f"handshake refused: {status}")

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise RuntimeError("the server closed the connection")
        return data

    def _take(self, count):
        while len(self.buffer) < count:
            self.buffer += self._recv()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send_text(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        else:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive_text(self):
        """The next text message (answers pings, fails on close)."""
        while True:
            first, second = self._take(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._take(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._take(8))[0]
            payload = self._take(length)
            if opcode == 0x1:
                return payload.decode()
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                raise RuntimeError(f"the server closed the connection with {code}")
            if opcode == 0x9:
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)

    def wait_for(self, predicate, what):
        seen = []
        for _ in range(50):
            text = self.receive_text()
            if predicate(text):
                return text
            seen.append(text)
        raise RuntimeError(f"no {what} among {seen}")

    def close(self):
        try:
            self.sock.sendall(bytes([0x88, 0x82]) + b"\0\0\0\0" + struct.pack("!H", 1000))
        finally:
            self.sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--path", default="/chat")
    parser.add_argument("--cafile", help="wss://, trusting only this certificate (PEM)")
    parser.add_argument("--during", help="shell command to run while both members are connected")
    args = parser.parse_args()
    try:
        alice = Client(args.host, args.port, args.path, args.cafile)
        alice.wait_for(lambda t: t.startswith("You are connected!"), "greeting")
        bob = Client(args.host, args.port, args.path, args.cafile)
        bob.wait_for(lambda t: t.startswith("You are connected!"), "greeting")
        if args.during:
            subprocess.run(args.during, shell=True, check=True, timeout=60)
        alice.send_text("hello from the probe")
        for member in (alice, bob):
            member.wait_for(lambda t: t.endswith("]: hello from the probe"), "relayed message")
        alice.close()
        bob.close()
    except (OSError, RuntimeError, subprocess.SubprocessError, ssl.SSLError) as error:
        print(f"chat_probe: {args.host}:{args.port}{args.path}: {error}", file=sys.stderr)
        return 1
    scheme = "wss" if args.cafile else "ws"
    print(f"chat_probe: {scheme}://{args.host}:{args.port}{args.path}: two members joined and chatted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
