"""The researcher's settings page and the REST API of invenio-orcid-push."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from functools import wraps

from . import accounts
from .forms import ActionForm, DisconnectForm, PreferencesForm
from .models import OrcidWorkLedger
from .permissions import can_see_sync_of, is_orcid_push_admin
from .sync import resolve_record
from .templating import templates_folder


def _json_error(status, message):
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    return response


def record_orcid_status(pid_value):
    """``GET /records/<id>/orcid``: the ORCID records this record was pushed to."""
    record = resolve_record(pid_value)
    if record is None:
        return _json_error(404, "The record does not exist.")
    if not current_user.is_authenticated:
        return _json_error(401, "Log in to see where this record is on ORCID.")
    parent = record.parent
    owner = parent.access.owned_by.owner_id if parent.access.owned_by else None
    if not can_see_sync_of(owner):
        return _json_error(403, "Only the record's owner and administrators can see this.")
    host = current_app.config["ORCID_PUSH_ORCID_HOST"]
    rows = (
        OrcidWorkLedger.query.filter(
            OrcidWorkLedger.parent_id.in_([parent.pid.pid_value, pid_value])
        )
        .order_by(OrcidWorkLedger.orcid)
        .all()
    )
    hits = [
        {
            "orcid": row.orcid,
            "orcid_url": f"https://{host}/{row.orcid}",
            "status": row.status.value,
            "put_code": row.put_code,
            "record_version": row.record_id,
            "synced_at": row.synced_at.isoformat() if row.synced_at else None,
            "updated": row.updated.isoformat() if row.updated else None,
            "last_error": row.last_error,
        }
        for row in rows
    ]
    return jsonify({"record": pid_value, "parent": parent.pid.pid_value,
                    "hits": {"hits": hits, "total": len(hits)}})


def _target_user():
    """The user an API call is about: oneself, or ``?user_id=`` for admins."""
    requested = request.args.get("user_id", type=int)
    if requested is None or requested == current_user.id:
        return current_user.id, None
    if not is_orcid_push_admin():
        return None, _json_error(403, "You can only see your own ORCID settings.")
    return requested, None


def _api_login_required():
    if not current_user.is_authenticated:
        return _json_error(401, "Log in to use your ORCID settings.")
    return None


def about_a_user(view):
    """An API view about one user's ORCID settings: logged in, and oneself unless admin."""

    @wraps(view)
    def checked(*args, **kwargs):
        denied = _api_login_required()
        if denied:
            return denied
        user_id, denied = _target_user()
        if denied:
            return denied
        return view(user_id, *args, **kwargs)

    return checked


@about_a_user
def api_user_orcid(user_id):
    """``GET``/``PUT /user/orcid``: the link and the sync preferences."""
    if request.method == "PUT":
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return _json_error(400, "Send a JSON object with auto_sync and/or include_as_creator.")
        unknown = sorted(set(data) - {"auto_sync", "include_as_creator"})
        wrong = sorted(k for k in ("auto_sync", "include_as_creator")
                       if k in data and not isinstance(data[k], bool))
        if unknown or wrong or not data:
            problems = [f"unknown field '{k}'" for k in unknown] + [
                f"'{k}' must be true or false" for k in wrong]
            return _json_error(400, "Invalid preferences: " + (
                "; ".join(problems) or "nothing to change") + ".")
        accounts.update_preferences(user_id, **data)
    return jsonify(accounts.link_summary(user_id))


@about_a_user
def api_user_orcid_records(user_id):
    """``GET /user/orcid/records``: the user's records and their ORCID status."""
    page = request.args.get("page", 1, type=int)
    size = request.args.get("size", 20, type=int)
    if page < 1 or not 1 <= size <= 100:
        return _json_error(400, "page must be 1 or more and size between 1 and 100.")
    total, rows = accounts.records_of(user_id, page=page, size=size)
    return jsonify({"hits": {"hits": rows, "total": total}, "page": page, "size": size})


def api_sync_record(pid_value):
    """``POST /user/orcid/records/<id>/sync``: send this record to ORCID now."""
    denied = _api_login_required()
    if denied:
        return denied
    owner = accounts.owner_of(pid_value)
    if owner is None:
        return _json_error(404, "The record does not exist.")
    if not can_see_sync_of(owner):
        return _json_error(403, "Only the record's owner and administrators can do this.")
    accounts.request_sync(pid_value)
    response = jsonify({"record": pid_value, "message": "Sync requested."})
    response.status_code = 202
    return response


