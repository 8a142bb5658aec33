"""Alexa's signing certificate: URL rules, fetching, chain validation with `cryptography`, caching.

Alexa signs every request with the key of a certificate for ``echo-api.amazon.com`` whose PEM chain
it publishes under ``https://s3.amazonaws.com/echo.api/``; the request names the chain's URL in the
``SignatureCertChainUrl`` header. The chain check that the ASK SDK did with certvalidator is done
here with ``cryptography.x509.verification`` (see ``sdk_import_fix`` for why).
"""

from __future__ import annotations

import logging
import posixpath
import ssl
import threading
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from cramp_coach.webservice.refusal import RequestRefused

CERT_URL_SCHEME = "https"
CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PORT = 443
CERT_URL_PATH_PREFIX = "/echo.api/"
SIGNING_CERT_DOMAIN = "echo-api.amazon.com"

# Alexa gives the skill 8 s in all; a slow S3 must not use them up. Fetches happen once per
# certificate (then the chain is cached until it expires), so a short timeout costs nothing.
CERT_FETCH_TIMEOUT_SECONDS = 2.0
MAX_CHAIN_BYTES = 64 * 1024
# A chain that could not be fetched or verified is not fetched again for a minute: a forged
# request naming an /echo.api/ path must not make this server fetch it on every request.
FAILED_CHAIN_SECONDS = 60
FAILED_CHAIN_LIMIT = 1024

log = logging.getLogger(__name__)

ChainFetcher = Callable[[str], bytes]
Clock = Callable[[], datetime]


