from __future__ import annotations

import locale
import time
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil import parser as dateutil_parser
from hypothesis import example, given
from hypothesis import strategies as st

from feeds import dates

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(params=["UTC", "America/Los_Angeles", "Asia/Kolkata"])
def host_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test under several host time zones: the result must never depend on it."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_written_offset_is_kept_whatever_the_host_zone(host_tz: str) -> None:
    d = dates.parse("2022-01-10 08:03:44 +0800", SHANGHAI)
    assert dates.rfc3339(d.meant) == "2022-01-10T08:03:44+08:00"
    assert dates.rfc822(d.meant) == "Mon, 10 Jan 2022 08:03:44 +0800"
    assert not d.naive


def test_naive_yaml_timestamp_is_site_time_for_us_and_utc_for_jekyll(host_tz: str) -> None:
    d = dates.parse(datetime(2021, 12, 8, 20, 0, 0), SHANGHAI)
    assert dates.rfc3339(d.meant) == "2021-12-08T20:00:00+08:00"
    assert d.jekyll.astimezone(SHANGHAI).date() == date(2021, 12, 9)
    assert d.naive


def test_naive_string_and_date_alone_are_site_time_for_both() -> None:
    s = dates.parse("2021-12-08 20:00", SHANGHAI)
    assert dates.rfc3339(s.meant) == "2021-12-08T20:00:00+08:00"
    assert s.jekyll == s.meant
    d = dates.parse(date(2021, 12, 8), SHANGHAI)
    assert dates.rfc3339(d.meant) == "2021-12-08T00:00:00+08:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-05-06 08:00:00 +05:45", "2022-05-06T08:00:00+05:45"),
        ("2022-05-06T08:00:00Z", "2022-05-06T08:00:00+00:00"),
        ("2022-05-06 08:00:00 -0500", "2022-05-06T08:00:00-05:00"),
        ("2022-05-06 08:00:00.123456 +0800", "2022-05-06T08:00:00+08:00"),
        ("2022-5-6", "2022-05-06T00:00:00+08:00"),
        ("Jan 10 2022 08:03:44", "2022-01-10T08:03:44+08:00"),
    ],
)
def test_string_shapes(text: str, expected: str) -> None:
    assert dates.rfc3339(dates.parse(text, SHANGHAI).meant) == expected


def test_aware_yaml_timestamp_keeps_its_offset() -> None:
    dt = datetime(2022, 5, 6, 8, 0, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    assert dates.rfc3339(dates.parse(dt, SHANGHAI).meant) == "2022-05-06T08:00:00+05:45"


def test_dst_gap_moves_forward_and_fold_takes_the_first() -> None:
    gap = dates.parse("2021-03-14 02:30:00", NEW_YORK).meant
    assert dates.rfc3339(gap) == "2021-03-14T03:30:00-04:00"
    fold = dates.parse("2021-11-07 01:30:00", NEW_YORK).meant
    assert dates.rfc3339(fold) == "2021-11-07T01:30:00-04:00"
    winter = dates.parse("2021-12-07 01:30:00", NEW_YORK).meant
    assert dates.rfc3339(winter) == "2021-12-07T01:30:00-05:00"


@pytest.mark.parametrize(
    "bad",
    [
        "+0800",
        "nonsense",
        "",
        "2021-02-30",
        "2021-13-01",
        "0001-01-01 00:00:00 +0800",
        "9999-12-31 23:00:00 -0500",
        "10 Jan",
        [1, 2],
        12,
    ],
)
def test_unreadable_dates_are_errors(bad: object) -> None:
    with pytest.raises(dates.DateError):
        dates.parse(bad, SHANGHAI)


def test_year_one_and_9999_in_utc_are_fine() -> None:
    assert dates.parse("0001-01-01 00:00:00", ZoneInfo("UTC")).meant.year == 1
    assert dates.parse("9999-12-31 23:59:59", ZoneInfo("UTC")).meant.year == 9999


def test_rfc822_ignores_the_locale() -> None:
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "zh_CN.UTF-8"):
        try:
            old = locale.setlocale(locale.LC_TIME)
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            assert (
                dates.rfc822(datetime(2022, 1, 10, 8, 3, 44, tzinfo=timezone(timedelta(hours=8))))
                == "Mon, 10 Jan 2022 08:03:44 +0800"
            )
        finally:
            locale.setlocale(locale.LC_TIME, old)


