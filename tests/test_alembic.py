"""The alembic migration creates exactly the table the model describes."""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy_utils.functions import create_database, database_exists, drop_database

from invenio_orcid_push.models import (
    OrcidCallLog,
    OrcidPushAccount,
    OrcidPushConsent,
    OrcidPushInvitation,
    OrcidPushOutbox,
    OrcidWorkImport,
    OrcidWorkLedger,
)

from helpers import ALEMBIC_DATABASE

TABLES = {
    OrcidWorkLedger.__tablename__,
    OrcidPushAccount.__tablename__,
    OrcidCallLog.__tablename__,
    OrcidPushConsent.__tablename__,
    OrcidPushInvitation.__tablename__,
    OrcidPushOutbox.__tablename__,
    OrcidWorkImport.__tablename__,
}


def only_our_tables(obj, name, type_, reflected, compare_to):
    table = (
        name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    )
    return table in TABLES


def invenio(*args, database_url):
    env = dict(os.environ, INVENIO_SQLALCHEMY_DATABASE_URI=database_url)
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "invenio"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.skipif(
    not os.environ.get("SQLALCHEMY_DATABASE_URI", "").startswith("postgresql"),
    reason="migrations are checked on PostgreSQL (CI sets SQLALCHEMY_DATABASE_URI)",
)
def test_upgrade_creates_the_models_tables_and_downgrade_removes_them(app):
    url = sa.engine.make_url(os.environ["SQLALCHEMY_DATABASE_URI"]).set(
        database=ALEMBIC_DATABASE
    )
    url_text = url.render_as_string(hide_password=False)
    if database_exists(url_text):  # left by an interrupted run under the same name
        drop_database(url_text)
    create_database(url_text)
    engine = sa.create_engine(url_text)
    try:
        invenio("alembic", "upgrade", "invenio_orcid_push@head", database_url=url_text)
        with engine.connect() as connection:
            assert TABLES <= set(sa.inspect(connection).get_table_names())
            context = MigrationContext.configure(
                connection,
                opts={"include_object": only_our_tables, "compare_type": True},
            )
            assert compare_metadata(context, OrcidWorkLedger.metadata) == []

        invenio("alembic", "downgrade", "5e1c0a7d2f31", database_url=url_text)
        with engine.connect() as connection:
            assert not TABLES & set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
        drop_database(url_text)
