"""Dates in, dates out: parse what front matter holds, apply the site's zone, format for feeds.

Every datetime that leaves this module is aware and carries a fixed offset
(:class:`datetime.timezone`), so the offset a post was written with survives into the feeds and
the SQLite index, and nothing depends on the host's ``TZ``.

A naive time in the site's zone can fall in a daylight-saving gap or fold. We resolve it the way
:pep:`495` does with ``fold=0``: a time in a gap is read with the offset in force before the gap
(so ``02:30`` on a spring-forward night becomes ``03:30`` after it), a time in a fold is the
first of its two occurrences. Never an error, never the host's zone.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

#: The shapes Jekyll sites write: date, optional time with fraction, optional ``Z``/offset.
_ISOISH = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(?:([Zz]|UTC|GMT)|([+-])(\d{1,2})(?::?(\d{2}))?)?"
)

#: A time as Ruby's ``Date._parse`` finds it, with the zone only when it follows the time.
_RUBY_TIME = re.compile(
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*([ap]m)\b)?"
    r"(?:\s*((?:gmt|utc)?[-+]\d{1,2}(?::?\d{2})?|z\b|gmt\b|utc\b))?",
    re.IGNORECASE,
)
_RUBY_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_RUBY_ZONE = re.compile(r"[-+]\d{2}:?\d{2}\b|\b(?:UTC|GMT|Z)\b", re.IGNORECASE)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: The Unix epoch: the earliest instant a post may have (every feed reader can show it; year 1
#: they misread or overflow), and what an empty feed is dated, so it is as stable as a full one.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class DateError(ValueError):
    """A value is not a date we can read; the message quotes it."""


@dataclass(frozen=True, slots=True)
class PostDate:
    """A post's time as the author meant it, and the instant Jekyll stamps the page with.

    ``meant`` is what feeds show. ``jekyll`` differs only for a naive YAML timestamp, which
    Jekyll (like YAML) reads as UTC; its date parts in the site zone make the permalink.
    """

    meant: datetime
    jekyll: datetime
    #: True when no offset was written (the site's zone was applied).
    naive: bool


def localize(naive: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time in ``zone`` as an aware, fixed-offset datetime (gap/fold: see module)."""
    aware = naive.replace(tzinfo=zone, fold=0)
    # Round-trip through UTC so a time in a gap moves to the wall time that exists.
    return fixed(aware.astimezone(UTC).astimezone(zone))


def fixed(dt: datetime) -> datetime:
    """``dt`` with its current offset frozen into a :class:`datetime.timezone`.

    An offset with seconds (local mean time, before a zone adopted standard time: New York
    before 1883 is -04:56:02) is rounded to the minute, keeping the wall time: RFC 3339 and
    RFC 822 offsets have no seconds.
    """
    offset = dt.utcoffset()
    assert offset is not None, "fixed() needs an aware datetime"
    if offset.seconds % 60 or offset.microseconds:
        offset = timedelta(minutes=round(offset.total_seconds() / 60))
    return dt.replace(tzinfo=timezone(offset), fold=0)


def parse(value: object, zone: tzinfo) -> PostDate:
    """Read a front-matter or file-name date.

    Accepts what PyYAML gives: ``datetime`` (naive or aware), ``date``, or ``str``
    (``2022-01-10 08:03:44 +0800`` arrives as a string). A string with no offset is in ``zone``
    for Jekyll too (Ruby's ``Time.parse`` reads local time); only a naive ``datetime`` — a YAML
    timestamp — is UTC to Jekyll.

    Raises:
        DateError: the value has no date in it, or one that does not exist.
    """
    try:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return PostDate(localize(value, zone), fixed(value.replace(tzinfo=UTC)), True)
            return _aware(fixed(value))
        if isinstance(value, date):
            return _naive(datetime.combine(value, time()), zone)
        if isinstance(value, str):
            return _parse_string(value.strip(), zone)
    except (OverflowError, ValueError) as e:
        if isinstance(e, DateError):
            raise
        shown = str(value) if isinstance(value, date) else repr(value)
        raise DateError(f"date {shown} is out of range: {e}") from e
    raise DateError(f"date must be a date or a string, not {type(value).__name__}")


