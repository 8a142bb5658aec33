"""The verified app for a WSGI server of your choice: cramp_coach.webservice.wsgi:app.

The production server this project tests against slow clients is `python -m
cramp_coach.webservice.production` (docs/security.md); any other server must read whole
requests before a worker sees them, with deadlines on headers and body.
"""

from cramp_coach.webservice.production import production_app
from cramp_coach.webservice.serve import configure_server_logging

configure_server_logging()
app = production_app()
