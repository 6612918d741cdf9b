"""Flask extension of invenio-orcid-push."""

from flask import current_app

from . import config
from .components import OrcidPushComponent
from .locks import OrcidWriteLocks, lock_url
from .ratelimit import build_rate_limiter, limiter_settings


class InvenioOrcidPush:
    """Invenio extension: config defaults and the record service hook."""

    def __init__(self, app=None):
        """Extension initialization."""
        self._write_locks = None
        self._rate_limiter = (None, None)
        if app:
            self.init_app(app)

    def init_app(self, app):
        """Flask application initialization."""
        self.init_config(app)
        self.register_service_component(app)
        app.extensions["invenio-orcid-push"] = self

    def write_locks(self):
        """The per-iD write locks, rebuilt when their settings change."""
        config = current_app.config
        settings = (lock_url(config), config["ORCID_PUSH_LOCK_TIMEOUT"])
        if self._write_locks is None or self._write_locks.settings != settings:
            self._write_locks = OrcidWriteLocks(*settings)
        return self._write_locks

    def rate_limiter(self):
        """The shared ORCID rate limiter (``None`` when off), rebuilt on change."""
        settings = limiter_settings(current_app.config)
        if settings is None:
            return None
        if self._rate_limiter[0] != settings:
            self._rate_limiter = (settings, build_rate_limiter(settings))
        return self._rate_limiter[1]

    @staticmethod
    def init_config(app):
        """Set the documented defaults of every ``ORCID_PUSH_*`` setting."""
        for key in dir(config):
            if key.startswith("ORCID_PUSH_"):
                app.config.setdefault(key, getattr(config, key))

    @staticmethod
    def register_service_component(app):
        """Append our component to the RDM record service's components.

        The service reads ``RDM_RECORDS_SERVICE_COMPONENTS`` lazily, so the
        instance's own list (or RDM's default) is kept and extended.
        """
        components = app.config.get("RDM_RECORDS_SERVICE_COMPONENTS")
        if components is None:
            from invenio_rdm_records.services.components import (
                DefaultRecordsComponents,
            )

            components = DefaultRecordsComponents
        if OrcidPushComponent not in components:
            app.config["RDM_RECORDS_SERVICE_COMPONENTS"] = [
                *components,
                OrcidPushComponent,
            ]


def finalize_app(app):
    """Put the ORCID settings page in the account settings menu (UI app only)."""
    from flask_menu import current_menu

    with app.app_context():
        current_menu.submenu("settings.orcid_push").register(
            "invenio_orcid_push_settings.index",
            '<i class="orcid icon" aria-hidden="true"></i> ORCID',
            order=10,
        )
        current_menu.submenu("breadcrumbs.settings.orcid_push").register(
            "invenio_orcid_push_settings.index", "ORCID"
        )