def _aware(dt: datetime) -> PostDate:
    dt.astimezone(UTC)  # raises OverflowError for year 1 with a positive offset, and the like
    return PostDate(dt, dt, False)


def _naive(dt: datetime, zone: tzinfo) -> PostDate:
    meant = localize(dt, zone)
    return PostDate(meant, meant, True)


#: The shape the site's scrapers write (``2021-12-01 08:26:21 +0800``): read by
#: ``fromisoformat`` with the offset's zone cached, at half the cost of :data:`_ISOISH`'s path.
_USUAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}")


@functools.lru_cache(maxsize=256)
def _offset_zone(offset: str) -> timezone | None:
    """The zone of a ``+HHMM`` offset; ``None`` if out of range (the general path says so)."""
    delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
    if delta >= timedelta(hours=24):
        return None
    return timezone(-delta if offset[0] == "-" else delta)


def _parse_string(text: str, zone: tzinfo) -> PostDate:
    return _usual(text) or _parse_general(text, zone)


def _usual(text: str) -> PostDate | None:
    """``text`` if it is of the :data:`_USUAL` shape and a real instant; else ``None``, and the
    general path reads it (or says what is wrong)."""
    if len(text) != 25 or _USUAL.fullmatch(text) is None:
        return None
    offset = _offset_zone(text[20:])
    if offset is None:
        return None
    try:
        dt = datetime.fromisoformat(text[:19])
    except ValueError:
        return None
    return _aware(dt.replace(tzinfo=offset))


def _parse_general(text: str, zone: tzinfo) -> PostDate:
    """A date in any shape :data:`_ISOISH` takes, else in another Ruby reads."""
    m = _ISOISH.fullmatch(text)
    if m:
        year, month, day, hour, minute, second, frac, utc, sign, oh, om = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
        if utc:
            return _aware(dt.replace(tzinfo=UTC))
        if sign:
            offset = timedelta(hours=int(oh), minutes=int(om or 0))
            if offset >= timedelta(hours=24):
                raise DateError(f"date {text!r} has an offset out of range")
            return _aware(dt.replace(tzinfo=timezone(-offset if sign == "-" else offset)))
        return _naive(dt, zone)
    return _parse_free(text, zone)


def _parse_free(text: str, zone: tzinfo) -> PostDate:
    """Other forms Ruby's ``Time.parse`` takes (``Jan 10 2022 8:03``); a year, month and day
    must all be written, or it is an error rather than a guess.

    Like Ruby's ``Date._parse``, the time and a zone right after it are found first, then the
    date in what is left, and other words are ignored: ``2023-01-29 18:30:22 2023 -0800`` is
    18:30:22 in the site's zone (the ``-0800`` follows the year, not the time), as Jekyll has it.
    """
    if not any(c.isdigit() for c in text):
        raise DateError(f"not a date: {text!r}")
    found = _RUBY_TIME.search(text)
    rest = text[: found.start()] + " " + text[found.end() :] if found else text
    if found:
        # The date from what is left; a zone not right after the time is ignored, as in Ruby.
        ymd = _RUBY_DATE.search(rest)
        day = (
            _ymd(_RUBY_ZONE.sub(" ", rest))
            if ymd is None
            else date(int(ymd[1]), int(ymd[2]), int(ymd[3]))
        )
        hour, minute, second, frac, meridian, zone_text = found.groups()
        h = int(hour) % 12 + (12 if meridian.lower() == "pm" else 0) if meridian else int(hour)
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(day.year, day.month, day.day, h, int(minute), int(second or 0), micro)
        if zone_text:
            return _parse_string(f"{dt.isoformat()} {zone_text}", zone)
        return _naive(dt, zone)
    return _naive(datetime.combine(_ymd(text), time()), zone)