def create_api_blueprint(app):
    """The REST API blueprint, mounted under the API app (``/api``)."""
    blueprint = Blueprint("invenio_orcid_push_api", __name__)
    blueprint.add_url_rule(
        "/records/<pid_value>/orcid", view_func=record_orcid_status, methods=["GET"]
    )
    blueprint.add_url_rule("/user/orcid", view_func=api_user_orcid, methods=["GET", "PUT"])
    blueprint.add_url_rule(
        "/user/orcid/records", view_func=api_user_orcid_records, methods=["GET"]
    )
    blueprint.add_url_rule(
        "/user/orcid/records/<pid_value>/sync", view_func=api_sync_record, methods=["POST"]
    )
    return blueprint


# -- Settings page -----------------------------------------------------------------


def _settings():
    return redirect(url_for("invenio_orcid_push_settings.index"))


@login_required
def settings_index():
    """``/account/settings/orcid``: link, preferences, records and their status."""
    summary = accounts.link_summary(current_user.id)
    page = max(request.args.get("page", 1, type=int), 1)
    total, rows = accounts.records_of(current_user.id, page=page, size=20)
    preferences = PreferencesForm(data=summary["preferences"])
    remote_app = current_app.config["ORCID_PUSH_REMOTE_APP"]
    return render_template(
        current_app.config["ORCID_PUSH_SETTINGS_TEMPLATE"],
        summary=summary,
        records=rows,
        total=total,
        page=page,
        preferences_form=preferences,
        action_form=ActionForm(),
        disconnect_form=DisconnectForm(),
        connect_url=url_for("invenio_oauthclient.login", remote_app=remote_app,
                            next=url_for("invenio_orcid_push_settings.index")),
    )


@login_required
def settings_preferences():
    """Save the sync preferences."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    accounts.update_preferences(current_user.id, auto_sync=form.auto_sync.data,
                                include_as_creator=form.include_as_creator.data)
    flash("Your ORCID preferences were saved.", "success")
    return _settings()


@login_required
def settings_send_existing():
    """Backfill the researcher's existing public records."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    count = accounts.send_existing_records(current_user.id)
    flash(f"{count} public record(s) are being sent to ORCID.", "success")
    return _settings()


@login_required
def settings_sync_record(pid_value):
    """"Sync now" / "Send again" for one record."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    owner = accounts.owner_of(pid_value)
    if owner is None:
        return "The record does not exist.", 404
    if not can_see_sync_of(owner):
        return "Only the record's owner can send it to ORCID.", 403
    accounts.request_sync(pid_value)
    flash("The record is being sent to ORCID.", "success")
    return _settings()


@login_required
def settings_disconnect():
    """Disconnect ORCID: revoke access at ORCID, optionally remove our works."""
    form = DisconnectForm()
    if not form.validate_on_submit():
        return _bad_form(form)
    removed, revoked = accounts.disconnect_orcid(current_user.id,
                                                 remove_works=form.remove_works.data)
    message = "ORCID is disconnected."
    if removed:
        message += f" {removed} work(s) were removed from your ORCID record."
    if not revoked:
        message += (" ORCID could not be reached to revoke access; you can remove this "
                    "repository from the trusted organizations on orcid.org.")
    flash(message, "success" if revoked else "warning")
    return _settings()


def _bad_form(form):
    errors = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in form.errors.items())
    return f"The form was not accepted ({errors or 'missing data'}). Reload the page and try again.", 400


def create_ui_blueprint(app):
    """The settings page blueprint; it also serves the package's templates."""
    blueprint = Blueprint(
        "invenio_orcid_push_settings",
        __name__,
        url_prefix="/account/settings/orcid",
        template_folder=templates_folder(),
    )
    blueprint.add_url_rule("/", view_func=settings_index, endpoint="index")
    blueprint.add_url_rule("/preferences", view_func=settings_preferences,
                           endpoint="preferences", methods=["POST"])
    blueprint.add_url_rule("/send-existing", view_func=settings_send_existing,
                           endpoint="send_existing", methods=["POST"])
    blueprint.add_url_rule("/records/<pid_value>/sync", view_func=settings_sync_record,
                           endpoint="sync_record", methods=["POST"])
    blueprint.add_url_rule("/disconnect", view_func=settings_disconnect,
                           endpoint="disconnect", methods=["POST"])
    return blueprint



