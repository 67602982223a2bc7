"""Decompression bombs in PDFs: a Flate stream of a few KB that inflates to gigabytes.

pdfminer inflates a page's content stream whole before it reads it, so one such stream costs its
full inflated size in memory. `inflation_problem` inflates every non-image Flate stream of a file
in small steps (chained Flate layers too), counting and discarding the output, and names the first
stream that inflates past MAX_INFLATED_BYTES at more than MAX_RATIO times its stored size. Real
content streams inflate 3–20×; images, which the text reader never inflates, are skipped."""

from __future__ import annotations

import re
import zlib

MAX_INFLATED_BYTES = 64 * 1024**2
MAX_RATIO = 200
MAX_LAYERS = 3  # /Filter [/FlateDecode /FlateDecode …]
STEP = 1 << 16
_STREAM = re.compile(rb"stream\r?\n")
_DICT_LOOKBACK = 2048


def _looks_like_zlib(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _inflated_size(data: bytes, start: int, limit: int) -> tuple[int, int]:
    """(bytes the stream at `start` inflates to, counted until just past `limit`; bytes it was
    stored in). Output that is itself a zlib stream is inflated again, up to MAX_LAYERS deep."""
    layers: list[zlib._Decompress] = [zlib.decompressobj()]
    decided = [False]
    produced = 0

    def feed(level: int, chunk: bytes) -> None:
        nonlocal produced
        layer = layers[level]
        while chunk and produced <= limit and not layer.eof:
            out = layer.decompress(chunk, STEP)
            chunk = layer.unconsumed_tail
            if not decided[level]:
                decided[level] = True
                if level + 1 < MAX_LAYERS and _looks_like_zlib(out):
                    layers.append(zlib.decompressobj())
                    decided.append(False)
            if level + 1 < len(layers):
                try:
                    feed(level + 1, out)
                    continue
                except zlib.error:  # not a second layer after all
                    del layers[level + 1:]
            produced += len(out)

    position = start
    try:
        while position < len(data) and not layers[0].eof and produced <= limit:
            feed(0, data[position:position + STEP])
            position = min(position + STEP, len(data))
    except zlib.error:  # not Flate data, or damaged: the reader will say so
        pass
    stored = position - start - len(layers[0].unused_data) - len(layers[0].unconsumed_tail)
    return produced, max(stored, 1)


def inflation_problem(data: bytes, limit: int = MAX_INFLATED_BYTES) -> str | None:
    """Why this PDF's bytes are a decompression bomb, or None when no stream inflates that far."""
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - _DICT_LOOKBACK):match.start()]
        dictionary = head[head.rfind(b"obj") + 3:] if b"obj" in head else head
        if b"/Image" in dictionary or b"Flate" not in dictionary:
            continue
        produced, stored = _inflated_size(data, match.end(), limit)
        if produced > limit and produced / stored > MAX_RATIO:
            return (f"a Flate stream at byte {match.end()} stored in {stored:,} bytes inflates past "
                    f"{limit // 1024**2} MiB (more than {produced // stored:,}×)")
    return None