@pytest.mark.parametrize(
    ("minutes", "written"),
    [
        (8 * 60, "Mon, 10 Jan 2022 08:03:44 +0800"),
        (5 * 60 + 30, "Mon, 10 Jan 2022 08:03:44 +0530"),
        (-(3 * 60 + 30), "Mon, 10 Jan 2022 08:03:44 -0330"),
        (5 * 60 + 45, "Mon, 10 Jan 2022 02:18:44 +0000"),  # Nepal
        (12 * 60 + 45, "Sun, 09 Jan 2022 19:18:44 +0000"),  # Chatham: the day before in UTC
    ],
)
def test_rfc822_keeps_whole_and_half_hour_offsets_and_writes_others_in_utc(
    minutes: int, written: str
) -> None:
    # The W3C validator warns ProblematicalRFC822Date for any offset minutes but 00 and 30.
    assert (
        dates.rfc822(datetime(2022, 1, 10, 8, 3, 44, tzinfo=timezone(timedelta(minutes=minutes))))
        == written
    )


def test_http_date_is_gmt() -> None:
    dt = datetime(2022, 1, 10, 8, 3, 44, tzinfo=timezone(timedelta(hours=8)))
    assert dates.http_date(dt) == "Mon, 10 Jan 2022 00:03:44 GMT"


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 10 Jan 2022 00:03:44 GMT",  # IMF-fixdate
        "Monday, 10-Jan-22 00:03:44 GMT",  # rfc850-date
        "Mon Jan 10 00:03:44 2022",  # asctime-date
        "  Mon, 10 Jan 2022 00:03:44 GMT ",
    ],
)
def test_the_three_http_date_forms_are_read(value: str) -> None:
    assert dates.parse_http_date(value) == datetime(2022, 1, 10, 0, 3, 44, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 10 Jan 2022 00:03:44 +0000",
        "Mon, 31 Feb 2022 00:03:44 GMT",
        "2022-01-10T00:03:44Z",
        "Mon, 10 Jan 2022 00:03:44 GMT, Tue, 11 Jan 2022 00:03:44 GMT",
        "Mon, 10 Jan 99999999999999999999 00:03:44 GMT",
        "",
    ],
)
def test_anything_else_is_no_http_date(value: str) -> None:
    assert dates.parse_http_date(value) is None


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
moments = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=offsets
)


@given(moments)
def test_formats_round_trip_to_the_same_instant_and_offset(dt: datetime) -> None:
    dt = dt.replace(microsecond=0)
    back = datetime.fromisoformat(dates.rfc3339(dt))
    assert back == dt and back.utcoffset() == dt.utcoffset()
    rfc = dateutil_parser.parse(dates.rfc822(dt))
    offset = dt.utcoffset()
    assert rfc == dt and rfc.utcoffset() == (
        offset if offset and not offset % timedelta(minutes=30) else timedelta(0)
    )
    assert dates.parse(dates.rfc3339(dt), SHANGHAI).meant == dt


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30)),
    st.sampled_from(
        ["America/New_York", "Europe/London", "Asia/Shanghai", "Australia/Lord_Howe", "UTC"]
    ),
)
@example(datetime(1900, 1, 2), "Asia/Shanghai")  # local mean time, +08:05:43
def test_any_naive_time_localizes_without_error(naive: datetime, zone: str) -> None:
    z = ZoneInfo(zone)
    got = dates.localize(naive, z)
    wall = got.replace(tzinfo=None)
    # the wall time shown is one that exists in the zone, with the zone's offset there (local
    # mean time's offset with seconds, Shanghai's +08:05:43 before 1901, rounded to the minute)...
    assert wall.replace(tzinfo=z).astimezone(UTC).astimezone(z).replace(tzinfo=None) == wall
    assert abs(got.utcoffset() - wall.replace(tzinfo=z).utcoffset()) <= timedelta(seconds=30)
    # ...and outside a gap it is the time as written
    exists = naive.replace(tzinfo=z).astimezone(UTC).astimezone(z).replace(tzinfo=None) == naive
    if exists:
        assert got.replace(tzinfo=None) == naive


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_a_date_error(text: str) -> None:
    try:
        d = dates.parse(text, SHANGHAI)
    except dates.DateError:
        return
    assert d.meant.utcoffset() is not None


