"""Today where the wards are (Viet Nam), whatever zone the server's clock is in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WARD_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(WARD_ZONE).date()
