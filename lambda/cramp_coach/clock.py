"""What time it is for the user: the request's own timestamp, in the device's time zone.

The time zone comes from the Alexa Settings API under a hard deadline, cached per device
(in the skill's warm memory, `zones` here) and in the session; otherwise the locale's default.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput

from .alexa_api import settings_time_zone, within
from .cache import BoundedCache
from .config import load_settings
from .content import content_for
from .envelope import device_key, session_attributes
from .records import NIGHT_BEGINS

log = logging.getLogger(__name__)

NIGHT_STARTS = NIGHT_BEGINS  # the night voice starts when a night begins (records.night_of)
NIGHT_ENDS = dt.time(7, 0)
TZ_SESSION_KEY = "tz"
ZoneCache = BoundedCache[str, tuple[str | None, float]]  # device -> (zone name, ask again at)
_TZ_KEEP_SECONDS = 6 * 3600
_TZ_RETRY_SECONDS = 300  # after a failed look-up, use the default for a while, don't re-ask


# A day inside datetime's range: any time zone can still place a moment between these.
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=1)


def request_time(handler_input: HandlerInput) -> dt.datetime:
    """The moment the user spoke (the request timestamp), as aware UTC.

    A timestamp no time zone can hold (year 1, year 9999) is not a moment: the server clock."""
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if isinstance(stamp, dt.datetime):
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
        if _EARLIEST <= stamp <= _LATEST:
            return stamp
    return dt.datetime.now(dt.UTC)


def zone_named(name) -> ZoneInfo | None:
    """The zone by name; None for anything else (the session's copy is client data)."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        return None


_UNKNOWN = object()


def _remembered_zone_name(zones: ZoneCache, key: str):
    """The skill's answer for this device while fresh (a name or None), else _UNKNOWN."""
    name, expires = zones.get(key) or (None, 0.0)
    return name if time.monotonic() < expires else _UNKNOWN


def _cached_zone_name(handler_input: HandlerInput, zones: ZoneCache, key: str) -> str | None:
    name = _remembered_zone_name(zones, key)
    if name is not _UNKNOWN:
        return name
    name = within(load_settings().alexa_api_timeout_seconds, settings_time_zone, handler_input)
    keep = _TZ_KEEP_SECONDS if zone_named(name) else _TZ_RETRY_SECONDS
    zones.put(key, (name, time.monotonic() + keep))
    return name


def time_zone(handler_input: HandlerInput, zones: ZoneCache, ask: bool = True) -> ZoneInfo:
    """The device's zone: session, the skill's cache, Settings API (capped), locale default.

    `ask=False` never calls the Settings API (a cramp answer does not wait for it): an
    unknown zone is the locale's default until a later request learns the device's own.
    """
    session = session_attributes(handler_input)
    zone = zone_named(session.get(TZ_SESSION_KEY))
    if zone:
        return zone
    key = device_key(handler_input)
    if not key:
        name = None
    elif ask:
        name = _cached_zone_name(handler_input, zones, key)
    else:
        name = _remembered_zone_name(zones, key)
        name = None if name is _UNKNOWN else name
    zone = zone_named(name)
    if zone is None:
        locale = getattr(handler_input.request_envelope.request, "locale", None)
        return ZoneInfo(content_for(locale).fact("default_time_zone"))
    session[TZ_SESSION_KEY] = name
    return zone


def local_time(handler_input: HandlerInput, zones: ZoneCache, ask: bool = True) -> dt.datetime:
    return request_time(handler_input).astimezone(time_zone(handler_input, zones, ask))


def is_night(local: dt.datetime) -> bool:
    moment = local.time()
    return moment >= NIGHT_STARTS or moment < NIGHT_ENDS
