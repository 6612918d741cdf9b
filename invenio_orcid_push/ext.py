"""Flask extension of invenio-orcid-push."""

from flask import Blueprint, current_app
from flask_menu import current_menu
from invenio_oauthclient.signals import (
    account_info_received,
    account_setup_committed,
    account_setup_received,
)
from invenio_rdm_records.services.components import DefaultRecordsComponents

from . import config
from .components import OrcidPushComponent
from .datacite import use_orcid_aware_serializer
from .display import register_template_helpers
from .linking import on_link_committed
from .locks import OrcidWriteLocks, lock_url
from .notifications import register_builders
from .oauth import on_authorized, on_first_link
from .outbox import as_timedelta
from .ratelimit import build_rate_limiter, limiter_settings
from .resources import OrcidPushResource, OrcidPushResourceConfig
from .services import (
    OrcidLedgerService,
    OrcidLedgerServiceConfig,
    OrcidPushService,
    OrcidPushServiceConfig,
)
from .settings_check import check_orcid_settings
from .tasks import task_options
from .templating import templates_folder

SWEEP_SCHEDULE_NAME = "orcid-push-sweep-stale-pushes"

SWEEP_TASK_NAME = "invenio_orcid_push.tasks.sweep_stale_orcid_pushes"
"""The sweep's task name, written out: reading ``sweep_stale_orcid_pushes.name``
in ``init_app`` would finalize the Celery app before invenio-celery gives it its
task class, and every task of the instance would then run outside an
application context in the workers."""


class InvenioOrcidPush:
    """Invenio extension: config, services, REST resource, record and OAuth hooks."""

    def __init__(self, app=None):
        """Extension initialization."""
        self._write_locks = None
        self._rate_limiter = (None, None)
        self.client_tokens = {}
        """Client-credentials tokens of this application (ORCID inbox)."""
        if app:
            self.init_app(app)

    def init_app(self, app):
        """Flask application initialization."""
        self.init_config(app)
        self.check_settings(app)
        self.schedule_sweep(app)
        self.init_services(app)
        self.init_resources(app)
        self.register_service_component(app)
        self.connect_oauth_signals()
        register_builders(app)
        register_template_helpers(app)
        self.use_landing_page_template(app)
        app.register_blueprint(
            Blueprint(
                "invenio_orcid_push_templates",
                __name__,
                template_folder=templates_folder(),
            )
        )
        app.extensions["invenio-orcid-push"] = self

    def init_services(self, app):
        """The services every caller goes through (API, pages, CLI, jobs)."""
        self.service = OrcidPushService(OrcidPushServiceConfig.build(app))
        self.ledger_service = OrcidLedgerService(OrcidLedgerServiceConfig.build(app))

    def init_resources(self, app):
        """The REST resource; ``views.create_api_blueprint`` mounts its blueprint."""
        self.resource = OrcidPushResource(
            OrcidPushResourceConfig.build(app), self.service
        )

    @staticmethod
    def connect_oauth_signals():
        """Record what ORCID granted on every authorization (see ``oauth``).

        Connected here rather than at import: importing the module (the
        instance's config imports its remote app) then changes nothing.
        Blinker keeps one connection per receiver, however many apps start.
        """
        account_info_received.connect(on_authorized)
        account_setup_received.connect(on_first_link)
        account_setup_committed.connect(on_link_committed)

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
    def use_landing_page_template(app):
        """Landing pages mark the creators whose iD was authenticated here.

        RDM's documented override point, ``APP_RDM_RECORD_LANDING_PAGE_TEMPLATE``,
        gets our template (it extends ``ORCID_PUSH_LANDING_PAGE_BASE_TEMPLATE``)
        only while it still names RDM's own: an instance's landing page of its
        own is kept (the README says how it keeps the marker).
        """
        ours = app.config["ORCID_PUSH_LANDING_PAGE_TEMPLATE"]
        current = app.config.get("APP_RDM_RECORD_LANDING_PAGE_TEMPLATE")
        if ours and current in (
            None,
            app.config["ORCID_PUSH_LANDING_PAGE_BASE_TEMPLATE"],
        ):
            app.config["APP_RDM_RECORD_LANDING_PAGE_TEMPLATE"] = ours

    @staticmethod
    def schedule_sweep(app):
        """Add the sweep of owed pushes to Celery beat's schedule.

        A copy of the schedule is extended, never the dict itself: it usually
        comes from a config module shared by every app of the process (RDM's
        or the instance's). Celery may already have read the setting
        (invenio-celery starts before or after us), so its copy is replaced
        too. An instance that schedules the task itself under our name, or
        sets ``ORCID_PUSH_SWEEP_INTERVAL = None``, keeps its own.
        """
        interval = app.config["ORCID_PUSH_SWEEP_INTERVAL"]
        if not interval:
            return
        schedule = dict(app.config.get("CELERY_BEAT_SCHEDULE") or {})
        schedule.setdefault(
            SWEEP_SCHEDULE_NAME,
            {
                "task": SWEEP_TASK_NAME,
                "schedule": as_timedelta(interval),
                # With a queue of its own, only that queue's workers run our tasks.
                "options": task_options(app),
            },
        )
        app.config["CELERY_BEAT_SCHEDULE"] = schedule
        celery_ext = app.extensions.get("invenio-celery")
        if celery_ext is not None:
            celery_ext.celery.conf.beat_schedule = schedule

    @staticmethod
    def check_settings(app):
        """Refuse to start with ORCID URLs that would leak or misdirect tokens.

        Checked here, while the app is built, so the web app, the Celery worker
        and every ``invenio`` command stop with an error naming the setting
        (see :mod:`.settings_check`).
        """
        if app.config["ORCID_PUSH_ENABLED"]:
            check_orcid_settings(app.config)

    @staticmethod
    def register_service_component(app):
        """Append our component to the RDM record service's components.

        The service reads ``RDM_RECORDS_SERVICE_COMPONENTS`` lazily, so the
        instance's own list (or RDM's default) is kept and extended.
        """
        components = app.config.get("RDM_RECORDS_SERVICE_COMPONENTS")
        if components is None:
            components = DefaultRecordsComponents
        if OrcidPushComponent not in components:
            app.config["RDM_RECORDS_SERVICE_COMPONENTS"] = [
                *components,
                OrcidPushComponent,
            ]