def _ymd(text: str) -> date:
    """The date in ``text`` by dateutil; a year, month and day must all be written."""
    # Imported here: only dates in no form the fast paths know need it, and a warm export,
    # which parses nothing, should not pay for it.
    from dateutil import parser as dateutil_parser

    try:
        one = dateutil_parser.parse(text, default=datetime(1, 1, 1))
        two = dateutil_parser.parse(text, default=datetime(2, 2, 2))
    except (ValueError, OverflowError) as e:
        raise DateError(f"not a date: {text.strip()!r}") from e
    if (one.year, one.month, one.day) != (two.year, two.month, two.day):
        raise DateError(f"not a date: {text.strip()!r} (needs a year, month and day)")
    return one.date()


def rfc3339(dt: datetime) -> str:
    """``2022-01-10T08:03:44+08:00`` for Atom and JSON Feed; fractions of a second dropped."""
    return dt.replace(microsecond=0).isoformat()


def rfc822(dt: datetime) -> str:
    """``Mon, 10 Jan 2022 08:03:44 +0800`` for RSS: English names and the post's own offset.

    Written by hand rather than with ``strftime`` or a locale switch, so it is right under any
    locale and safe in threads. An offset that is not a whole or half hour (Nepal's +0545,
    Chatham's +1245) is written as the same instant in UTC: the W3C validator, like older
    RFC 822 readers, knows only minutes 00 and 30 (``ProblematicalRFC822Date``).
    """
    offset = dt.utcoffset() or timedelta(0)
    if offset % timedelta(minutes=30):
        dt, offset = dt.astimezone(UTC), timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def http_date(dt: datetime) -> str:
    """``Mon, 10 Jan 2022 00:03:44 GMT`` for Last-Modified (RFC 9110 IMF-fixdate): the
    instant in UTC as :func:`rfc822` writes it, ``GMT`` for its offset."""
    return rfc822(dt.astimezone(UTC)).removesuffix("+0000") + "GMT"


_DAY = "(?:" + "|".join(_DAYS) + ")"
_MONTH = "(?P<month>" + "|".join(_MONTHS) + ")"
_TIME = "(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
#: RFC 9110 5.6.7's three forms: IMF-fixdate, then the obsolete rfc850-date and asctime-date.
_HTTP_DATES = (
    re.compile(rf"{_DAY}, (?P<day>[0-9]{{2}}) {_MONTH} (?P<year>[0-9]{{4}}) {_TIME} GMT"),
    re.compile(
        rf"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?P<day>[0-9]{{2}})-{_MONTH}-(?P<year>[0-9]{{2}}) {_TIME} GMT"
    ),
    re.compile(rf"{_DAY} {_MONTH} (?P<day>[0-9 ][0-9]) {_TIME} (?P<year>[0-9]{{4}})"),
)


def parse_http_date(value: str) -> datetime | None:
    """The instant of an HTTP-date (RFC 9110 5.6.7), or ``None`` for anything else: another
    format, a list of dates, an impossible day or a year before 1. Parsed by hand because
    ``email.utils`` takes far more than HTTP-dates and raises OverflowError on huge numbers."""
    for form in _HTTP_DATES:
        m = form.fullmatch(value.strip())
        if m is None:
            continue
        year = int(m["year"])
        if len(m["year"]) == 2:  # rfc850: more than 50 years ahead means the century before
            this_year = datetime.now(UTC).year
            year += this_year - this_year % 100
            if year > this_year + 50:
                year -= 100
        try:
            return datetime(
                year,
                _MONTHS.index(m["month"]) + 1,
                int(m["day"]),
                int(m["hour"]),
                int(m["minute"]),
                min(int(m["second"]), 59),
                tzinfo=UTC,
            )  # 60: a leap second
        except ValueError:
            return None
    return None
