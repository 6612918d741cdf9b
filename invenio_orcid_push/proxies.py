"""Proxies to the extension's state in the current application."""

from flask import current_app
from werkzeug.local import LocalProxy

current_orcid_push = LocalProxy(lambda: current_app.extensions["invenio-orcid-push"])
"""The :class:`~invenio_orcid_push.ext.InvenioOrcidPush` of the current app."""
