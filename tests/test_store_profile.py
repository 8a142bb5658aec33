"""The profile API other journeys build on: load, update, delete, never a raw id at rest."""

from __future__ import annotations

import json

from cramp_coach import store
from dynamo import DYNAMO, all_items


def test_no_profile_until_something_is_stored(table):
    assert DYNAMO.load_profile("amzn1.ask.account.NEW") is None


def test_update_creates_then_changes_and_removes_fields(table):
    user = "amzn1.ask.account.A"
    DYNAMO.update_profile(user, consent="yes", notice_heard=True, tips={"next": 2})
    DYNAMO.update_profile(user, reminder_id="r-1", tips={"next": 3})
    profile = DYNAMO.load_profile(user)
    assert profile.consented
    assert profile.get("notice_heard") is True
    assert profile.get("tips") == {"next": 3}
    assert profile.get("reminder_id") == "r-1"
    DYNAMO.update_profile(user, reminder_id=None)
    assert DYNAMO.load_profile(user).get("reminder_id") is None


def test_users_do_not_see_each_other(table):
    DYNAMO.update_profile("amzn1.ask.account.A", consent="yes")
    DYNAMO.update_profile("amzn1.ask.account.B", consent="no")
    assert DYNAMO.load_profile("amzn1.ask.account.A").consent == "yes"
    assert DYNAMO.load_profile("amzn1.ask.account.B").consent == "no"


def test_delete_user_removes_only_that_users_items(table):
    DYNAMO.update_profile("amzn1.ask.account.A", consent="yes")
    DYNAMO.update_profile("amzn1.ask.account.B", consent="yes")
    assert DYNAMO.delete_user("amzn1.ask.account.A") == 1
    assert DYNAMO.load_profile("amzn1.ask.account.A") is None
    assert DYNAMO.load_profile("amzn1.ask.account.B") is not None


def test_the_table_never_holds_the_raw_user_id(table):
    DYNAMO.update_profile("amzn1.ask.account.SECRET", consent="yes")
    dumped = json.dumps(all_items())
    assert "SECRET" not in dumped
    assert store.user_key("amzn1.ask.account.SECRET") in dumped


def test_consenting_users_state_cannot_bring_back_a_deleted_profile(table):
    DYNAMO.grant_consent("amzn1.ask.account.GUARD")
    assert DYNAMO.update_profile("amzn1.ask.account.GUARD", if_consented=True, tips_heard=["a"])
    DYNAMO.delete_user("amzn1.ask.account.GUARD")  # "delete my history", from another device
    written = DYNAMO.update_profile("amzn1.ask.account.GUARD", if_consented=True, tips_heard=["b"])
    assert written is False
    assert DYNAMO.load_profile("amzn1.ask.account.GUARD") is None
    assert all_items() == []


def test_consent_guard_also_refuses_a_user_who_said_no(table):
    DYNAMO.refuse_consent("amzn1.ask.account.GUARD")
    assert (
        DYNAMO.update_profile("amzn1.ask.account.GUARD", if_consented=True, reminder_id="r1")
        is False
    )
    assert DYNAMO.load_profile("amzn1.ask.account.GUARD").get("reminder_id") is None
