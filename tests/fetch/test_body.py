"""Capped decompression, without a network (read_capped itself is tested over HTTP)."""

from __future__ import annotations

import gzip
import zlib

import pytest

from syndicate.fetch.body import CappedInflater, check_content_length, decoders_for
from syndicate.fetch.exceptions import ResponseTooLargeError, UnsupportedEncodingError

TEXT = b"<rss>" + b"<item>hello</item>" * 500 + b"</rss>"
GZIP = 16 + zlib.MAX_WBITS


def feed_in_pieces(decoder: CappedInflater, data: bytes, size: int) -> bytes:
    return b"".join(decoder.decode(data[i : i + size]) for i in range(0, len(data), size))


@pytest.mark.parametrize("size", [1, 7, 100, 100_000])
def test_gzip_in_any_chunking(size: int) -> None:
    assert feed_in_pieces(CappedInflater(GZIP, len(TEXT)), gzip.compress(TEXT), size) == TEXT


def test_gzip_members_are_joined() -> None:
    data = gzip.compress(TEXT[:1000]) + gzip.compress(TEXT[1000:])
    assert feed_in_pieces(CappedInflater(GZIP, len(TEXT)), data, 64) == TEXT


def test_garbage_after_gzip_is_ignored() -> None:
    data = gzip.compress(TEXT) + b"\n\x00garbage"
    assert CappedInflater(GZIP, len(TEXT)).decode(data) == TEXT


def test_deflate_zlib_and_raw() -> None:
    assert CappedInflater(zlib.MAX_WBITS, len(TEXT)).decode(zlib.compress(TEXT)) == TEXT
    raw = zlib.compress(TEXT)[2:-4]
    assert feed_in_pieces(CappedInflater(zlib.MAX_WBITS, len(TEXT)), raw, 50) == TEXT


@pytest.mark.parametrize("size", [1, 1000, 10_000_000])
def test_output_over_the_limit_raises(size: int) -> None:
    bomb = gzip.compress(b"\0" * 10_000_000)
    decoder = CappedInflater(GZIP, 4096)
    with pytest.raises(ResponseTooLargeError, match="4096 bytes"):
        feed_in_pieces(decoder, bomb, size)


def test_output_exactly_at_the_limit_is_fine() -> None:
    assert CappedInflater(GZIP, len(TEXT)).decode(gzip.compress(TEXT)) == TEXT
    with pytest.raises(ResponseTooLargeError):
        CappedInflater(GZIP, len(TEXT) - 1).decode(gzip.compress(TEXT))


def test_corrupt_gzip_is_an_error() -> None:
    with pytest.raises(UnsupportedEncodingError, match="cannot decompress"):
        CappedInflater(GZIP, 1000).decode(b"definitely not gzip")


@pytest.mark.parametrize(
    ("header", "count"),
    [(None, 0), ("", 0), ("identity", 0), ("gzip", 1), ("GZip", 1), ("deflate", 1), ("gzip, gzip", 2)],
)
def test_decoders_for(header: str | None, count: int) -> None:
    assert len(decoders_for(header, 100)) == count


@pytest.mark.parametrize("header", ["br", "zstd", "gzip, br", "compress"])
def test_unsupported_encodings(header: str) -> None:
    with pytest.raises(UnsupportedEncodingError, match="unsupported Content-Encoding"):
        decoders_for(header, 100)


def test_check_content_length() -> None:
    check_content_length(None, 10)
    check_content_length("10", 10)
    check_content_length("garbage", 10)
    with pytest.raises(ResponseTooLargeError, match="Content-Length 11"):
        check_content_length("11", 10)
