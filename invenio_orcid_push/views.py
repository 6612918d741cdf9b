"""The researcher's settings page, and the REST API's blueprint.

Both go through the services: the page with the logged-in person's identity,
the API through the Flask-Resources resource the extension builds.
"""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import ngettext
from flask_login import login_required
from invenio_i18n import gettext as _
from invenio_records_resources.services.errors import PermissionDeniedError

from .forms import ActionForm, DisconnectForm, PreferencesForm
from .orcid_works import (
    AlreadyHereError,
    NotLinkedError,
    OrcidReadError,
    WorkNotFoundError,
)
from .proxies import current_orcid_push_service
from .services.errors import OnlySignInMethodError, RecordNotFoundError
from .services.schemas import MAX_ID
from .templating import templates_folder


def create_api_blueprint(app):
    """The REST API blueprint, mounted under the API app (``/api``).

    The routes are the resource's (``resources.OrcidPushResource``); this
    function stays the ``invenio_base.api_blueprints`` entry point.
    """
    return app.extensions["invenio-orcid-push"].resource.as_blueprint()


# -- Settings page -----------------------------------------------------------------


def about():
    """``/account/settings/orcid/about``: what ORCID is and what this repository
    does with a researcher's permission. Public: e-mails and landing pages link here."""
    return render_template(current_app.config["ORCID_PUSH_ABOUT_TEMPLATE"])


def _settings():
    return redirect(url_for("invenio_orcid_push_settings.index"))


@login_required
def settings_index():
    """``/account/settings/orcid``: link, preferences, records and their status."""
    service = current_orcid_push_service
    summary = service.read_link(g.identity)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_ID)
    records = service.list_records(g.identity, {"page": page, "size": 20})
    works, works_problem = _orcid_works(summary)
    preferences = PreferencesForm(data=summary["preferences"])
    remote_app = current_app.config["ORCID_PUSH_REMOTE_APP"]
    return render_template(
        current_app.config["ORCID_PUSH_SETTINGS_TEMPLATE"],
        summary=summary,
        records=records["hits"]["hits"],
        total=records["hits"]["total"],
        page=page,
        preferences_form=preferences,
        action_form=ActionForm(),
        disconnect_form=DisconnectForm(),
        works=works,
        works_problem=works_problem,
        connect_url=url_for(
            "invenio_oauthclient.login",
            remote_app=remote_app,
            next=url_for("invenio_orcid_push_settings.index"),
        ),
    )


def _orcid_works(summary):
    """``(works, problem)`` of the page's works section: read from ORCID only
    when asked (``?works=1``); a problem is a sentence, never a failed page."""
    if not (summary.get("linked") and request.args.get("works")):
        return None, None
    try:
        found = current_orcid_push_service.list_orcid_works(g.identity)
    except (NotLinkedError, OrcidReadError) as error:
        return [], str(error.description)
    return found["hits"]["hits"], None


@login_required
def settings_preferences():
    """Save the sync preferences."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    changes = {"auto_sync": form.auto_sync.data}
    if form.records_by_others.data:  # a radio not sent keeps the choice
        changes["records_by_others"] = form.records_by_others.data
    current_orcid_push_service.update_preferences(g.identity, changes)
    flash(_("Your ORCID preferences were saved."), "success")
    return _settings()


@login_required
def settings_send_existing():
    """Backfill the researcher's existing public records."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    count = current_orcid_push_service.send_existing(g.identity)
    flash(
        ngettext(
            "%(num)s public record is being sent to ORCID.",
            "%(num)s public records are being sent to ORCID.",
            count,
        ),
        "success",
    )
    return _settings()


@login_required
def settings_import_work(put_code):
    """ "Import": a draft from one ORCID work, then its deposit form."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    try:
        draft = current_orcid_push_service.import_orcid_work(g.identity, put_code)
    except (AlreadyHereError, WorkNotFoundError, NotLinkedError, OrcidReadError) as e:
        flash(str(e.description), "error")
        return redirect(url_for("invenio_orcid_push_settings.index", works=1))
    flash(
        _("A draft was created from the ORCID work: check it, then publish."), "success"
    )
    return redirect(f"/uploads/{draft['id']}")


@login_required
def settings_sync_record(pid_value):
    """ "Sync now" / "Send again" for one record."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    current_orcid_push_service.request_sync(g.identity, pid_value)
    flash(_("The record is being sent to ORCID."), "success")
    return _settings()


@login_required
def settings_dismiss_record(pid_value):
    """ "Dismiss": never send this record to my ORCID record."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    current_orcid_push_service.dismiss(g.identity, pid_value)
    flash(_("The record will not be sent to your ORCID record."), "success")
    return _settings()


@login_required
def settings_disconnect():
    """Disconnect ORCID: revoke access at ORCID, optionally remove our works.

    Refused, with nothing changed, when ORCID is the user's only way to sign in.
    """
    form = DisconnectForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    try:
        removed, revoked = current_orcid_push_service.disconnect(
            g.identity, remove_works=form.remove_works.data
        )
    except OnlySignInMethodError as error:
        flash(str(error.description), "error")
        return _settings()
    flash(_disconnected_message(removed, revoked), "success" if revoked else "warning")
    return _settings()


def _disconnected_message(removed, revoked):
    message = _("ORCID is disconnected.")
    if removed:
        message += " " + ngettext(
            "%(num)s work was removed from your ORCID record.",
            "%(num)s works were removed from your ORCID record.",
            removed,
        )
    if not revoked:
        message += " " + _(
            "ORCID could not be reached to revoke access; you can remove this "
            "repository from the trusted organizations on orcid.org."
        )
    return message


def _bad_form(form):
    errors = "; ".join(
        f"{name}: {', '.join(msgs)}" for name, msgs in form.errors.items()
    )
    return (
        _(
            "The form was not accepted (%(errors)s). Reload the page and try again.",
            errors=errors or _("missing data"),
        ),
        400,
    )


def _not_found(error):
    """A page for an unknown record (the service said so)."""
    return str(error.description), 404


def _denied(error):
    """A page for a refused action (the policy said so)."""
    return str(error.description), 403


_ACTIONS = (
    ("/preferences", settings_preferences, "preferences"),
    ("/send-existing", settings_send_existing, "send_existing"),
    ("/records/<pid_value>/sync", settings_sync_record, "sync_record"),
    ("/records/<pid_value>/dismiss", settings_dismiss_record, "dismiss_record"),
    ("/works/<put_code>/import", settings_import_work, "import_work"),
    ("/disconnect", settings_disconnect, "disconnect"),
)
"""The settings page's forms: each changes something, so each is a POST."""


def create_ui_blueprint(app):
    """The settings page blueprint; it also serves the package's templates."""
    blueprint = Blueprint(
        "invenio_orcid_push_settings",
        __name__,
        url_prefix="/account/settings/orcid",
        template_folder=templates_folder(),
    )
    blueprint.add_url_rule("/", view_func=settings_index, endpoint="index")
    blueprint.add_url_rule("/about", view_func=about, endpoint="about")
    for rule, view, endpoint in _ACTIONS:
        blueprint.add_url_rule(
            rule, view_func=view, endpoint=endpoint, methods=["POST"]
        )
    blueprint.register_error_handler(RecordNotFoundError, _not_found)
    blueprint.register_error_handler(PermissionDeniedError, _denied)
    return blueprint
