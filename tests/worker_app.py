"""The Celery app of the real-worker tests: ``celery -A worker_app worker``.

Built as ``invenio_app.celery`` builds an instance's (from the UI app), with the
configuration the test wrote (``ORCID_PUSH_WORKER_SETTINGS`` names the JSON
file; see ``real_workers.flask_config``). Run with ``tests/`` on ``PYTHONPATH``.
"""

import logging

from flask_celeryext import create_celery_app
from invenio_app.factory import create_ui
from real_workers import flask_config, read_settings

celery = create_celery_app(create_ui(**flask_config(read_settings())))
logging.getLogger("invenio_orcid_push").setLevel(logging.INFO)
