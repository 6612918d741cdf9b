"""Proxies to the extension and its services, for the current application."""

from flask import current_app
from werkzeug.local import LocalProxy

current_orcid_push = LocalProxy(lambda: current_app.extensions["invenio-orcid-push"])
"""The invenio-orcid-push extension."""

current_orcid_push_service = LocalProxy(lambda: current_orcid_push.service)
"""People's service: links, preferences, their records, a record's ORCID status."""

current_orcid_ledger_service = LocalProxy(lambda: current_orcid_push.ledger_service)
"""Administrators' service: the ledger, retries, bulk resync, status counts."""
