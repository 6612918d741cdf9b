"""Input of the ORCID push services, loaded with marshmallow.

Every malformed input raises ``marshmallow.ValidationError`` naming its field;
the REST API answers it with 400.
"""

from flask_resources.parsers import MultiDictSchema
from invenio_i18n import lazy_gettext as _
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from ..models import RecordsByOthers


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: ``"no"`` or ``0`` would be guesses."""

    default_error_messages = {"invalid": _("must be true or false")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class PreferencesSchema(Schema):
    """``PUT /user/orcid``: the sync preferences to change."""

    class Meta:
        """A misspelt preference must not be silently ignored."""

        unknown = RAISE

    error_messages = {"unknown": _("unknown field")}

    auto_sync = StrictBoolean()
    records_by_others = fields.String(
        validate=validate.OneOf(
            RecordsByOthers.CHOICES,
            error=_("must be one of: automatic, ask, never"),
        )
    )
    include_as_creator = StrictBoolean()
    """Earlier versions' boolean: true is ``automatic``, false ``never``."""

    @validates_schema
    def something_to_change(self, data, **kwargs):
        """An empty object is a mistake, not a no-op."""
        if not data:
            raise ValidationError(
                _("give auto_sync, records_by_others and/or include_as_creator")
            )


MAX_ID = 2**31 - 1
"""The largest id or page number taken: PostgreSQL's ``integer`` columns end there,
and a larger number would fail in the database instead of being refused here."""


class UserArgsSchema(MultiDictSchema):
    """``?user_id=``: whose ORCID settings (oneself when absent).

    Other query arguments (cache busters) are ignored, as in InvenioRDM.
    """

    user_id = fields.Integer(
        load_default=None, validate=validate.Range(min=1, max=MAX_ID)
    )


class RecordsArgsSchema(UserArgsSchema):
    """``GET /user/orcid/records``: whose records, and which page of them."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class LedgerArgsSchema(MultiDictSchema):
    """The administration panel's filters of the ledger."""

    page = fields.Integer(load_default=1)
    status = fields.String(load_default=None)
    user = fields.String(load_default=None)
    record = fields.String(load_default=None)
    error_code = fields.String(load_default=None)
