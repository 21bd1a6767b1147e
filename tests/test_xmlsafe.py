"""The hardened XML entry point: budgets hold while streaming, DTDs are refused, sizes checked first."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from gwmerge.core import xmlsafe


class _Small(xmlsafe.Limits):
    max_part = 10 * 1024 * 1024
    max_read = 100_000
    ratio_floor = 1 << 30


def _package(**parts: bytes) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts.items():
            z.writestr(name.replace("__", "/"), data)
    buf.seek(0)
    return buf


def test_budget_stops_a_stream_inside_the_parser() -> None:
    package = _package(a=b"<r>" + b"<x>1</x>" * 200_000 + b"</r>")
    with xmlsafe.SafeZip(package, _Small) as z, z.open("a") as stream, pytest.raises(xmlsafe.Unsafe) as caught:
        for _ in xmlsafe.iterparse(stream, "a", ("x",)):
            pass
    assert "压缩炸弹" in caught.value.reason and caught.value.part == "a"


def test_budget_counts_every_part_read() -> None:
    package = _package(a=b"<r/>" + b" " * 60_000, b=b"<r/>" + b" " * 60_000)
    with xmlsafe.SafeZip(package, _Small) as z:
        z.read("a")
        with pytest.raises(xmlsafe.Unsafe):
            z.read("b")


@pytest.mark.parametrize("doctype", [b'<!DOCTYPE r [<!ENTITY e "x">]>', b'<!doctype r SYSTEM "http://x/">',
                                     b'<!ENTITY e SYSTEM "file:///etc/passwd">'])
def test_dtds_are_refused(doctype: bytes) -> None:
    with pytest.raises(xmlsafe.Unsafe):
        xmlsafe.parse(b'<?xml version="1.0"?>' + doctype + b"<r>&e;</r>", "p")
    with pytest.raises(xmlsafe.Unsafe):
        list(xmlsafe.iterparse(io.BytesIO(b'<?xml version="1.0"?>' + doctype + b"<r/>"), "p", ("r",)))


def test_undeclared_entities_are_an_error_not_a_lookup() -> None:
    with pytest.raises(etree.XMLSyntaxError):
        xmlsafe.parse(b"<r>&undefined;</r>", "p")


def test_sizes_are_checked_before_anything_is_read() -> None:
    class Tiny(xmlsafe.Limits):
        max_part = 1000

    with pytest.raises(xmlsafe.Unsafe) as caught:
        xmlsafe.SafeZip(_package(big=b"x" * 5000), Tiny)
    assert caught.value.part == "big"


def test_too_many_entries() -> None:
    class Few(xmlsafe.Limits):
        max_entries = 3

    with pytest.raises(xmlsafe.Unsafe):
        xmlsafe.SafeZip(_package(a=b"", b=b"", c=b"", d=b""), Few)
