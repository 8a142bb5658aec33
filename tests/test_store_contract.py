"""The CrampStore contract: what every implementation (DynamoDB, memory) promises the journeys."""

from __future__ import annotations

import datetime as dt

from cramp_coach.records import Cramp, Outcome, night_of

USER = "amzn1.ask.account.CONTRACT"
START = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


def cramp(n: int = 0, muscle: str = "calf") -> Cramp:
    at = START - dt.timedelta(hours=n)
    night = night_of(at.astimezone(dt.timezone(dt.timedelta(hours=-5))))
    return Cramp(at, night, muscle, "left", "logged", f"req-{n}", local_time="03:00")


def test_nothing_is_kept_before_consent(cramp_store):
    assert cramp_store.record_cramp(USER, cramp()) == Outcome.NOT_ASKED
    assert cramp_store.load_profile(USER) is None


def test_a_refusal_is_remembered_and_keeps_nothing_else(cramp_store):
    cramp_store.refuse_consent(USER)
    assert cramp_store.record_cramp(USER, cramp()) == Outcome.REFUSED
    found = cramp_store.history_since(USER, START - dt.timedelta(days=1))
    assert found.profile.consent == "no" and found.cramps == []


def test_each_cramp_counts_once(cramp_store):
    cramp_store.grant_consent(USER)
    for n in range(5):
        assert cramp_store.record_cramp(USER, cramp(n)) == Outcome.SAVED
    assert cramp_store.record_cramp(USER, cramp(2)) == Outcome.ALREADY_SAVED
    assert cramp_store.load_profile(USER).cramp_count == 5


def test_consent_and_its_cramp_are_kept_together(cramp_store):
    assert cramp_store.grant_consent(USER, cramp()) == Outcome.SAVED
    assert cramp_store.grant_consent(USER, cramp()) == Outcome.ALREADY_SAVED
    profile = cramp_store.load_profile(USER)
    assert profile.consented and profile.cramp_count == 1


def test_history_is_oldest_first_and_starts_where_asked(cramp_store):
    cramp_store.grant_consent(USER)
    for n in (30, 1, 5):  # hours before START
        cramp_store.record_cramp(USER, cramp(n, muscle=f"m{n}"))
    found = cramp_store.history_since(USER, START - dt.timedelta(hours=6))
    assert [c.muscle for c in found.cramps] == ["m5", "m1"]
    assert found.cramps[0] == cramp(5, muscle="m5")
    assert found.profile.consented


def test_latest_cramp_is_the_newest(cramp_store):
    cramp_store.grant_consent(USER)
    for n in (5, 1, 9):
        cramp_store.record_cramp(USER, cramp(n, muscle=f"m{n}"))
    found = cramp_store.latest_cramp(USER)
    assert found.profile.consented and [c.muscle for c in found.cramps] == ["m1"]


def test_profile_fields_are_set_changed_and_removed(cramp_store):
    cramp_store.update_profile(USER, consent="yes", notice_heard=True, tips={"next": 2})
    cramp_store.update_profile(USER, reminder_id="r-1", tips={"next": 3})
    profile = cramp_store.load_profile(USER)
    assert profile.get("notice_heard") is True and profile.get("tips") == {"next": 3}
    cramp_store.update_profile(USER, reminder_id=None)
    assert cramp_store.load_profile(USER).get("reminder_id") is None


def test_the_consent_guard_refuses_deleted_and_refusing_users(cramp_store):
    cramp_store.grant_consent(USER)
    assert cramp_store.update_profile(USER, if_consented=True, tips_heard=["a"])
    cramp_store.delete_user(USER)
    assert cramp_store.update_profile(USER, if_consented=True, tips_heard=["b"]) is False
    assert cramp_store.load_profile(USER) is None
    cramp_store.refuse_consent(USER)
    assert cramp_store.update_profile(USER, if_consented=True, reminder_id="r1") is False


def test_deletion_takes_everything_of_one_user_only(cramp_store):
    cramp_store.grant_consent(USER)
    for n in range(3):
        cramp_store.record_cramp(USER, cramp(n))
    cramp_store.update_profile("amzn1.ask.account.OTHER", consent="yes")
    assert cramp_store.delete_user(USER) == 4
    assert cramp_store.load_profile(USER) is None
    assert cramp_store.history_since(USER, START - dt.timedelta(days=9)).cramps == []
    assert cramp_store.load_profile("amzn1.ask.account.OTHER").consented


def test_the_expiry_is_the_stores_own_and_never_a_profile_field(cramp_store):
    cramp_store.update_profile(USER, notice_heard=True, expires_at=2_000_000_000)
    assert cramp_store.load_profile(USER).fields == {"notice_heard": True}
    cramp_store.grant_consent(USER, cramp())
    assert (
        "expires_at"
        not in cramp_store.history_since(USER, START - dt.timedelta(days=1)).profile.fields
    )
