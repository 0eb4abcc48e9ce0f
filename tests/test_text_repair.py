"""Legacy Vietnamese text (PDF look-alikes, TCVN3, VNI, 8-bit files) repaired to Unicode NFC."""

import importlib.util
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "tenants" / "sources" / "ke-hoach-dan-van-chinh-quyen-phu-son-2025.txt"
TEMPLATES = sorted((ROOT / "tenants" / "plan_templates").glob("*.yaml"))


def _load_text_repair() -> ModuleType:
    """app/text_repair.py by its path: it must work without the app package."""
    spec = importlib.util.spec_from_file_location("_text_repair_standalone", ROOT / "app" / "text_repair.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tr = _load_text_repair()

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, sắc, huyền, hỏi, ngã, nặng
PLAIN_LETTERS = "".join(unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES)
# The 134 letters of Vietnamese outside ASCII: 67 lowercase, 67 capitals.
LOWER = "".join(c for c in PLAIN_LETTERS if not c.isascii()) + "đ"
LETTERS = LOWER + LOWER.upper()


# --- encoders built from the module's own tables (test side only) ---------------------------


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 characters. A word all in capitals is written as in a .VnTimeH font:
    ASCII capitals, and the lowercase bytes for the Vietnamese letters."""
    inverse = {letter: byte for byte, letter in tr.TCVN3_TO_UNICODE.items()}
    out = []
    for word in _words(text):
        letters = [c for c in word if c.isalpha()]
        capitals = bool(letters) and all(c.isupper() for c in letters) and not word.isascii()
        for char in word:
            if char.isascii():
                out.append(char)
            elif capitals:
                out.append(inverse[char.lower()])
            elif char in inverse:
                out.append(inverse[char])
            elif char.isalpha() and char.lower() in LOWER:
                raise ValueError(f"TCVN3 has no capital {char!r} in a mixed-case word: {word!r}")
            else:
                out.append(char)
    return "".join(out)


def encode_vni(text: str) -> str:
    """Unicode -> VNI characters: base letter + mark character, or the VNI letter itself."""
    letters = {letter: byte for byte, letter in tr.VNI_LETTERS.items()}
    return "".join(_vni_char(char, letters) for char in unicodedata.normalize("NFC", text))


def _vni_char(char: str, letters: dict[str, str]) -> str:
    if char.isascii() or unicodedata.normalize("NFD", char) == char and char not in letters:
        return char
    if char in letters:
        return letters[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if marks.startswith("\u031b"):  # horn: ơ / ư, then the tone
        base, marks = letters[unicodedata.normalize("NFC", base + "\u031b")], marks[1:]
    for mark, (sequence, bases) in tr.VNI_MARKS.items():
        if sorted(sequence) == sorted(marks) and base in bases and mark.isupper() == base.isupper():
            return base + mark
    raise ValueError(f"no VNI encoding for {char!r}")


def _words(text: str) -> list[str]:
    """`text` cut into runs of letters and runs of everything else."""
    runs: list[str] = []
    for char in text:
        if runs and runs[-1][-1].isalpha() == char.isalpha():
            runs[-1] += char
        else:
            runs.append(char)
    return runs


# --- repair_legacy_text ------------------------------------------------------------------------


def test_repair_legacy_text_maps_look_alikes_and_composes() -> None:
    assert tr.repair_legacy_text("Chủ trƣơng, NHÀ NƢỚC, Ðảng, ðoàn thể") == "Chủ trương, NHÀ NƯỚC, Đảng, đoàn thể"
    assert tr.repair_legacy_text("Hoa\u0300 ƣ\u0301") == "Hoà ứ"


# --- the tables --------------------------------------------------------------------------------


def test_there_are_134_letters() -> None:
    assert len(LETTERS) == 134 == len(set(LETTERS))


def test_tcvn3_round_trips_every_letter() -> None:
    lower = LETTERS[:67]
    assert tr.tcvn3_to_unicode(encode_tcvn3(lower)) == lower
    # Capitals: the seven plain ones have bytes of their own, the rest come from a capitals font.
    assert tr.tcvn3_to_unicode("\xa1\xa2\xa3\xa4\xa5\xa6\xa7") == "ĂÂÊÔƠƯĐ"
    assert tr.tcvn3_to_unicode(encode_tcvn3("Ăn Âu Êm Ôm Ơn Ưng Đi")) == "Ăn Âu Êm Ôm Ơn Ưng Đi"
    for letter in LETTERS[67:]:
        encoded = encode_tcvn3(letter)
        assert len(encoded) == 1 and not encoded.isascii(), letter
        assert tr.tcvn3_to_unicode(encoded, uppercase=True) == letter
        # In a word of ASCII capitals the capitals font is recognised without being told.
        assert tr.tcvn3_to_unicode(encode_tcvn3(f"T{letter}NG")) == f"T{letter}NG"


def test_tcvn3_bytes_are_the_abc_ones() -> None:
    """A few bytes checked by hand against the ABC layout (0xB5 à, 0xD6 ệ, 0xAD ư, 0xAE đ)."""
    assert tr.tcvn3_to_unicode("\xb5\xd6\xad\xae\xa7") == "àệưđĐ"
    assert tr.tcvn3_to_unicode("T\xadíng") == "Tướng"


def test_vni_round_trips_every_letter() -> None:
    for letter in LETTERS:
        encoded = encode_vni(letter)
        assert not encoded.isascii(), letter
        assert encoded != letter or letter in "íìÍÌ", letter  # VNI keeps í and ì as they are
        assert tr.vni_to_unicode(encoded) == letter, (letter, encoded)
    assert tr.vni_to_unicode(encode_vni(LETTERS)) == LETTERS


def test_vni_bytes_are_the_vni_windows_ones() -> None:
    assert tr.vni_to_unicode("aù aø aû aõ aï") == "á à ả ã ạ"
    assert tr.vni_to_unicode("ñ Ñ ô ö ó ò æ î") == "đ Đ ơ ư ĩ ị ỉ ỵ"


# --- real-world strings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "encoding", "unicode"),
    [
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "tcvn3", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "tcvn3", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("§éc lËp - Tù do - H¹nh phóc", "tcvn3", "Độc lập - Tự do - Hạnh phúc"),
        ("Sè: 15/KH-UBND", "tcvn3", "Số: 15/KH-UBND"),
        ("UBND X· QUANG TRUNG\t§éc lËp - Tù do - H¹nh phóc", "tcvn3",
         "UBND XÃ QUANG TRUNG\tĐộc lập - Tự do - Hạnh phúc"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "vni", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "vni", "Độc lập - Tự do - Hạnh phúc"),
        ("Ñaø Naüng, saün coù", "vni", "Đà Nẵng, sẵn có"),
    ],
)
def test_real_world_strings_are_detected_and_converted(legacy: str, encoding: str, unicode: str) -> None:
    assert tr.to_unicode(legacy, encoding) == unicode
    if legacy != "Sè: 15/KH-UBND":  # two words, one Vietnamese: too little to tell
        assert tr.detect_legacy(legacy) == encoding
        assert tr.to_unicode(legacy) == unicode


def test_tcvn3_capitals_font_converts_to_capitals() -> None:
    assert tr.tcvn3_to_unicode("kÕ ho¹ch", uppercase=True) == "KẾ HOẠCH"


def test_forced_encoding_must_be_known() -> None:
    with pytest.raises(ValueError):
        tr.to_unicode("abc", "viscii")


# --- never touching Unicode Vietnamese or English -----------------------------------------------


def _yaml_strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in _yaml_strings(key) + _yaml_strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _yaml_strings(item)]
    return []


def test_seed_file_is_never_taken_for_legacy_text() -> None:
    seed = SEED_PATH.read_text(encoding="utf-8")
    assert tr.detect_legacy(seed) is None
    assert tr.to_unicode(seed) == unicodedata.normalize("NFC", seed)
    for line in seed.splitlines():
        assert tr.detect_legacy(line) is None, line
        assert tr.to_unicode(line) == unicodedata.normalize("NFC", line)


def test_template_texts_are_never_taken_for_legacy_text() -> None:
    strings = [s for path in TEMPLATES for s in _yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert len(strings) > 100
    changed = [s for s in strings if tr.to_unicode(s) != s or tr.detect_legacy(s) is not None]
    assert not changed


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog.",
        "Café au lait, naïve résumé, Müller für Größe; © 2025 Société Générale.",
        "công tác dân vận",  # Vietnamese with Latin-1 letters only
        "Tôi đi học",
        "Hoà bình, khéo léo, cá tính, bé nhỏ",
        "",
    ],
)
def test_unicode_and_english_are_kept(text: str) -> None:
    assert tr.detect_legacy(text) is None
    assert tr.to_unicode(text) == text


# --- 8-bit files -----------------------------------------------------------------------------------


def test_decode_legacy_bytes_tells_the_encodings_apart() -> None:
    sentence = "Căn cứ Chỉ thị số 33/CT-TTg của Thủ tướng Chính phủ về công tác dân vận"
    assert tr.decode_legacy_bytes(encode_tcvn3(sentence).encode("cp1252")) == sentence
    assert tr.decode_legacy_bytes(encode_vni(sentence).encode("cp1252")) == sentence
    assert tr.decode_legacy_bytes(_cp1258_form(sentence).encode("cp1258")) == sentence
    assert tr.decode_legacy_bytes("Café crème brûlée".encode("cp1252")) == "Café crème brûlée"


def _cp1258_form(text: str) -> str:
    """Windows-1258 spelling: letters with their shape marks precomposed, tones combining."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        shape = "".join(m for m in decomposed[1:] if m not in TONES)
        tone = "".join(m for m in decomposed[1:] if m in TONES)
        out.append(unicodedata.normalize("NFC", decomposed[0] + shape) + tone)
    return "".join(out)


def test_repair_text_converts_then_repairs() -> None:
    assert tr.repair_text("Chñ tr\xad¬ng cña §¶ng vµ Nhµ n\xadíc") == "Chủ trương của Đảng và Nhà nước"
    assert tr.repair_text("Chủ trƣơng") == "Chủ trương"
