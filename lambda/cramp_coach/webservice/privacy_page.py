"""The privacy policy as a web page: docs/privacy.md, with the operator's details, as HTML.

One renderer for both places the policy is published: `make deploy` writes build/privacy.html
for the stack's public page, and the self-hosted web service answers GET /privacy with it.
The Markdown is the small subset docs/privacy.md uses: headings, paragraphs, "- " lists,
tables and **bold**.

Usage: python -m cramp_coach.webservice.privacy_page --out build/privacy.html
Details come from the environment: PRIVACY_CONTACT (required: an e-mail address or an https
page), PRIVACY_OPERATOR, AWS_REGION, CRAMP_RETENTION_DAYS, LOG_RETENTION_DAYS. CRAMP_EDITION
picks the policy: the store-safe edition, which keeps nothing, publishes
docs/privacy-store-safe.md instead.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from cramp_coach.config import FULL, load_settings

POLICY = Path(__file__).resolve().parents[3] / "docs" / "privacy.md"
STORE_SAFE_POLICY = POLICY.with_name("privacy-store-safe.md")
# Domains that can never be a real operator's (RFC 2606 names and loopback). infra/skill_package.py
# refuses privacy URLs on them with the same function.
PLACEHOLDER_DOMAINS = (
    "invalid",
    "example",
    "test",
    "localhost",
    "example.com",
    "example.net",
    "example.org",
)


class PolicyError(ValueError):
    """The page cannot be published as it is; the message says what is missing."""


def details_from(environ: Mapping[str, str]) -> dict[str, str]:
    """The values docs/privacy.md leaves open, from the deployment's environment."""
    contact = environ.get("PRIVACY_CONTACT", "").strip()
    return {
        "contact": check_contact(contact),
        "operator": environ.get("PRIVACY_OPERATOR", "").strip()
        or "the developer named on the skill's page in the Alexa app",
        "region": environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        "retention_days": environ.get("CRAMP_RETENTION_DAYS", "400"),
        "log_retention_days": environ.get("LOG_RETENTION_DAYS", "30"),
    }


def is_placeholder_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in PLACEHOLDER_DOMAINS)


def check_contact(contact: str) -> str:
    """A way to reach the operator: an e-mail address or an https page, never a placeholder."""
    domain = contact.rsplit("@", 1)[-1] if "@" in contact else ""
    if contact.startswith("https://"):
        domain = re.sub(r"^https://([^/:]+).*$", r"\1", contact)
    elif not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", contact, re.IGNORECASE):
        raise PolicyError(
            "set PRIVACY_CONTACT to an e-mail address or https page for data requests"
        )
    if is_placeholder_host(domain):
        raise PolicyError(f"PRIVACY_CONTACT {contact!r} is a placeholder")
    return contact


def _inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text, quote=False))


def _table(rows: list[str]) -> str:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    head, body = cells[0], [r for r in cells[1:] if not all(set(c) <= {"-", ":"} for c in r)]
    out = ["<table>", "<tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>"]
    out += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body]
    return "\n".join(out + ["</table>"])


def markdown_to_html(markdown: str) -> str:
    """The subset of Markdown the policy uses, as HTML blocks."""
    blocks = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = block.splitlines()
        heading = re.match(r"^(#{1,3}) (.+)$", lines[0])
        if heading and len(lines) == 1:
            level = len(heading[1])
            blocks.append(f"<h{level}>{_inline(heading[2])}</h{level}>")
        elif lines[0].startswith("|"):
            blocks.append(_table(lines))
        elif lines[0].startswith("- "):
            items: list[str] = []
            current: list[str] = []
            for line in lines:
                if line.startswith("- ") and current:
                    items.append(" ".join(current))
                    current = []
                current.append(line[2:] if line.startswith("- ") else line.strip())
            items.append(" ".join(current))
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "\n".join(blocks)


def policy_for(edition: str) -> Path:
    """The policy that says what this edition keeps (config.EDITIONS)."""
    return POLICY if edition == FULL else STORE_SAFE_POLICY


def render(details: Mapping[str, str], policy: Path | None = None) -> str:
    """The whole page: the deployment's policy (CRAMP_EDITION) with the details filled in,
    as an HTML document."""
    policy = policy or policy_for(load_settings().edition)
    text = policy.read_text(encoding="utf-8")
    missing = sorted(set(re.findall(r"\{(\w+)\}", text)) - set(details))
    if missing:
        raise PolicyError(f"{policy} needs values for {missing}")
    filled = re.sub(r"\{(\w+)\}", lambda m: details[m[1]], text)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Cramp Coach privacy policy</title>\n"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;"
        "padding:0 1em;color:#1b2340}table{border-collapse:collapse}"
        "td,th{border:1px solid #c8cde0;padding:.4em;vertical-align:top;text-align:left}</style>\n"
        f"</head>\n<body>\n{markdown_to_html(filled)}\n</body>\n</html>\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        page = render(details_from(os.environ))
    except PolicyError as error:
        print(f"privacy page: {error}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    print(f"privacy page written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
