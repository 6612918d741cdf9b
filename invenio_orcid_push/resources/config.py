"""Configuration of the ORCID push REST resource: routes, parsers, errors."""

import marshmallow as ma
from flask import g
from flask_resources import HTTPJSONException, ResourceConfig, create_error_handler
from invenio_access.permissions import authenticated_user
from invenio_i18n import gettext
from invenio_i18n import lazy_gettext as _
from invenio_records_resources.errors import validation_error_to_list_errors
from invenio_records_resources.resources.errors import ErrorHandlersMixin
from invenio_records_resources.services.base.config import ConfiguratorMixin
from invenio_records_resources.services.errors import PermissionDeniedError

from ..orcid_works import (
    AlreadyHereError,
    NotLinkedError,
    OrcidReadError,
    WorkNotFoundError,
)
from ..services.errors import (
    DENIED_MESSAGES,
    RecordNotFoundError,
    UserNotFoundError,
)
from ..services.schemas import RecordsArgsSchema, UserArgsSchema

FIELD_NAMES = {"_schema": _("request body")}
"""How a problem not tied to one field is named."""


def _field_problems(errors):
    return "; ".join(
        f"{FIELD_NAMES.get(error['field'], error['field'])}: "
        + " ".join(str(message).rstrip(".") for message in error["messages"])
        for error in errors
    )


def validation_error(exception):
    """400 whose message names every wrong field (``errors`` lists them, as in RDM)."""
    errors = validation_error_to_list_errors(exception)
    return HTTPJSONException(
        code=400,
        errors=errors,
        description=gettext(
            "Invalid request: %(problems)s.", problems=_field_problems(errors)
        ),
    )


def permission_denied(exception):
    """401 for anonymous callers (log in first), 403 with the reason otherwise."""
    identity = getattr(g, "identity", None)
    if identity is None or authenticated_user not in identity.provides:
        return HTTPJSONException(code=401, description=DENIED_MESSAGES["use"])
    return HTTPJSONException(code=403, description=exception.description)


class OrcidPushResourceConfig(ResourceConfig, ConfiguratorMixin):
    """``/api/records/<id>/orcid`` and ``/api/user/orcid...``: a public contract."""

    blueprint_name = "invenio_orcid_push_api"
    url_prefix = ""
    routes = {
        "record-status": "/records/<pid_value>/orcid",
        "link": "/user/orcid",
        "records": "/user/orcid/records",
        "sync": "/user/orcid/records/<pid_value>/sync",
        "dismiss": "/user/orcid/records/<pid_value>/dismiss",
        "works": "/user/orcid/works",
        "import-work": "/user/orcid/works/<put_code>/import",
    }

    request_view_args = {
        "pid_value": ma.fields.String(),
        "put_code": ma.fields.String(),
    }
    request_user_args = UserArgsSchema
    request_records_args = RecordsArgsSchema

    error_handlers = {
        **ErrorHandlersMixin.error_handlers,
        ma.ValidationError: create_error_handler(validation_error),
        PermissionDeniedError: create_error_handler(permission_denied),
        RecordNotFoundError: create_error_handler(
            lambda e: HTTPJSONException(code=404, description=e.description)
        ),
        UserNotFoundError: create_error_handler(
            lambda e: HTTPJSONException(code=404, description=e.description)
        ),
        NotLinkedError: create_error_handler(
            lambda e: HTTPJSONException(code=404, description=e.description)
        ),
        WorkNotFoundError: create_error_handler(
            lambda e: HTTPJSONException(code=404, description=e.description)
        ),
        AlreadyHereError: create_error_handler(
            lambda e: HTTPJSONException(code=409, description=e.description)
        ),
        OrcidReadError: create_error_handler(
            lambda e: HTTPJSONException(
                code=400 if e.refused else 503, description=e.description
            )
        ),
    }
