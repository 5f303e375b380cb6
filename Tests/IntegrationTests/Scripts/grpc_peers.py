"""gRPC servers and a client for the proxy's integration tests (grpcio).

serve: starts four servers on 127.0.0.1 (kernel-chosen ports) and prints
       `ok=PORT unavailable=PORT slow=PORT midstream=PORT`, then serves
       until killed:
       - ok answers every method;
       - unavailable aborts every call with UNAVAILABLE before any message;
       - slow answers after 2 s;
       - midstream sends 3 stream messages, then ends with UNAVAILABLE in
         the trailers.
call PROXY_PORT AUTHORITY: runs unary, server-streaming, client-streaming,
       bidirectional and ping-pong calls through the proxy and prints one
       JSON object with what each returned.
streams PROXY_PORT AUTHORITY COUNT: that many server-streaming calls, one
       after the other; prints a JSON list of {messages, code}.
deadline PROXY_PORT AUTHORITY SECONDS MESSAGE: one unary call with that
       deadline; the message `remaining` makes the server answer the time
       its grpc-timeout left it.

Methods are generic (raw bytes), so no generated code is needed.
"""
import json
import queue
import sys
import time
from concurrent import futures

import grpc

SERVICE = "switchyard.test.Echo"


def identity(data):
    return data


def handlers(kind):
    def unary(request, context):
        if kind == "unavailable":
            context.abort(grpc.StatusCode.UNAVAILABLE, "going away")
        if kind == "slow":
            time.sleep(2)
        if request == b"remaining":
            # What grpc-timeout said when the call arrived here.
            return b"%.3f" % (context.time_remaining() or -1)
        return b"unary:" + request + b" from " + kind.encode()

    def server_stream(request, context):
        if kind == "unavailable":
            context.abort(grpc.StatusCode.UNAVAILABLE, "going away")
        for index in range(3 if kind == "midstream" else 50):
            yield b"item %d of %s" % (index, request)
        if kind == "midstream":
            context.abort(grpc.StatusCode.UNAVAILABLE, "gave up after 3 messages")

    def client_stream(requests, context):
        count = 0
        size = 0
        for message in requests:
            count += 1
            size += len(message)
        return b"got %d messages, %d bytes" % (count, size)

    def bidi(requests, context):
        for message in requests:
            yield b"echo:" + message

    return grpc.method_handlers_generic_handler(SERVICE, {
        "Unary": grpc.unary_unary_rpc_method_handler(unary, identity, identity),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream, identity, identity),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream, identity, identity),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi, identity, identity),
    })


def serve():
    servers = []
    ports = {}
    for kind in ["ok", "unavailable", "slow", "midstream"]:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        server.add_generic_rpc_handlers((handlers(kind),))
        ports[kind] = server.add_insecure_port("127.0.0.1:0")
        server.start()
        servers.append(server)
    print(" ".join("%s=%d" % (kind, port) for kind, port in ports.items()), flush=True)
    servers[0].wait_for_termination()


def call(port, authority):
    options = [("grpc.default_authority", authority), ("grpc.enable_retries", 0)]
    channel = grpc.insecure_channel("127.0.0.1:%d" % port, options=options)
    method = lambda name: "/%s/%s" % (SERVICE, name)
    result = {}

    def attempt(name, function):
        try:
            result[name] = {"ok": True, "value": function()}
        except grpc.RpcError as error:
            result[name] = {"ok": False, "code": error.code().name, "details": error.details()}

    unary = channel.unary_unary(method("Unary"), identity, identity)
    attempt("unary", lambda: [unary(b"x%d" % index, timeout=10).decode() for index in range(10)])
    stream = channel.unary_stream(method("ServerStream"), identity, identity)
    attempt("server_stream", lambda: [item.decode() for item in stream(b"s", timeout=10)])
    client = channel.stream_unary(method("ClientStream"), identity, identity)
    attempt("client_stream", lambda: client(iter([b"m" * 1000] * 200), timeout=10).decode())
    bidi = channel.stream_stream(method("Bidi"), identity, identity)
    attempt("bidi", lambda: [item.decode() for item in bidi(iter([b"a", b"b", b"c"]), timeout=10)])

    # Ping-pong: each message is sent only after the answer to the one
    # before arrived, so nothing can be buffered whole on the way.
    def ping_pong():
        outgoing = queue.Queue()
        answers = []
        outgoing.put(b"0")

        def messages():
            while True:
                message = outgoing.get()
                if message is None:
                    return
                yield message

        for answer in bidi(messages(), timeout=10):
            answers.append(answer.decode())
            outgoing.put(b"%d" % len(answers) if len(answers) < 20 else None)
        return answers

    attempt("ping_pong", ping_pong)
    print(json.dumps(result), flush=True)


def streams(port, authority, count):
    options = [("grpc.default_authority", authority), ("grpc.enable_retries", 0)]
    channel = grpc.insecure_channel("127.0.0.1:%d" % port, options=options)
    stream = channel.unary_stream("/%s/ServerStream" % SERVICE, identity, identity)
    results = []
    for _ in range(count):
        messages = 0
        code = "OK"
        try:
            for _ in stream(b"s", timeout=10):
                messages += 1
        except grpc.RpcError as error:
            code = error.code().name
        results.append({"messages": messages, "code": code})
    print(json.dumps(results), flush=True)


def deadline(port, authority, seconds, message):
    options = [("grpc.default_authority", authority), ("grpc.enable_retries", 0)]
    channel = grpc.insecure_channel("127.0.0.1:%d" % port, options=options)
    unary = channel.unary_unary("/%s/Unary" % SERVICE, identity, identity)
    started = time.monotonic()
    try:
        result = {"ok": True, "value": unary(message.encode(), timeout=seconds).decode()}
    except grpc.RpcError as error:
        result = {"ok": False, "code": error.code().name, "details": error.details()}
    result["seconds"] = time.monotonic() - started
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve()
    elif sys.argv[1] == "call":
        call(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "streams":
        streams(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    else:
        deadline(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5])
