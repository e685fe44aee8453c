#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks a screenshot: a PNG of the expected size with more than one distinct pixel value
(so something was drawn). Standard library only (zlib). Usage: png_check.py FILE WIDTH HEIGHT"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"FAIL: {path} is not a PNG")
    pos, idat, width, height, depth, ctype = 8, b"", 0, 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    if depth != 8 or ctype not in (2, 6):
        return width, height, {raw}  # unusual format: only the size is checked strictly
    bpp = 3 if ctype == 2 else 4
    stride = width * bpp
    prev = bytearray(stride)
    seen = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:
            for x in range(0, stride, bpp * 3):
                seen.add(bytes(line[x:x + 3]))
        prev = line
    return width, height, seen


def main():
    path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    w, h, seen = pixels(path)
    if (w, h) != (want_w, want_h):
        sys.exit(f"FAIL: {path} is {w}x{h}, expected {want_w}x{want_h}")
    if len(seen) < 2:
        sys.exit(f"FAIL: {path} is blank (one pixel value)")
    print(f"ok: {path} {w}x{h}, {len(seen)} distinct colours (sampled)")


if __name__ == "__main__":
    main()
