"""Zip archives opened without trusting them (Word and Excel files, unit archives).

Before anything reads a member whole, every member's declared inflated size is added up against a
cap, then every member is inflated as a stream, a chunk at a time, counting what really comes out:
a zip bomb (a small file that inflates to gigabytes, or whose headers understate what it holds) is
refused after at most `max_total` bytes of work, holding one chunk in memory.
"""

from __future__ import annotations

import io
import zipfile
import zlib

__all__ = ["ZipRefused", "checked_zip", "inflation_cap"]

CHUNK = 64 * 1024
MAX_MEMBERS = 5_000  # a Word file has a few dozen parts; a unit archive one per evidence file
MB = 1024 * 1024


def inflation_cap(size: int, ceiling: int, *, ratio: int = 100, floor: int = 64 * MB) -> int:
    """How far a zip of `size` bytes may inflate: `ratio` times its size (Word and Excel files
    inflate 5 to 20 times, zip bombs a thousand), at least `floor`, at most `ceiling`."""
    return min(ceiling, max(floor, ratio * size))


class ZipRefused(ValueError):
    """Not a readable zip (`too_big` False) or one that inflates beyond its cap (`too_big` True)."""

    def __init__(self, reason: str, *, too_big: bool) -> None:
        super().__init__(reason)
        self.too_big = too_big


def checked_zip(data: bytes, max_total: int, *, max_members: int = MAX_MEMBERS) -> zipfile.ZipFile:
    """`data` opened as a zip whose members inflate, all together, to at most `max_total` bytes,
    each exactly to its declared size and checksum; ZipRefused otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ZipRefused(f"not a zip archive ({error})", too_big=False) from error
    if len(members) > max_members:
        raise ZipRefused(f"{len(members)} members (at most {max_members})", too_big=True)
    declared = sum(member.file_size for member in members)
    if declared > max_total:
        raise ZipRefused(f"declares {declared} bytes inflated (at most {max_total})", too_big=True)
    inflated = 0
    for member in members:
        try:
            with archive.open(member) as stream:
                # zipfile stops at the declared size and then checks the CRC: a member that holds
                # more than it declares ends with BadZipFile, never reads past the cap.
                while chunk := stream.read(CHUNK):
                    inflated += len(chunk)
                    if inflated > max_total:
                        raise ZipRefused(f"inflates beyond {max_total} bytes", too_big=True)
        except ZipRefused:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError,
                zlib.error) as error:  # damaged, encrypted, or an unknown compression
            raise ZipRefused(f"member {member.filename!r} cannot be read ({error})", too_big=False) from error
    return archive
