"""Files built to hurt, for the tests and the bench of issue 15: zip bombs (small zips that inflate to
gigabytes, honestly or with headers that understate it) and Word files of more paragraphs than any plan."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import cache

from docx import Document

MB = 1024 * 1024
WORD_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument'
              b'.wordprocessingml.document.main+xml"/></Types>')


def _deflated_zeros(size: int) -> bytes:
    """`size` (a whole number of MB) zero bytes deflated, as in a zip member: one flushed block,
    repeated (it refers to nothing before it), then an empty final block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * (size // MB) + b"\x03\x00"


@cache
def bomb(inflated: int, member: str = "[Content_Types].xml", *, declared: int | None = None,
         others: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    """A zip whose `member` inflates to `inflated` bytes of zeros (its headers saying `declared`,
    if given: a bomb that lies about its size), beside the small members `others`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in others:
            archive.writestr(name, data)
        archive.writestr(member, b"")  # its header, then its data replaced below
    data = buffer.getvalue()
    compressed, crc = _deflated_zeros(inflated), 0  # never checked: refused before the end
    size = declared if declared is not None else inflated
    # Rebuild the last member by hand: local header, data, then the central directory.
    local = data.rindex(b"PK\x03\x04")
    name = member.encode()
    header = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(compressed), size, len(name), 0)
    central_start = data.index(b"PK\x01\x02")
    centrals = data[central_start:data.index(b"PK\x05\x06")].split(b"PK\x01\x02")[1:]
    body = data[:local] + header + name + compressed
    directory = b""
    for entry in centrals[:-1]:
        directory += b"PK\x01\x02" + entry
    directory += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(compressed), size,
                             len(name), 0, 0, 0, 0, 0, local) + name
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(centrals), len(centrals), len(directory), len(body), 0)
    return body + directory + end


def word_of_paragraphs(count: int, text: str = "") -> bytes:
    """A .docx of `count` paragraphs (empty ones unless `text` is given)."""
    buffer = io.BytesIO()
    Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    paragraph = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode() if text else b"<w:p/>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>", 1)
                data = head + b"<w:body>" + paragraph * count + tail
            archive.writestr(item, data)
    return out.getvalue()
