"""Reading a response body within a size cap and a deadline.

The cap applies twice: to the bytes on the wire and to the bytes once
``Content-Encoding`` is undone, so a small gzip bomb cannot expand into
gigabytes. Decompression is done here, with zlib's ``max_length``, instead of
by urllib3, so no decoder ever produces more than the cap allows.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import requests

from syndicate.fetch.deadline import Deadline
from syndicate.fetch.exceptions import (
    DeadlineExceededError,
    ResponseTooLargeError,
    UnsupportedEncodingError,
)

CHUNK_SIZE = 64 * 1024

# Content-Encoding token → zlib wbits (None: nothing to undo)
ENCODINGS: dict[str, int | None] = {
    "identity": None,
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,  # zlib-wrapped as the RFC says; raw deflate is accepted too
}


class _Decoder(Protocol):
    def decode(self, data: bytes) -> bytes: ...


class CappedInflater:
    """Streaming gzip/deflate decoding that refuses to produce more than ``limit`` bytes."""

    def __init__(self, wbits: int, limit: int) -> None:
        self._wbits = wbits
        self._limit = limit
        self._inflater = zlib.decompressobj(wbits)
        self._produced = 0
        self._fresh = True  # no input accepted yet: "deflate" may still turn out to be raw deflate
        self._members = 0  # gzip members completed (what follows the first may be garbage)
        self._done = False  # the stream ended; anything after it is ignored, as browsers do

    def decode(self, data: bytes) -> bytes:
        out = bytearray()
        pending = data
        while pending and not self._done:
            room = self._limit - self._produced - len(out)
            try:
                out += self._inflater.decompress(pending, room + 1)  # room + 1 >= 1 (0 would mean "no limit")
            except zlib.error as exc:
                if self._fresh and self._wbits == zlib.MAX_WBITS:  # "deflate" sent as raw deflate
                    self._wbits = -zlib.MAX_WBITS
                    self._inflater = zlib.decompressobj(self._wbits)
                    continue
                if self._members:  # garbage after a complete gzip member
                    self._done = True
                    break
                raise UnsupportedEncodingError(f"cannot decompress the response: {exc}") from None
            self._fresh = False
            if self._produced + len(out) > self._limit:
                raise ResponseTooLargeError(f"decompressed response is larger than max_bytes ({self._limit} bytes)")
            pending = self._inflater.unconsumed_tail
            if self._inflater.eof:
                self._members += 1
                pending = self._inflater.unused_data
                if self._wbits == 16 + zlib.MAX_WBITS:  # another gzip member may follow
                    self._inflater = zlib.decompressobj(self._wbits)
                else:
                    self._done = True
        self._produced += len(out)
        return bytes(out)


def decoders_for(content_encoding: str | None, limit: int) -> list[_Decoder]:
    """The decoders for a ``Content-Encoding`` header, in the order to apply them."""
    tokens = [t.strip().lower() for t in (content_encoding or "").split(",") if t.strip()]
    decoders: list[_Decoder] = []
    for token in reversed(tokens):  # the last encoding applied is undone first
        if token not in ENCODINGS:
            raise UnsupportedEncodingError(f"unsupported Content-Encoding {token!r}")
        wbits = ENCODINGS[token]
        if wbits is not None:
            decoders.append(CappedInflater(wbits, limit))
    return decoders


def check_content_length(value: str | None, max_bytes: int) -> None:
    """Fail at once when a declared ``Content-Length`` is over the cap."""
    if not value:
        return
    try:
        length = int(value.split(",")[0].strip())
    except ValueError:
        return
    if length > max_bytes:
        raise ResponseTooLargeError(f"Content-Length {length} is larger than max_bytes ({max_bytes} bytes)")


def read_capped(response: requests.Response, max_bytes: int, deadline: Deadline | None = None) -> bytes:
    """The decoded body of a ``stream=True`` response, at most ``max_bytes`` long.

    Raises :class:`ResponseTooLargeError` when the declared length, the bytes
    received or the decompressed bytes exceed ``max_bytes``;
    :class:`DeadlineExceededError` when ``deadline`` runs out between reads (a
    read blocked on a silent server is ended by :func:`~syndicate.fetch.transport.guarded`);
    :class:`UnsupportedEncodingError` for an encoding that cannot be undone. Network
    errors propagate as requests/urllib3/OSError exceptions. The response is
    closed unless it was read to the end (then its connection goes back to the pool).
    """
    complete = False
    try:
        check_content_length(response.headers.get("content-length"), max_bytes)
        decoders = decoders_for(response.headers.get("content-encoding"), max_bytes)
        raw = response.raw
        body = bytearray()
        received = 0
        while True:
            if deadline is not None and deadline.expired:
                raise DeadlineExceededError(deadline.message())
            chunk = raw.read1(CHUNK_SIZE, decode_content=False) or b""
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise ResponseTooLargeError(f"response is larger than max_bytes ({max_bytes} bytes)")
            for decoder in decoders:
                chunk = decoder.decode(chunk)
            body += chunk
            if len(body) > max_bytes:
                raise ResponseTooLargeError(f"response is larger than max_bytes ({max_bytes} bytes)")
        complete = True
        return bytes(body)
    finally:
        if not complete:
            response.close()
