#!/usr/bin/env python3
"""Differential run of Switchyard's request-head parser against h11.

Usage: h11_diff.py VERDICT_TOOL FILE...

For every input both parsers must accept or both reject (an incomplete
head counts as neither), and accepted ones must agree on method, target
and body framing. Disagreements are grouped by why Switchyard decided as
it did, with one example each, so each group can be settled against the
RFCs; `SETTLED` lists the groups that are deliberate (Switchyard is
stricter on purpose) with the reason. Exit status 1 when a disagreement is
not settled, or when both accept with different readings.
"""
import subprocess
import sys
from collections import defaultdict

import h11

# Switchyard refuses these where h11 accepts: each is stricter on purpose.
SETTLED = {
    "invalidHost": "RFC 9110 7.2: Host must be uri-host [:port]; h11 checks only field-value syntax",
    "invalidTarget": "RFC 9112 3.2: target forms (no fragment, http(s) absolute-form with a valid authority, * only for OPTIONS)",
    "unsupportedMethod": "CONNECT tunnels are not offered (501); h11 leaves CONNECT to the application",
    "unsupportedExpectation": "RFC 9110 10.1.1: 417 for expectations other than 100-continue",
    "invalidUpgrade": "RFC 6455 4.1: a WebSocket handshake needs GET/1.1, a 16-byte key and version 13",
    "invalidHeaderName": "names that differ from a framing or hop-by-hop field only by `_` (smuggling through CGI-style folding)",
    "invalidConnectionOption": "RFC 9110 7.6.1: Connection may not make framing fields or Host hop-by-hop",
    "tooManyHeaders": "Switchyard caps the field count (431); h11 caps only the head size",
    "multipleHosts": "RFC 9112 3.2: more than one Host is 400; h11 leaves it to the application",
    "missingHost": "RFC 9112 3.2: HTTP/1.1 without Host is 400; h11 leaves it to the application",
    "transferEncodingInHTTP10": "RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 cannot be trusted",
    "obsoleteLineFolding": "RFC 9112 5.2: a proxy must refuse obs-fold or replace it; Switchyard refuses",
    "bareLineFeed": "RFC 9112 2.2: a bare LF line ending is refused (smuggling); h11 accepts it",
    "invalidRequestLine": "RFC 9112 3: exactly one SP between the request-line parts",
    "unsupportedVersion": "only HTTP/1.0 and HTTP/1.1 heads are parsed (505); h11 reads `HTTP/7.1` as 1.1",
    "invalidTransferEncoding": "RFC 9112 6.3: chunked must be the final coding, once",
    "invalidHeaderValue": "control characters in field values",
    "invalidContentLength": "Content-Length must be digits (RFC 9110 8.6)",
    "unsupportedTransferCoding": "RFC 9112 6.1: a transfer coding the proxy does not know is answered 501",
    "contentLengthWithTransferEncoding": "RFC 9112 6.1: a server MAY reject both Content-Length and Transfer-Encoding; a proxy that rejects cannot be desynchronised (h11 uses the chunked framing)",
}
# h11 refuses these where Switchyard accepts (Switchyard more lenient).
SETTLED_H11 = {
    "leading CRLF": "RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line; h11 refuses it",
    "Only Transfer-Encoding: chunked is supported": "RFC 9112 6.1 lets registered codings (gzip, deflate, compress) precede chunked; h11 supports chunked alone",
}


def h11_verdict(data):
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=65536)
    try:
        conn.receive_data(data)
        event = conn.next_event()
    except h11.RemoteProtocolError as error:
        return ("reject", str(error))
    if event is h11.NEED_DATA:
        return ("incomplete",)
    if not isinstance(event, h11.Request):
        return ("reject", type(event).__name__)
    reader = conn._reader  # framing h11 chose for the body
    name = type(reader).__name__
    if name == "ContentLengthReader":
        framing = "none" if reader._length == 0 else "length:%d" % reader._length
    elif name == "ChunkedReader":
        framing = "chunked"
    else:
        framing = "none"
    return ("accept", event.method.decode("latin-1"), event.target.decode("latin-1"), framing)


def main():
    tool, files = sys.argv[1], sys.argv[2:]
    ours = {}
    for start in range(0, len(files), 500):
        output = subprocess.run([tool] + files[start:start + 500], capture_output=True, check=True).stdout
        for line in output.decode("latin-1").splitlines():
            parts = line.split("\t")
            ours[parts[0]] = parts[1:]
    groups = defaultdict(list)
    counts = defaultdict(int)
    for path in files:
        name = path.rsplit("/", 1)[-1]
        with open(path, "rb") as handle:
            data = handle.read()
        mine = ours.get(name, ["missing"])
        theirs = h11_verdict(data)
        if mine[0] == "incomplete" or theirs[0] == "incomplete":
            counts["incomplete on one side or both"] += 1
            continue
        if mine[0] == theirs[0] == "reject":
            counts["both reject"] += 1
        elif mine[0] == theirs[0] == "accept":
            if tuple(mine[1:4]) == theirs[1:4]:
                counts["both accept, same reading"] += 1
            else:
                groups["DIFFERENT READING"].append((name, mine, theirs))
        elif mine[0] == "reject":
            groups["switchyard rejects (%s), h11 accepts" % mine[2]].append((name, mine, theirs))
        else:
            key = "leading CRLF" if data.startswith(b"\r\n") or data.startswith(b"\n") else theirs[1][:60]
            groups["h11 rejects (%s), switchyard accepts" % key].append((name, mine, theirs))
    print("inputs: %d" % len(files))
    for key in sorted(counts):
        print("  %-40s %d" % (key, counts[key]))
    unsettled = 0
    for key in sorted(groups):
        cases = groups[key]
        reason = None
        for kind, why in SETTLED.items():
            if "(%s)" % kind in key:
                reason = why
        for kind, why in SETTLED_H11.items():
            if "(%s)" % kind in key:
                reason = why
        if reason is None:
            unsettled += len(cases)
        print("  %-40s %d  %s" % (key, len(cases), "settled: " + reason if reason else "NOT SETTLED"))
        name, mine, theirs = cases[0]
        print("      e.g. %s: switchyard %s / h11 %s" % (name, mine, theirs))
    print("unsettled disagreements: %d" % unsettled)
    return 1 if unsettled else 0


if __name__ == "__main__":
    sys.exit(main())
