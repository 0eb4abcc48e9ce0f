"""How strong a new password must be: at least 10 characters, and not guessable (zxcvbn)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" against online attacks with throttling
MAX_LENGTH = 200
CHECKED_LENGTH = 100  # zxcvbn's cost grows with length; the first 100 characters decide


def password_problem(password: str, *, about_the_person: tuple[str, ...] = ()) -> str | None:
    """Why `password` is refused (a message for the user), or None if it is strong enough.
    `about_the_person` (name, email, sign-in name) counts as easy to guess."""
    if len(password) < MIN_LENGTH:
        return _l("Mật khẩu cần ít nhất %(count)d ký tự.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Mật khẩu dài tối đa %(count)d ký tự.", count=MAX_LENGTH)
    words = [part for text in about_the_person if text for part in (text, *text.replace("@", " ").split())]
    if zxcvbn(password[:CHECKED_LENGTH], user_inputs=words)["score"] < MIN_SCORE:
        return _l(
            "Mật khẩu này quá dễ đoán (phổ biến, theo quy luật, hoặc có tên, email của bạn). "
            "Hãy dùng một câu dài gồm vài từ không liên quan, hoặc thêm chữ, số và ký hiệu."
        )
    return None
