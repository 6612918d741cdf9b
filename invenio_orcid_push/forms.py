"""Settings page forms; Flask-WTF gives each a CSRF token."""

from flask_wtf import FlaskForm
from invenio_i18n import lazy_gettext as _
from wtforms import BooleanField, RadioField
from wtforms.validators import Optional

from .models import RecordsByOthers


class PreferencesForm(FlaskForm):
    """Sync preferences."""

    auto_sync = BooleanField(_("Send my new public records to ORCID automatically"))
    records_by_others = RadioField(
        _("Records deposited by others that list my ORCID iD"),
        choices=[
            (
                RecordsByOthers.AUTOMATIC,
                _("Send them to my ORCID record automatically"),
            ),
            (RecordsByOthers.ASK, _("Ask me first, record by record")),
            (RecordsByOthers.NEVER, _("Never send them")),
        ],
        validators=[Optional()],  # not sent: the choice stays as it is
    )


class ActionForm(FlaskForm):
    """A button that changes something (sync now, dismiss, send existing records)."""


class DisconnectForm(FlaskForm):
    """Disconnect ORCID."""

    remove_works = BooleanField(
        _("Also remove the works this repository added to my ORCID record")
    )
