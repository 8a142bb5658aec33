"""The certvalidator stand-in that makes flask-ask-sdk importable is narrow and never trusted.

It must be installed only when the real certvalidator cannot be imported, must raise if anything
uses it, and the SDK's own certvalidator-based verifier must never run in our app.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

# Our package first: it is what makes the SDK importable. The SDK is imported inside the tests
# below so that no import sorting can put it ahead of the fix.
from cramp_coach.webservice import sdk_import_fix
from cramp_coach.webservice.app import create_app
from cramp_coach.webservice.verification import (
    SignatureVerifier,
    SkillIdVerifier,
    TimestampVerifier,
)
from signing import TEST_SKILL_ID, shared_test_ca

LAMBDA_DIR = Path(__file__).resolve().parent.parent / "lambda"


def run_python(code: str) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter, as a first import would happen in production."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(LAMBDA_DIR), "PATH": "/usr/bin:/bin"},
    )


@functools.cache
def real_certvalidator_imports() -> bool:
    return run_python("import certvalidator").returncode == 0


def test_flask_ask_sdk_imports_in_a_fresh_interpreter_after_our_package():
    result = run_python(
        """
        import cramp_coach.webservice
        from cramp_coach.webservice.sdk_import_fix import certvalidator_shim_installed
        from flask_ask_sdk.skill_adapter import SkillAdapter
        print(certvalidator_shim_installed())
        """
    )

    assert result.returncode == 0, result.stderr
    # The stand-in is there exactly when the real certvalidator fails to import on this machine.
    assert result.stdout.strip() == str(not real_certvalidator_imports())


def test_the_shim_is_not_installed_when_certvalidator_imports(monkeypatch):
    monkeypatch.delitem(sys.modules, "certvalidator", raising=False)

    installed = sdk_import_fix.install_certvalidator_shim_if_needed(
        import_module=lambda name: types.ModuleType(name)
    )

    assert installed is False
    assert "certvalidator" not in sys.modules


def test_an_unexpected_import_error_is_not_hidden(monkeypatch):
    monkeypatch.delitem(sys.modules, "certvalidator", raising=False)

    def broken_import(name):
        raise ZeroDivisionError("a bug, not a missing library")

    with pytest.raises(ZeroDivisionError):
        sdk_import_fix.install_certvalidator_shim_if_needed(import_module=broken_import)


def test_the_oscrypto_failure_installs_the_shim(monkeypatch):
    monkeypatch.delitem(sys.modules, "certvalidator", raising=False)
    monkeypatch.delitem(sys.modules, "certvalidator.errors", raising=False)
    oscrypto_error = type("LibraryNotFoundError", (Exception,), {"__module__": "oscrypto.errors"})

    def failing_import(name):
        raise oscrypto_error("Error detecting the version of libcrypto")

    assert sdk_import_fix.install_certvalidator_shim_if_needed(import_module=failing_import)
    assert sdk_import_fix.is_shim(sys.modules["certvalidator"])
    assert sdk_import_fix.is_shim(sys.modules["certvalidator.errors"])


@pytest.mark.skipif(real_certvalidator_imports(), reason="the real certvalidator works here")
def test_the_shim_refuses_to_validate_anything():
    import certvalidator

    assert sdk_import_fix.is_shim(certvalidator)
    with pytest.raises(sdk_import_fix.CertvalidatorUnavailable, match="cryptography"):
        certvalidator.CertificateValidator(b"end-entity", [])


@pytest.mark.skipif(real_certvalidator_imports(), reason="the real certvalidator works here")
def test_the_sdks_own_verifier_cannot_pass_a_chain_through_the_shim():
    from ask_sdk_webservice_support.verifier import RequestVerifier

    ca = shared_test_ca()

    with pytest.raises(sdk_import_fix.CertvalidatorUnavailable):
        RequestVerifier()._validate_cert_chain(ca.chain_pem())


def test_our_app_runs_only_our_verifiers():
    from ask_sdk_webservice_support.verifier import RequestVerifier
    from ask_sdk_webservice_support.verifier import TimestampVerifier as SdkTimestampVerifier
    from cramp_coach.skill import SKILL
    from flask_ask_sdk.skill_adapter import (
        EXTENSION_NAME,
        VERIFY_SIGNATURE_APP_CONFIG,
        VERIFY_TIMESTAMP_APP_CONFIG,
    )

    app = create_app(
        skill=SKILL, skill_id=TEST_SKILL_ID, trust_store=shared_test_ca().trust_store()
    )
    adapter = app.extensions[EXTENSION_NAME][TEST_SKILL_ID]
    verifier_types = [type(v) for v in adapter._webservice_handler._verifiers]

    assert app.config[VERIFY_SIGNATURE_APP_CONFIG] is False
    assert app.config[VERIFY_TIMESTAMP_APP_CONFIG] is False
    assert verifier_types == [SkillIdVerifier, TimestampVerifier, SignatureVerifier]
    assert RequestVerifier not in verifier_types and SdkTimestampVerifier not in verifier_types
