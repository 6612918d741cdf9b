"""Settings page forms; Flask-WTF gives each a CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField


class PreferencesForm(FlaskForm):
    """Sync preferences."""

    auto_sync = BooleanField("Send my new public records to ORCID automatically")
    include_as_creator = BooleanField(
        "Also send records deposited by others that list my ORCID iD"
    )


class ActionForm(FlaskForm):
    """A button that changes something (sync now, send existing records)."""


class DisconnectForm(FlaskForm):
    """Disconnect ORCID."""

    remove_works = BooleanField(
        "Also remove the works this repository added to my ORCID record"
    )
