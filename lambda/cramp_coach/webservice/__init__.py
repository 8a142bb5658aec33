"""The skill as a self-hosted web service (flask-ask-sdk), with Alexa request verification.

Importing this package first makes flask-ask-sdk importable on OpenSSL 3.0.10+ (see
``sdk_import_fix``); every module here that imports flask_ask_sdk relies on that having run.
"""

from cramp_coach.webservice.sdk_import_fix import install_certvalidator_shim_if_needed

install_certvalidator_shim_if_needed()
