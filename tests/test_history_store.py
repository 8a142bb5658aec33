"""The store against moto: counted exactly once, TTL set, concurrency, paging, deletion."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest
from cramp_coach import store
from dynamo import DYNAMO, CallCounter, all_items

USER = "amzn1.ask.account.STORE"
START = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


def cramp(n: int = 0, event_id: str | None = None, muscle: str = "calf") -> store.Cramp:
    at = START - dt.timedelta(hours=n)
    return store.Cramp(
        at=at,
        night=store.night_of(at.astimezone(dt.timezone(dt.timedelta(hours=-5)))),
        muscle=muscle,
        side="left",
        source="logged",
        event_id=event_id or f"req-{n}",
        local_time="03:00",
    )


def test_nothing_is_stored_before_consent(table):
    assert DYNAMO.record_cramp(USER, cramp()) == store.NOT_ASKED
    assert all_items() == []


def test_a_refusal_is_all_that_is_stored(table):
    DYNAMO.refuse_consent(USER)
    assert DYNAMO.record_cramp(USER, cramp()) == store.REFUSED
    items = all_items()
    assert [i["sk"]["S"] for i in items] == ["PROFILE"]
    assert items[0]["consent"]["S"] == "no"


def test_many_logs_give_exact_counts_and_repeats_count_once(table):
    DYNAMO.grant_consent(USER)
    for n in range(40):
        assert DYNAMO.record_cramp(USER, cramp(n)) == store.SAVED
    for n in range(0, 40, 3):  # retried requests / same episodes
        assert DYNAMO.record_cramp(USER, cramp(n)) == store.ALREADY_SAVED
    assert DYNAMO.load_profile(USER).cramp_count == 40
    assert len(DYNAMO.history_since(USER, START - dt.timedelta(days=5)).cramps) == 40


def test_every_item_expires_counted_from_when_it_is_written(table, monkeypatch):
    monkeypatch.setenv("CRAMP_RETENTION_DAYS", "30")
    old = store.Cramp(
        dt.datetime(1001, 1, 2, 8, tzinfo=dt.UTC), dt.date(1001, 1, 1), "calf", None, "logged", "r"
    )
    DYNAMO.grant_consent(USER, cramp())
    DYNAMO.record_cramp(USER, old)  # DynamoDB's TTL ignores expiries five years in the past
    soon = time.time() + 30 * 86400
    items = all_items()
    assert len(items) == 3
    assert all(abs(int(i["expires_at"]["N"]) - soon) < 60 for i in items)
    event = next(i for i in items if i["sk"]["S"].endswith("#req-0"))
    assert event["night"]["S"] == "2026-11-25"  # 3 a.m. belongs to the night before


def test_recording_is_one_write_and_no_read(table):
    DYNAMO.grant_consent(USER)
    counter = CallCounter()
    store.within_deadline(DYNAMO, 2.0, DYNAMO.record_cramp, USER, cramp())
    assert dict(counter.calls) == {"TransactWriteItems": 1}


def test_history_pages_through_large_histories(table, monkeypatch):
    monkeypatch.setattr(store, "PAGE_SIZE", 7)
    DYNAMO.grant_consent(USER)
    for n in range(30):
        DYNAMO.record_cramp(USER, cramp(n))
    counter = CallCounter()
    found = DYNAMO.history_since(USER, START - dt.timedelta(days=3))
    assert len(found.cramps) == 30 and found.profile.consented
    assert counter.calls["Query"] == 5  # 31 items, 7 a page
    assert counter.calls.get("Scan", 0) == 0


def test_latest_cramp_is_one_query(table):
    DYNAMO.grant_consent(USER)
    for n in (5, 1, 9):
        DYNAMO.record_cramp(USER, cramp(n, muscle=f"m{n}"))
    counter = CallCounter()
    found = DYNAMO.latest_cramp(USER)
    assert found.profile.consented and [c.muscle for c in found.cramps] == ["m1"]
    assert dict(counter.calls) == {"Query": 1}


def test_delete_user_removes_every_item_in_batches(table):
    DYNAMO.grant_consent(USER)
    for n in range(60):
        DYNAMO.record_cramp(USER, cramp(n))
    DYNAMO.update_profile("amzn1.ask.account.OTHER", consent="yes")
    counter = CallCounter()
    assert DYNAMO.delete_user(USER) == 61
    assert counter.calls["BatchWriteItem"] == 3
    left = all_items()
    assert [i["sk"]["S"] for i in left] == ["PROFILE"]
    assert left[0]["pk"]["S"] == store.user_key("amzn1.ask.account.OTHER")


def test_unprocessed_deletes_are_sent_again(table):
    DYNAMO.grant_consent(USER)
    for n in range(3):
        DYNAMO.record_cramp(USER, cramp(n))
    real = store.client().batch_write_item
    calls = []

    def first_time_half_done(**kwargs):
        calls.append(kwargs)
        requests = kwargs["RequestItems"]
        if len(calls) == 1:  # DynamoDB may process part of a batch and hand back the rest
            name, items = next(iter(requests.items()))
            real(RequestItems={name: items[:2]})
            return {"UnprocessedItems": {name: items[2:]}}
        return real(**kwargs)

    client = store.client()
    original = client.batch_write_item
    client.batch_write_item = first_time_half_done
    try:
        assert DYNAMO.delete_user(USER) == 4
    finally:
        client.batch_write_item = original
    assert len(calls) == 2 and all_items() == []


def test_a_write_landing_during_deletion_neither_survives_nor_returns_after_re_consent(
    table, monkeypatch
):
    """Another device (or the end-of-session recorder) writes between deletion's steps."""
    DYNAMO.grant_consent(USER)
    for n in range(3):
        DYNAMO.record_cramp(USER, cramp(n))
    real_delete_batch = store._delete_batch
    late: list[store.Outcome] = []

    def with_a_write_first(keys):
        if not late:
            late.append(DYNAMO.record_cramp(USER, cramp(99, event_id="second-device")))
            DYNAMO.update_profile(USER, if_consented=True, reminder_id="r1")
        real_delete_batch(keys)

    monkeypatch.setattr(store, "_delete_batch", with_a_write_first)
    DYNAMO.delete_user(USER)
    assert late == [store.NOT_ASKED]  # consent was already withdrawn: the write was refused
    assert all_items() == []
    DYNAMO.grant_consent(USER)
    assert DYNAMO.history_since(USER, START - dt.timedelta(days=30)).cramps == []
    assert DYNAMO.load_profile(USER).cramp_count == 0


