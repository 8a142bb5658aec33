"""Production entry point for a WSGI server (gunicorn), verification always on:

    PYTHONPATH=lambda SKILL_ID=amzn1.ask.skill.... \\
        gunicorn --bind 127.0.0.1:8000 --workers 2 --threads 4 cramp_coach.webservice.wsgi:app

Dev mode (SKILL_VERIFY_REQUESTS=false) is refused here: a WSGI server's bind address is not known
to the app, so unverified requests are only allowed through `make serve` on loopback.
"""

import logging
import os

from cramp_coach.webservice.app import create_app
from cramp_coach.webservice.serve import LOG_FORMAT, ServeConfigError, parse_bool


def production_app():
    if not parse_bool("SKILL_VERIFY_REQUESTS", os.environ.get("SKILL_VERIFY_REQUESTS"), True):
        raise ServeConfigError(
            "SKILL_VERIFY_REQUESTS=false is not allowed under a WSGI server; "
            "use `make serve` on loopback for unsigned local tools"
        )
    skill_id = os.environ.get("SKILL_ID") or None
    if not skill_id:
        raise ServeConfigError("SKILL_ID must be set: it is the skill id every request must carry")
    return create_app(verify_requests=True, skill_id=skill_id)


logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
app = production_app()
