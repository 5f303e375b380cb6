"""Raw HTTP/2 frames against the proxy, for the protocol-safety tests (h2's
hpack and hyperframe build the frames; nothing here follows the rules).

h2_frames.py CASE PORT prints one JSON object: the GOAWAY error code the
proxy sent (or null), the RST_STREAM codes per stream, the :status of each
response, the PINGs the proxy sent, whether the proxy closed the
connection, and how many seconds after the case's frames it did.
The peer answers SETTINGS, and PINGs unless the case plays a dead client.
With TLS=1 in the environment it speaks TLS (ALPN h2, no certificate check).
"""
import json
import os
import socket
import ssl
import sys
import time

from hpack import Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class Peer:
    def __init__(self, port):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=5)
        if os.environ.get("TLS") == "1":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            context.set_alpn_protocols(["h2"])
            self.socket = context.wrap_socket(self.socket)
        self.encoder = Encoder()
        self.buffer = b""
        self.result = {"goaway": None, "resets": {}, "statuses": {}, "closed": False, "pings": 0, "closed_after": None,
                       "echoes": {}, "bodies": {}}
        self.answer_pings = True
        self.started = time.monotonic()
        self.send(PREFACE + SettingsFrame(0).serialize())

    def send(self, data):
        try:
            self.socket.sendall(data)
        except OSError:
            self.result["closed"] = True

    def headers(self, stream, fields, end_stream=True, end_headers=True):
        frame = HeadersFrame(stream)
        frame.data = self.encoder.encode(fields)
        frame.flags.add("END_HEADERS") if end_headers else None
        if end_stream:
            frame.flags.add("END_STREAM")
        return frame.serialize()

    def request(self, stream, authority="a", path="/", extra=(), end_stream=True):
        fields = [(":method", "GET"), (":scheme", "http"), (":authority", authority), (":path", path)] + list(extra)
        return self.headers(stream, fields, end_stream=end_stream)

    def read(self, seconds=2.0):
        """Reads frames until the connection closes or `seconds` pass."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.result["closed"]:
            self.socket.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = self.socket.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                break
            except OSError:
                self.result["closed"] = True
                break
            if not chunk:
                self.result["closed"] = True
                self.result["closed_after"] = round(time.monotonic() - self.started, 3)
                break
            self.buffer += chunk
            self.parse()
        return self.result

    def parse(self):
        while len(self.buffer) >= 9:
            frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
            if len(self.buffer) < 9 + length:
                return
            frame.parse_body(memoryview(self.buffer[9:9 + length]))
            self.buffer = self.buffer[9 + length:]
            if isinstance(frame, GoAwayFrame):
                self.result["goaway"] = frame.error_code
            elif isinstance(frame, RstStreamFrame):
                self.result["resets"][str(frame.stream_id)] = frame.error_code
            elif isinstance(frame, HeadersFrame) and frame.data:
                # Only :status is needed; the decoder keeps its own table.
                from hpack import Decoder
                decoder = getattr(self, "decoder", None) or Decoder()
                self.decoder = decoder
                for name, value in decoder.decode(frame.data):
                    if name in (":status", b":status"):
                        self.result["statuses"][str(frame.stream_id)] = int(value)
                    elif name in ("x-echo-x-n", b"x-echo-x-n"):
                        self.result["echoes"][str(frame.stream_id)] = value.decode() if isinstance(value, bytes) else value
            elif isinstance(frame, DataFrame):
                bodies = self.result["bodies"]
                bodies[str(frame.stream_id)] = bodies.get(str(frame.stream_id), "") + bytes(frame.data).decode(errors="replace")
            elif isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
                self.send(SettingsFrame(0, flags=["ACK"]).serialize())
            elif isinstance(frame, PingFrame) and "ACK" not in frame.flags:
                self.result["pings"] += 1
                if self.answer_pings:
                    self.send(PingFrame(0, opaque_data=frame.opaque_data, flags=["ACK"]).serialize())


def rapid_reset(peer):
    # CVE-2023-44487: open streams and cancel them at once, many times over.
    batch = b""
    for index in range(1000):
        stream = 1 + 2 * index
        batch += peer.request(stream, path="/slow?ms=1000") + RstStreamFrame(stream, error_code=8).serialize()
    peer.send(batch)


def settings_flood(peer):
    peer.send(SettingsFrame(0, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 65535}).serialize() * 20000)


def ping_flood(peer):
    peer.send(PingFrame(0, opaque_data=b"12345678").serialize() * 20000)


def continuation_flood(peer):
    stream = 1
    fields = peer.encoder.encode([(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/")])
    first = HeadersFrame(stream)
    first.data = fields
    data = first.serialize()
    for _ in range(5000):
        continuation = ContinuationFrame(stream)
        continuation.data = peer.encoder.encode([("x-pad", "p" * 100)])
        data += continuation.serialize()
    peer.send(data)


def malformed(peer):
    peer.send(peer.headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "a")]))  # no :path
    peer.send(peer.headers(3, [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/"),
                               ("Upper-Case", "1")]))
    peer.send(peer.headers(5, [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/"),
                               ("connection", "keep-alive")]))
    peer.send(peer.headers(7, [(":path", "/"), (":method", "GET"), (":scheme", "http"), (":authority", "a"),
                               (":path", "/again")]))
    # A body longer than its content-length.
    peer.send(peer.headers(9, [(":method", "POST"), (":scheme", "http"), (":authority", "a"), (":path", "/echo"),
                               ("content-length", "3")], end_stream=False)
              + DataFrame(9, data=b"too long", flags=["END_STREAM"]).serialize())
    # A well-formed request after all that: the connection still serves.
    peer.send(peer.request(11, path="/ok"))


def reuse(peer):
    # Three waves of 15 streams on one connection: GETs and POSTs with a
    # body to /echo, each naming itself in x-n, and every fifth a slow
    # request the client cancels at once. Closed streams serve the next
    # ones inside the proxy: every answer must still be its own request's.
    stream = 1
    for wave in range(3):
        batch = b""
        for index in range(15):
            name = f"{wave}-{index}"
            if index % 5 == 4:
                batch += peer.request(stream, path="/slow?ms=300", extra=[("x-n", name)])
                batch += RstStreamFrame(stream, error_code=8).serialize()
            elif index % 3 == 0:
                body = f"body of {name}".encode()
                batch += peer.headers(stream, [(":method", "POST"), (":scheme", "http"), (":authority", "a"), (":path", "/echo"),
                                               ("x-n", name), ("content-length", str(len(body)))], end_stream=False)
                batch += DataFrame(stream, data=body, flags=["END_STREAM"]).serialize()
            else:
                batch += peer.request(stream, path="/echo", extra=[("x-n", name)])
            stream += 2
        peer.send(batch)
        peer.read(0.8)


def window_overflow(peer):
    # A WINDOW_UPDATE that takes the connection window past 2^31-1.
    peer.send(WindowUpdateFrame(0, window_increment=2 ** 31 - 1).serialize())


def many_streams(peer):
    # More streams at once than the proxy's SETTINGS_MAX_CONCURRENT_STREAMS (100).
    peer.send(b"".join(peer.request(1 + 2 * index, path="/slow?ms=500") for index in range(150)))


def idle(peer):
    # One request, then nothing: the proxy ends the unused connection.
    peer.send(peer.request(1, path="/ok"))


def silent(peer):
    # A request the backend takes its time over, from a client that then
    # answers nothing, PINGs included: a client gone behind its socket.
    peer.answer_pings = False
    peer.send(peer.request(1, authority="h2server", path="/wait?ms=5000"))


def slow(peer):
    # A request under way when the proxy is told to stop.
    peer.send(peer.request(1, authority="h2server", path="/wait?ms=1500"))


CASES = {"idle": idle, "silent": silent, "slow": slow, "rapid-reset": rapid_reset, "settings-flood": settings_flood, "ping-flood": ping_flood,
         "continuation-flood": continuation_flood, "malformed": malformed, "window-overflow": window_overflow,
         "many-streams": many_streams, "reuse": reuse}

if __name__ == "__main__":
    case, port = sys.argv[1], int(sys.argv[2])
    peer = Peer(port)
    peer.read(0.2)
    CASES[case](peer)
    peer.started = time.monotonic()
    print(json.dumps(peer.read(float(sys.argv[3]) if len(sys.argv) > 3 else 3.0)), flush=True)