def canonical_certificate_url(url: str) -> str:
    """Return the URL to fetch if `url` obeys Alexa's rules; raise RequestRefused if not.

    Rules: scheme https, host s3.amazonaws.com (any case), port 443 if given, path starting
    /echo.api/ after normalising `..`. The path must pass both as sent and percent-decoded, so an
    encoded `%2e%2e` cannot climb out of /echo.api/ on a server that decodes it.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RequestRefused(f"certificate URL is malformed: {error}") from None
    if parts.scheme.lower() != CERT_URL_SCHEME:
        raise RequestRefused(f"certificate URL scheme is {parts.scheme!r}, not https")
    if (parts.hostname or "").lower() != CERT_URL_HOST:
        raise RequestRefused(f"certificate URL host is {parts.hostname!r}, not {CERT_URL_HOST}")
    if port is not None and port != CERT_URL_PORT:
        raise RequestRefused(f"certificate URL port is {port}, not {CERT_URL_PORT}")
    path = posixpath.normpath(parts.path) if parts.path else ""
    decoded_path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    under_prefix = path.startswith(CERT_URL_PATH_PREFIX)
    if not (under_prefix and decoded_path.startswith(CERT_URL_PATH_PREFIX)):
        raise RequestRefused(f"certificate URL path {parts.path!r} is not under /echo.api/")
    return f"{CERT_URL_SCHEME}://{CERT_URL_HOST}{path}"


def fetch_certificate_chain(url: str) -> bytes:
    """Download a PEM chain over verified HTTPS with a short timeout and a size cap."""
    context = ssl.create_default_context(cafile=certifi.where())
    with urllib.request.urlopen(url, timeout=CERT_FETCH_TIMEOUT_SECONDS, context=context) as reply:
        pem = reply.read(MAX_CHAIN_BYTES + 1)
    if len(pem) > MAX_CHAIN_BYTES:
        raise ValueError(f"certificate chain is larger than {MAX_CHAIN_BYTES} bytes")
    return pem


def default_trust_store() -> Store:
    """The roots Alexa's chain must lead to: the certifi CA bundle (Mozilla's root program)."""
    with open(certifi.where(), "rb") as bundle:
        return Store(load_root_certificates(bundle.read()))


def load_root_certificates(pem_bundle: bytes) -> list[x509.Certificate]:
    """Load a CA bundle one certificate at a time, skipping any this cryptography cannot read.

    A few old roots (e.g. Starfield G2) have non-positive serial numbers: cryptography 50 warns
    and a later release will refuse them. One unreadable root must not take the whole store down.
    """
    end_marker = b"-----END CERTIFICATE-----"
    roots = []
    for block in pem_bundle.split(end_marker)[:-1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block + end_marker))
            except ValueError as error:
                log.warning("skipping an unreadable root certificate: %s", error)
    return roots


@dataclass(frozen=True)
class _VerifiedChain:
    signing_key: RSAPublicKey
    expires_at: datetime  # the earliest not-after in the verified chain


class SigningKeyCache:
    """Signing keys of verified Alexa certificate chains, by URL, kept until the chain expires.

    Only chains that passed every check are kept until they expire; a URL whose chain could not
    be fetched or verified is refused without a new fetch for FAILED_CHAIN_SECONDS (at most
    FAILED_CHAIN_LIMIT such URLs are remembered, so a flood of paths cannot grow memory).
    """

    def __init__(self, trust_store: Store, fetch_chain: ChainFetcher, clock: Clock) -> None:
        self._trust_store = trust_store
        self._fetch_chain = fetch_chain
        self._clock = clock
        self._verified: dict[str, _VerifiedChain] = {}
        self._failed: dict[str, tuple[str, datetime]] = {}  # url -> (reason, retry after)
        self._lock = threading.Lock()

    def signing_key(self, cert_url: str) -> RSAPublicKey:
        url = canonical_certificate_url(cert_url)
        now = self._clock()
        with self._lock:
            cached = self._verified.get(url)
            reason, retry_after = self._failed.get(url, ("", now))
        if cached is not None and now < cached.expires_at:
            return cached.signing_key
        if now < retry_after:
            raise RequestRefused(f"{reason} (not fetched again yet)")
        try:
            verified = verify_chain(self._download(url), self._trust_store, now)
        except RequestRefused as refusal:
            self._remember_failure(url, str(refusal), now)
            raise
        with self._lock:
            self._verified[url] = verified
            self._failed.pop(url, None)
        return verified.signing_key

    def _remember_failure(self, url: str, reason: str, now: datetime) -> None:
        with self._lock:
            if len(self._failed) >= FAILED_CHAIN_LIMIT:
                self._failed.clear()
            self._failed[url] = (reason, now + timedelta(seconds=FAILED_CHAIN_SECONDS))

    def _download(self, url: str) -> bytes:
        try:
            return self._fetch_chain(url)
        except Exception as error:  # network, TLS, HTTP status, size: all mean "no chain"
            raise RequestRefused(f"could not fetch the certificate chain: {error}") from None


def verify_chain(pem: bytes, trust_store: Store, now: datetime) -> _VerifiedChain:
    """Check the leaf (validity now, SAN) and its chain to a trusted root; return its key."""
    try:
        leaf, *intermediates = x509.load_pem_x509_certificates(pem)
    except ValueError as error:
        raise RequestRefused(f"certificate chain is not valid PEM: {error}") from None
    _check_validity_now(leaf, now)
    _check_alexa_san(leaf)
    public_key = leaf.public_key()
    if not isinstance(public_key, RSAPublicKey):
        raise RequestRefused("signing certificate does not hold an RSA key")
    verifier = (
        PolicyBuilder()
        .store(trust_store)
        .time(now)
        .build_server_verifier(x509.DNSName(SIGNING_CERT_DOMAIN))
    )
    try:
        chain = verifier.verify(leaf, intermediates)
    except VerificationError as error:
        raise RequestRefused(f"certificate chain is not trusted: {error}") from None
    expires_at = min(cert.not_valid_after_utc for cert in chain)
    return _VerifiedChain(signing_key=public_key, expires_at=expires_at)


def _check_validity_now(leaf: x509.Certificate, now: datetime) -> None:
    if now < leaf.not_valid_before_utc:
        raise RequestRefused("signing certificate is not valid yet")
    if now > leaf.not_valid_after_utc:
        raise RequestRefused("signing certificate has expired")


def _check_alexa_san(leaf: x509.Certificate) -> None:
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        raise RequestRefused("signing certificate has no subject alternative name") from None
    if SIGNING_CERT_DOMAIN not in san.get_values_for_type(x509.DNSName):
        raise RequestRefused(f"signing certificate is not for {SIGNING_CERT_DOMAIN}")
