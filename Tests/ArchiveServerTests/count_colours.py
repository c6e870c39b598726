"""Counts the pixels of given colours in a PNG (8-bit RGB or RGBA, as Chromium writes screenshots).

Usage: count_colours.py shot.png [--rows FIRST:LAST] RRGGBB [RRGGBB ...]
Prints one JSON object: {"width": W, "height": H, "RRGGBB": {"count": N, "minX": .., "maxX": .., "minY": .., "maxY": ..}, ...}
A pixel counts when each channel is within 24 of the colour (anti-aliasing and opacity blend the edges).
"""
import json, struct, sys, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unsupported PNG: depth {depth}, colour type {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows

def main():
    width, height, channels, rows = pixels(sys.argv[1])
    args, first, last = sys.argv[2:], 0, height - 1
    if args and args[0] == "--rows":
        first, last = (int(v) for v in args[1].split(":"))
        args = args[2:]
    targets = {h: tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in args}
    found = {h: {"count": 0, "minX": None, "maxX": None, "minY": None, "maxY": None} for h in targets}
    for y, line in enumerate(rows):
        if y < first or y > last:
            continue
        for x in range(width):
            r, g, b = line[x * channels], line[x * channels + 1], line[x * channels + 2]
            for h, (tr, tg, tb) in targets.items():
                if abs(r - tr) <= 24 and abs(g - tg) <= 24 and abs(b - tb) <= 24:
                    s = found[h]
                    s["count"] += 1
                    s["minX"] = x if s["minX"] is None else min(s["minX"], x)
                    s["maxX"] = x if s["maxX"] is None else max(s["maxX"], x)
                    s["minY"] = y if s["minY"] is None else min(s["minY"], y)
                    s["maxY"] = y if s["maxY"] is None else max(s["maxY"], y)
    print(json.dumps({"width": width, "height": height, **found}))

main()
