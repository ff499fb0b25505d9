"""The history's daily partitions: made ahead, idempotently; a fix with no day partition lands in the default
one and moves to its day's partition once made; whole days past the retention are dropped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.tracking.history.partitions import daily_partitions, partitions_drop, partitions_ensure
from apps.tracking.history.writer import fixes_record
from apps.tracking.tasks import maintain_history
from apps.tracking.tests.fixes import fix_at
from config.celery import app

DAY = date(2031, 5, 10)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _partition_of_each_fix() -> list[tuple[datetime, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT fixed_at, tableoid::regclass::text FROM tracking_position_record ORDER BY fixed_at")
        return list(cursor.fetchall())


def test_the_partitions_of_today_and_the_days_ahead_are_made_once(db):
    # when
    first = partitions_ensure(days_ahead=2, today=DAY)
    second = partitions_ensure(days_ahead=3, today=DAY)
    # then
    assert first == ["tracking_position_record_20310510", "tracking_position_record_20310511",
                     "tracking_position_record_20310512"]
    assert second == ["tracking_position_record_20310513"]
    assert daily_partitions() == {f"tracking_position_record_203105{n}": date(2031, 5, n) for n in (10, 11, 12, 13)}


def test_a_partition_holds_one_utc_day_and_a_fix_of_a_day_without_one_lands_in_the_default(db):
    # given
    partitions_ensure(days_ahead=0, today=DAY)
    # when
    fixes_record([fix_at(_at(DAY, 0)), fix_at(_at(DAY, 23) + timedelta(minutes=59, seconds=59)),
                  fix_at(_at(DAY + timedelta(days=1), 0)), fix_at(_at(DAY - timedelta(days=400)))])
    # then
    assert _partition_of_each_fix() == [
        (_at(DAY - timedelta(days=400)), "tracking_position_record_default"),
        (_at(DAY, 0), "tracking_position_record_20310510"),
        (_at(DAY, 23) + timedelta(minutes=59, seconds=59), "tracking_position_record_20310510"),
        (_at(DAY + timedelta(days=1), 0), "tracking_position_record_default"),
    ]


def test_making_a_day_partition_moves_that_days_fixes_out_of_the_default(db):
    # given: fixes of two days that have no partition yet
    fixes_record([fix_at(_at(DAY, 8)), fix_at(_at(DAY, 9)), fix_at(_at(DAY + timedelta(days=5), 9))])
    # when
    made = partitions_ensure(days_ahead=0, today=DAY)
    # then
    assert made == ["tracking_position_record_20310510"]
    assert _partition_of_each_fix() == [
        (_at(DAY, 8), "tracking_position_record_20310510"),
        (_at(DAY, 9), "tracking_position_record_20310510"),
        (_at(DAY + timedelta(days=5), 9), "tracking_position_record_default"),
    ]


def test_whole_days_before_the_retention_are_dropped_and_the_defaults_older_fixes_deleted(db):
    # given
    partitions_ensure(days_ahead=3, today=DAY)
    fixes_record([fix_at(_at(DAY, 6)), fix_at(_at(DAY + timedelta(days=2), 6)),
                  fix_at(_at(DAY - timedelta(days=30))), fix_at(_at(DAY + timedelta(days=1), 23))])
    # when
    dropped = partitions_drop(older_than=DAY + timedelta(days=2))
    # then
    assert dropped == ["tracking_position_record_20310510", "tracking_position_record_20310511"]
    assert daily_partitions() == {"tracking_position_record_20310512": date(2031, 5, 12),
                                  "tracking_position_record_20310513": date(2031, 5, 13)}
    assert _partition_of_each_fix() == [(_at(DAY + timedelta(days=2), 6), "tracking_position_record_20310512")]


def test_nothing_is_dropped_within_the_retention(db):
    # given
    partitions_ensure(days_ahead=1, today=DAY)
    fixes_record([fix_at(_at(DAY, 6)), fix_at(_at(DAY - timedelta(days=3)))])
    # when
    dropped = partitions_drop(older_than=DAY - timedelta(days=3))
    # then
    assert dropped == []
    assert len(daily_partitions()) == 2
    assert [partition for _, partition in _partition_of_each_fix()] == [
        "tracking_position_record_default", "tracking_position_record_20310510"]


@override_settings(TRACKING_HISTORY_DAYS_AHEAD=2, TRACKING_HISTORY_RETENTION_DAYS=10)
def test_the_daily_task_makes_the_days_ahead_and_drops_the_expired_ones(db):
    # given: a partition of a day past the retention
    today = timezone.now().date()
    old = today - timedelta(days=11)
    partitions_ensure(days_ahead=0, today=old)
    # when
    first = maintain_history()
    second = maintain_history()
    # then
    assert first == {"made": [f"tracking_position_record_{today + timedelta(days=n):%Y%m%d}" for n in range(3)],
                     "dropped": [f"tracking_position_record_{old:%Y%m%d}"]}
    assert second == {"made": [], "dropped": []}
    assert sorted(daily_partitions().values()) == [today, today + timedelta(days=1), today + timedelta(days=2)]


def test_beat_runs_the_task_daily():
    # when
    entry = settings.CELERY_BEAT_SCHEDULE["tracking-maintain-history"]
    # then
    assert entry == {"task": "tracking.maintain_history", "schedule": crontab(hour=0, minute=17)}
    assert app.tasks["tracking.maintain_history"].name == "tracking.maintain_history"
