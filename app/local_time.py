"""Today where the wards are (Viet Nam), whatever zone the server's clock is in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

WARD_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(WARD_ZONE).date()


def utc_now() -> datetime:
    """Now in UTC, naive: what both databases store and give back in DateTime columns."""
    return datetime.now(UTC).replace(tzinfo=None)
