"""The one exception every request check raises: a reason to refuse the request with HTTP 400."""

from ask_sdk_webservice_support.verifier import VerificationException


class RequestRefused(VerificationException):
    """The request failed a check; `str(error)` is a short reason safe to log and return."""