@given(moments)
def test_http_dates_read_back(dt: datetime) -> None:
    assert dates.parse_http_date(dates.http_date(dt)) == dt.replace(microsecond=0)


def test_local_mean_time_offsets_are_rounded_to_the_minute() -> None:
    # New York before 1883 kept its own solar time, -04:56:02; feed formats have no seconds.
    d = dates.parse("1880-01-01 12:00", NEW_YORK).meant
    assert (d.hour, d.minute, d.utcoffset()) == (12, 0, -timedelta(hours=4, minutes=56))
    assert dates.rfc3339(d) == "1880-01-01T12:00:00-04:56"
    assert dates.rfc822(d) == "Thu, 01 Jan 1880 16:56:00 +0000"  # not a half hour: in UTC


def test_a_fraction_of_a_second_is_read_as_a_fraction() -> None:
    assert dates.parse("2022-05-06 08:00:00.5 +0800", SHANGHAI).meant.microsecond == 500_000
    assert dates.parse("2022-05-06 08:00:00.000123456 +0800", SHANGHAI).meant.microsecond == 123


def test_an_offset_of_a_whole_day_or_more_is_refused_by_name() -> None:
    assert dates.parse("2022-05-06 08:00 +2359", SHANGHAI).meant.utcoffset() == timedelta(
        hours=23, minutes=59
    )
    with pytest.raises(dates.DateError, match=r"has an offset out of range"):
        dates.parse("2022-05-06 08:00 +2400", SHANGHAI)


def _outcome(read: object, text: str) -> object:
    """What reading ``text`` gives: the date, its offset, or the error's type and message."""
    try:
        d = read(text, SHANGHAI)  # type: ignore[operator]
    except (ValueError, OverflowError) as e:
        return type(e), str(e)
    return d, d.meant.utcoffset(), d.jekyll.utcoffset()


def _mostly(low: int, high: int, top: int) -> st.SearchStrategy[int]:
    """Numbers mostly in ``low..high``, sometimes anywhere up to ``top``."""
    return (
        st.integers(low, high)
        | st.integers(low, high)
        | st.integers(low, high)
        | st.integers(0, top)
    )


@given(
    st.tuples(
        _mostly(1900, 2100, 9999),
        _mostly(1, 12, 99),
        _mostly(1, 31, 99),
        _mostly(0, 23, 99),
        _mostly(0, 59, 99),
        _mostly(0, 59, 99),
        st.sampled_from("+-"),
        _mostly(0, 1400, 9999),
    )
)
@example((2021, 12, 1, 8, 26, 21, "+", 800))
@example((1, 1, 1, 0, 0, 0, "+", 100))  # before the epoch, and out of range in UTC
@example((2021, 2, 29, 0, 0, 0, "-", 2400))
@example((2021, 12, 31, 23, 59, 59, "-", 530))
def test_the_usual_shape_reads_as_the_general_path_reads_it(
    parts: tuple[int, int, int, int, int, int, str, int],
) -> None:
    # The shape the site writes is read by fromisoformat (dates._usual); it must give what the
    # general path gives, offset included, and leave it every value it cannot read.
    *numbers, sign, offset = parts
    text = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d} ".format(*numbers) + f"{sign}{offset:04d}"
    general = _outcome(dates._parse_general, text)
    assert _outcome(dates._parse_string, text) == general
    if isinstance(general[0], dates.PostDate):
        fast = dates._usual(text)
        assert fast is not None, "the usual shape must take the fast path"
        assert (fast, fast.meant.utcoffset()) == general[:2]