def test_no_raw_user_id_at_rest(table):
    DYNAMO.grant_consent(USER, cramp())
    DYNAMO.record_cramp(USER, cramp(2))
    assert "STORE" not in json.dumps(all_items())


def test_parallel_logs_from_two_devices_never_lose_a_count(server_table):
    """Threads against moto's HTTP server: N different cramps at once give exactly N."""
    DYNAMO.grant_consent(USER)
    n = 24
    errors = []

    def log_one(i: int) -> None:
        try:
            assert DYNAMO.record_cramp(USER, cramp(i, event_id=f"device-{i}")) == store.SAVED
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=log_one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DYNAMO.load_profile(USER).cramp_count == n


def test_the_same_cramp_from_parallel_retries_counts_once(server_table):
    DYNAMO.grant_consent(USER)
    outcomes = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(DYNAMO.record_cramp(USER, cramp(0))))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert DYNAMO.load_profile(USER).cramp_count == 1
    assert outcomes.count(store.SAVED) == 1


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "ServiceUnavailable", "InternalServerError"]
)
def test_service_errors_become_store_errors(table, code):
    from faults import fail_with

    DYNAMO.grant_consent(USER)
    with fail_with(code), pytest.raises(store.StoreError):
        DYNAMO.record_cramp(USER, cramp())
    assert DYNAMO.load_profile(USER).cramp_count == 0


def test_a_stuck_call_is_cut_off_at_the_deadline(table):
    from faults import slow

    DYNAMO.grant_consent(USER)
    began = time.monotonic()
    with slow(seconds=2.0), pytest.raises(store.StoreError):
        store.within_deadline(DYNAMO, 0.3, DYNAMO.record_cramp, USER, cramp())
    assert time.monotonic() - began < 1.0


def test_one_history_request_reads_a_bounded_number_of_pages(table, monkeypatch):
    monkeypatch.setattr(store, "PAGE_SIZE", 4)
    monkeypatch.setattr(store, "MAX_EVENTS", 10)
    DYNAMO.grant_consent(USER)
    for n in range(30):
        DYNAMO.record_cramp(USER, cramp(n))
    counter = CallCounter()
    found = DYNAMO.history_since(USER, START - dt.timedelta(days=3))
    # 3 pages of 4: the profile (read first, newest first) and the 11 newest cramps.
    assert counter.calls["Query"] == 3 and len(found.cramps) == 11
    assert found.profile is not None and found.profile.consent == store.CONSENT_YES
