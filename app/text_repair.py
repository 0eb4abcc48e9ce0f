"""Repair text extracted from legacy-encoded Vietnamese PDF documents."""

import unicodedata

_LEGACY_CHARS: dict[int, str] = str.maketrans(
    {
        "\u01a3": "\u01b0",  # ƣ (LATIN SMALL LETTER OI) -> ư
        "\u01a2": "\u01af",  # Ƣ (LATIN CAPITAL LETTER OI) -> Ư
        "\u00d0": "\u0110",  # Ð (LATIN CAPITAL LETTER ETH) -> Đ
    }
)


def repair_legacy_text(text: str) -> str:
    """Replace legacy look-alike letters with Vietnamese ones and return NFC text."""
    return unicodedata.normalize("NFC", text.translate(_LEGACY_CHARS))
