#!/usr/bin/env python3
"""Turns alloc_sites.c's dump into allocations per request by site.

usage: sites.py DUMP MAPS REQUESTS [TOP]
Each stack is named by its first three (FRAMES) frames inside the switchyard
executable (the code of ours that asked for memory, directly or through the
Swift runtime, NIO or Foundation; innermost first) and by the frame before
them, symbolized with addr2line and swift-demangle."""
import bisect, collections, os, subprocess, sys

dump, maps_path, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
top = int(sys.argv[4]) if len(sys.argv) > 4 else 30
chain_length = int(os.environ.get('FRAMES', '3'))  # frames of ours that name a site

maps = []
for line in open(maps_path):
    fields = line.split()
    if len(fields) < 6 or 'x' not in fields[1]:
        continue
    start, end = (int(x, 16) for x in fields[0].split('-'))
    maps.append((start, end, int(fields[2], 16), fields[5]))
maps.sort()
starts = [m[0] for m in maps]
executable = next((m[3] for m in maps if m[3].endswith('/switchyard')), None)

def locate(address):
    i = bisect.bisect_right(starts, address) - 1
    if i < 0 or address >= maps[i][1]:
        return None, address
    start, _, offset, path = maps[i]
    return path, address - start + offset

names = {}
def symbolize(path, offset):
    key = (path, offset)
    if key not in names:
        out = subprocess.run(['addr2line', '-f', '-e', path, hex(offset - 1)], capture_output=True, text=True).stdout.split('\n')
        mangled = out[0] if out and out[0] != '??' else '%s+%#x' % (path.rsplit('/', 1)[-1], offset)
        names[key] = mangled
    return names[key]

sites = collections.Counter()
total = 0
for line in open(dump):
    fields = line.split()
    count, frames = int(fields[0]), [int(x, 16) for x in fields[1:]]
    total += count
    located = [locate(a) for a in frames]
    ours = next((i for i, (path, _) in enumerate(located) if path == executable), None)
    if ours is None:
        sites[('(outside the executable)', symbolize(*located[0]) if located and located[0][0] else '?')] += count
        continue
    # Generic code specialized into the executable (array growth, ByteBuffer)
    # is ours only by inlining: name the site by up to three frames of ours.
    chain = [symbolize(path, offset) for path, offset in located[ours:] if path == executable][:chain_length]
    callee = symbolize(*located[ours - 1]) if ours > 0 and located[ours - 1][0] else '(direct)'
    sites[(' < '.join(chain), callee)] += count

mangled = sorted({name for caller, callee in sites for name in caller.split(' < ') + [callee]})
demangled = subprocess.run(['swift', 'demangle', '--simplified', '--compact'], input='\n'.join(mangled), capture_output=True,
                           text=True).stdout.split('\n')
pretty = dict(zip(mangled, demangled)) if len(demangled) >= len(mangled) else {}
print('%.2f allocations per request over %d requests' % (total / requests, requests))
for (caller, callee), count in sites.most_common(top):
    chain = ' < '.join(pretty.get(name, name)[:90] for name in caller.split(' < '))
    print('%7.2f  %s\n         via %s' % (count / requests, chain, pretty.get(callee, callee)[:110]))
