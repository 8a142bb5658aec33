"""The privacy policy page: says what the store keeps, and is served where it is published."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cfnlint.decode import decode_str
from cramp_coach import store
from cramp_coach.webservice import privacy_page
from cramp_coach.webservice.app import create_app

ROOT = Path(__file__).resolve().parents[1]
DETAILS = {
    "PRIVACY_CONTACT": "privacy@cramp.coach",
    "PRIVACY_OPERATOR": "Night Owl Apps <Ltd>",
    "AWS_REGION": "eu-west-1",
    "CRAMP_RETENTION_DAYS": "365",
    "LOG_RETENTION_DAYS": "14",
}


def page_text(environ: dict[str, str] = DETAILS) -> str:
    return privacy_page.render(privacy_page.details_from(environ))


def test_the_page_fills_in_the_deployments_details_and_escapes_them():
    page = page_text()
    assert "privacy@cramp.coach" in page
    assert "Night Owl Apps &lt;Ltd&gt;" in page and "<Ltd>" not in page
    assert "<strong>eu-west-1</strong>" in page
    assert "<strong>365 days</strong>" in page and "after 14 days" in page
    assert not re.search(r"\{\w+\}", page), "a value was left open"


def test_the_page_names_every_attribute_the_store_writes_about_a_cramp():
    text = page_text().lower()
    cramp = store.Cramp.__dataclass_fields__
    # The attributes of a stored cramp, as the policy words them.
    words = {"at": "time", "night": "night", "muscle": "muscle", "side": "side", "source": "live"}
    assert set(words) <= set(cramp), sorted(cramp)
    for attribute, word in words.items():
        assert word in text, attribute
    for profile_state in ("consent", "count of your cramps", "tips", "reminder", "safety notice"):
        assert profile_state in text


def test_the_backup_window_in_the_page_is_the_templates():
    template, errors = decode_str((ROOT / "infra" / "template.yaml").read_text())
    assert not errors
    table = template["Resources"]["CrampTable"]["Properties"]
    days = table["PointInTimeRecoverySpecification"]["RecoveryPeriodInDays"]
    assert f"up to **{days} days**" in (ROOT / "docs" / "privacy.md").read_text()


@pytest.mark.parametrize("contact", ["", "nobody", "me@example.com", "https://www.example.org/c"])
def test_a_missing_or_placeholder_contact_is_refused(contact):
    with pytest.raises(privacy_page.PolicyError):
        privacy_page.details_from({**DETAILS, "PRIVACY_CONTACT": contact})


def test_an_https_contact_page_is_accepted():
    details = privacy_page.details_from({**DETAILS, "PRIVACY_CONTACT": "https://cramp.coach/c"})
    assert details["contact"] == "https://cramp.coach/c"


def test_the_web_service_serves_the_policy_at_privacy(monkeypatch):
    for name, value in DETAILS.items():
        monkeypatch.setenv(name, value)
    client = create_app(verify_requests=False).test_client()
    answer = client.get("/privacy")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    body = answer.get_data(as_text=True)
    assert "<h1>Cramp Coach privacy policy</h1>" in body and "privacy@cramp.coach" in body


def test_without_a_contact_the_web_service_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("PRIVACY_CONTACT", raising=False)
    answer = create_app(verify_requests=False).test_client().get("/privacy")
    assert answer.status_code == 503
    assert "PRIVACY_CONTACT" in answer.get_data(as_text=True)
