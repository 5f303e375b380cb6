"""A small HTTP/2 (prior knowledge) server for the proxy's integration tests,
on PyPI's h2 state machine, one thread per connection.

h2_server.py prints `port=PORT`, then serves until killed. Every response
body is `conn N`: the connection's number (1 for the first accepted), so a
test can tell a reused connection from a new one. `/wait?ms=N` answers
after N ms (the connection goes on meanwhile). `/hang` makes the
connection stop dead: nothing more is read or written on it, PINGs
included, as a peer gone behind a half-open socket. `/goaway` on the
first connection is refused: GOAWAY with a last stream id below it (the
request was not processed), and the connection closes soon after.
"""
import socket
import sys
import threading
import time

import h2.config
import h2.connection
import h2.events

counter = {"connections": 0}
lock = threading.Lock()


def serve(sock, number):
    connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    connection.initiate_connection()
    sock.sendall(connection.data_to_send())
    # The reader and the timers of /wait answers share the connection.
    guard = threading.Lock()
    paths = {}

    def answer(stream_id):
        with guard:
            body = b"conn %d" % number
            connection.send_headers(stream_id, [(":status", "200"), ("content-length", str(len(body)))])
            connection.send_data(stream_id, body, end_stream=True)
            sock.sendall(connection.data_to_send())

    while True:
        data = sock.recv(65536)
        if not data:
            return
        with guard:
            events = connection.receive_data(data)
            sock.sendall(connection.data_to_send())
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                paths[event.stream_id] = dict(event.headers).get(b":path", b"/")
            elif isinstance(event, h2.events.StreamEnded):
                path = paths.pop(event.stream_id, b"/")
                if path.startswith(b"/hang"):
                    threading.Event().wait()  # never again
                if path.startswith(b"/goaway") and number == 1:
                    with guard:
                        connection.close_connection(error_code=0, last_stream_id=event.stream_id - 2)
                        sock.sendall(connection.data_to_send())
                    time.sleep(0.3)
                    return
                delay = int(path.split(b"=")[1]) / 1000 if path.startswith(b"/wait?ms=") else 0
                threading.Timer(delay, answer, args=(event.stream_id,)).start()


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print("port=%d" % listener.getsockname()[1], flush=True)
    while True:
        sock, _ = listener.accept()
        with lock:
            counter["connections"] += 1
            number = counter["connections"]
        threading.Thread(target=lambda: serve_quietly(sock, number), daemon=True).start()


def serve_quietly(sock, number):
    try:
        serve(sock, number)
    except OSError:
        pass
    finally:
        sock.close()


if __name__ == "__main__":
    sys.exit(main())
