"""Sign requests the way Alexa does, with a private test certificate authority (no network).

Used by the web service tests and reusable by load tests and benchmarks:

    ca = AlexaTestCA.create()
    app = create_app(skill_id=SKILL_ID, trust_store=ca.trust_store(), fetch_chain=ca.fetcher())
    body = json.dumps(alexa_request("LaunchRequest", skill_id=SKILL_ID)).encode()
    client.post("/", data=body, headers=ca.signed_headers(body))

The CA is root -> intermediate -> leaf (SAN echo-api.amazon.com), shaped like Alexa's real chain so
that cryptography's web PKI policy accepts it.
"""

from __future__ import annotations

import base64
import functools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import Store

ALEXA_SIGNING_DOMAIN = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
TEST_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000001"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cramp Coach Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_certificate(
    key: rsa.RSAPrivateKey,
    common_name: str,
    issuer_key: rsa.RSAPrivateKey,
    issuer_cert: x509.Certificate | None,
    now: datetime,
) -> x509.Certificate:
    issuer_name = issuer_cert.subject if issuer_cert else _name(common_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _leaf_certificate(
    leaf_key: rsa.RSAPrivateKey,
    intermediate_key: rsa.RSAPrivateKey,
    intermediate: x509.Certificate,
    not_before: datetime,
    not_after: datetime,
    dns_names: tuple[str, ...],
) -> x509.Certificate:
    # Shaped like Alexa's certificate: a TLS server certificate for echo-api.amazon.com.
    return (
        x509.CertificateBuilder()
        .subject_name(_name(dns_names[0]))
        .issuer_name(intermediate.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(intermediate_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()),
            critical=False,
        )
        .sign(intermediate_key, hashes.SHA256())
    )


@dataclass
class AlexaTestCA:
    """A root, an intermediate and a leaf signing certificate, plus the leaf's private key."""

    root_key: rsa.RSAPrivateKey
    root: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    cert_url: str = CERT_URL
    fetched_urls: list[str] = field(default_factory=list)
    served_chain: bytes | None = None  # what the fetcher serves; None = chain_pem()

    @classmethod
    def create(cls, name: str = "Test", now: datetime | None = None) -> AlexaTestCA:
        now = now or datetime.now(UTC)
        root_key, intermediate_key, leaf_key = new_rsa_key(), new_rsa_key(), new_rsa_key()
        root = _ca_certificate(root_key, f"{name} Root CA", root_key, None, now)
        intermediate = _ca_certificate(
            intermediate_key, f"{name} Intermediate CA", root_key, root, now
        )
        leaf = _leaf_certificate(
            leaf_key,
            intermediate_key,
            intermediate,
            now - timedelta(days=1),
            now + timedelta(days=90),
            (ALEXA_SIGNING_DOMAIN,),
        )
        return cls(root_key, root, intermediate_key, intermediate, leaf_key, leaf)

    def issue_leaf(
        self,
        not_before: datetime,
        not_after: datetime,
        dns_names: tuple[str, ...] = (ALEXA_SIGNING_DOMAIN,),
    ) -> x509.Certificate:
        """Another signing certificate for the leaf key, issued by the intermediate."""
        return _leaf_certificate(
            self.leaf_key,
            self.intermediate_key,
            self.intermediate,
            not_before,
            not_after,
            dns_names,
        )

    def trust_store(self) -> Store:
        return Store([self.root])

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def chain_pem(self, leaf: x509.Certificate | None = None) -> bytes:
        """What Alexa publishes at the certificate URL: leaf first, then the intermediate."""
        certs = [leaf or self.leaf, self.intermediate]
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)

    def fetcher(self):
        """A certificate fetcher serving this CA's chain at `cert_url`; records every fetch."""

        def fetch(url: str) -> bytes:
            self.fetched_urls.append(url)
            if url != self.cert_url:
                raise OSError(f"404 Not Found: {url}")
            return self.served_chain if self.served_chain is not None else self.chain_pem()

        return fetch

    def sign(self, body: bytes) -> str:
        """The Signature-256 header value: base64 RSA PKCS#1 v1.5 SHA-256 over the body."""
        signature = self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def signed_headers(self, body: bytes, cert_url: str | None = None) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "SignatureCertChainUrl": cert_url or self.cert_url,
            "Signature-256": self.sign(body),
        }


@functools.cache
def shared_test_ca(name: str = "Alexa Test") -> AlexaTestCA:
    """One CA per name per process: RSA key generation costs about half a second."""
    return AlexaTestCA.create(name)


def alexa_timestamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def alexa_request(
    request_type: str = "LaunchRequest",
    *,
    skill_id: str = TEST_SKILL_ID,
    timestamp: datetime | None = None,
    intent: dict[str, Any] | None = None,
    user_id: str = "amzn1.ask.account.TEST-USER",
    locale: str = "en-US",
    new_session: bool = True,
) -> dict[str, Any]:
    """A minimal but complete Alexa request envelope, as Alexa would send it."""
    application = {"applicationId": skill_id}
    request: dict[str, Any] = {
        "type": request_type,
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": alexa_timestamp(timestamp),
        "locale": locale,
    }
    if intent is not None:
        request["intent"] = intent
    envelope: dict[str, Any] = {
        "version": "1.0",
        "context": {
            "System": {
                "application": application,
                "user": {"userId": user_id},
                "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
                # Tests never reach Amazon: the Alexa API "lives" on the loopback discard port.
                "apiEndpoint": "http://127.0.0.1:9",
                "apiAccessToken": "test-token",
            }
        },
        "request": request,
    }
    if not request_type.startswith("AlexaSkillEvent."):
        envelope["session"] = {
            "new": new_session,
            "sessionId": "amzn1.echo-api.session.TEST",
            "application": application,
            "user": {"userId": user_id},
            "attributes": {},
        }
    return envelope
