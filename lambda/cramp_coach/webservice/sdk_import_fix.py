"""Make flask-ask-sdk importable on OpenSSL 3.0.10+ without weakening request verification.

The problem: ``flask_ask_sdk.skill_adapter`` imports ``ask_sdk_webservice_support.verifier``,
which imports ``certvalidator`` at module load. certvalidator 0.11.1 imports oscrypto 1.3.0, whose
libcrypto version regex (``\\d\\.\\d\\.\\d``) cannot read a two-digit patch level, so on
OpenSSL 3.0.10 and later the import raises ``oscrypto.errors.LibraryNotFoundError``
(wbond/oscrypto issue 78; fixed only in oscrypto's git history, no release on the package
registry). Switching verification off does not help: the import itself fails.

Measures considered:
- Patch or vendor oscrypto: we would own a copy of a crypto library to fix one regex.
- Skip flask-ask-sdk and write our own adapter: loses the SDK adapter the project chose.
- Point oscrypto at another libcrypto (``oscrypto.use_openssl``): the version check still runs.
- (chosen) A stand-in module for ``certvalidator`` only, installed only when the real one cannot
  be imported. The SDK uses certvalidator in exactly one place, the chain check inside its
  built-in ``RequestVerifier``. We never use that verifier: the app switches it off
  (``ASK_SDK_VERIFY_SIGNATURE = False``) and passes its own verifiers, which check the chain with
  ``cryptography.x509.verification`` (see ``certificates.py``). The stand-in raises
  ``CertvalidatorUnavailable`` if anything ever calls it, so it can never pass a chain by mistake.

When a fixed oscrypto is installed, the real certvalidator imports and this module does nothing.
"""

from __future__ import annotations

import importlib
import logging
import sys
import types
from collections.abc import Callable

SHIMMED_MODULE = "certvalidator"
_SHIM_MARKER = "__cramp_coach_shim__"

log = logging.getLogger(__name__)


class CertvalidatorUnavailable(RuntimeError):
    """Raised when code tries to use certvalidator while only the stand-in is installed."""


def is_shim(module: object) -> bool:
    return bool(getattr(module, _SHIM_MARKER, False))


def certvalidator_shim_installed() -> bool:
    return is_shim(sys.modules.get(SHIMMED_MODULE))


def install_certvalidator_shim_if_needed(
    import_module: Callable[[str], object] = importlib.import_module,
) -> bool:
    """Install the stand-in if, and only if, the real certvalidator fails to import.

    Returns True when the stand-in is (now) installed. Any failure other than the known ones
    (an ImportError, or oscrypto's own error raised while loading libcrypto) is re-raised.
    """
    if certvalidator_shim_installed():
        return True
    failure = _import_failure(import_module)
    if failure is None:
        return False
    _drop_partial_imports()
    sys.modules.update(_build_shim_modules(failure))
    log.info("certvalidator cannot be imported (%s); installed the stand-in", failure)
    return True


def _import_failure(import_module: Callable[[str], object]) -> Exception | None:
    try:
        import_module(SHIMMED_MODULE)
    except ImportError as error:
        return error
    except Exception as error:
        # oscrypto raises LibraryNotFoundError (not an ImportError) while certvalidator loads.
        if type(error).__module__.startswith("oscrypto"):
            return error
        raise
    return None


def _drop_partial_imports() -> None:
    # A failed package import leaves its already-loaded submodules behind; remove them so
    # `certvalidator.*` resolves only to the stand-in.
    for name in [n for n in sys.modules if n.startswith(SHIMMED_MODULE + ".")]:
        del sys.modules[name]


def _build_shim_modules(failure: Exception) -> dict[str, types.ModuleType]:
    message = (
        "certvalidator is not importable on this system "
        f"({type(failure).__name__}: {failure}); Cramp Coach checks certificate chains with "
        "cryptography.x509.verification instead. Something tried to use the ASK SDK's built-in "
        "RequestVerifier, which must stay disabled (see cramp_coach/webservice/sdk_import_fix.py)."
    )

    class CertificateValidator:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise CertvalidatorUnavailable(message)

    # The SDK catches these two names; nothing raises them while the stand-in is installed.
    class ValidationError(Exception):
        pass

    class PathError(Exception):
        pass

    package = types.ModuleType(SHIMMED_MODULE, "Stand-in for certvalidator; raises when used.")
    package.__path__ = []  # a package, so `certvalidator.errors` can be imported from it
    errors = types.ModuleType(SHIMMED_MODULE + ".errors")
    # setattr: ModuleType has no declared attributes for mypy to check these against.
    setattr(package, "CertificateValidator", CertificateValidator)  # noqa: B010
    setattr(errors, "ValidationError", ValidationError)  # noqa: B010
    setattr(errors, "PathError", PathError)  # noqa: B010
    setattr(package, "errors", errors)  # noqa: B010
    for module in (package, errors):
        setattr(module, _SHIM_MARKER, True)
        setattr(module, "import_failure", failure)  # noqa: B010
    return {SHIMMED_MODULE: package, SHIMMED_MODULE + ".errors": errors}