ORCID_ID_ICON = (
    '<i class="icon" aria-hidden="true">'
    '<svg viewBox="0 0 256 256" width="1em" height="1em" focusable="false">'
    '<circle cx="128" cy="128" r="128" fill="#A6CE39"/>'
    '<g fill="#fff"><path d="M86.3 186.2H70.9V79.1h15.4z"/>'
    '<path d="M108.9 79.1h41.6c39.6 0 57 28.3 57 53.6 0 27.5-21.5 53.5-56.8 53.5h-41.8z'
    "m15.4 93.3h24.5c34.9 0 42.9-26.5 42.9-39.7 0-21.5-13.7-39.7-43.7-39.7h-23.7z"
    '"/><circle cx="78.6" cy="56.8" r="10.1"/></g></svg></i>'
)
"""The ORCID iD icon, inline (Semantic UI's icon font has no ORCID icon), sized
and placed as the menu's other ``<i class="... icon">`` entries."""


def finalize_app(app):
    """Finalize the UI app (the Celery worker's too).

    ORCID-aware DataCite metadata from stock providers (see
    ``datacite.use_orcid_aware_serializer``), and the ORCID settings page in
    the account settings menu.
    """
    use_orcid_aware_serializer(app)
    with app.app_context():
        current_menu.submenu("settings.orcid_push").register(
            "invenio_orcid_push_settings.index",
            f"{ORCID_ID_ICON} ORCID",
            order=10,
        )
        current_menu.submenu("breadcrumbs.settings.orcid_push").register(
            "invenio_orcid_push_settings.index", "ORCID"
        )


def api_finalize_app(app):
    """Finalize the REST API app: ORCID-aware DataCite metadata from stock providers."""
    use_orcid_aware_serializer(app)
