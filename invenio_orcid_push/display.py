"""How ORCID iDs are shown, on every surface, by ORCID's display guidelines.

An iD is shown as its full https URI (``https://<ORCID_PUSH_ORCID_HOST>/<iD>``)
next to ORCID's green iD icon, which ORCID reserves for *authenticated* iDs:
collected from their holder through ORCID's sign-in. Here that is an iD
linked through this repository's ORCID remote app, read from the database
(``UserIdentity`` and ``RemoteAccount``), never from a record's metadata,
where anyone can type any iD. Every surface also links to the "What is
ORCID" page (``about_url``).

The macros in ``invenio_orcid_push/macros/orcid.html`` take these values as
arguments, so they work in pages and e-mail templates alike.
"""

from flask import current_app, has_request_context, url_for
from invenio_accounts.models import UserIdentity
from invenio_db import db
from invenio_oauthclient.models import RemoteAccount

from .identifiers import normalize_orcid
from .links import orcid_client_id
from .reasons import reason_of, render_reason, worded

ABOUT_PATH = "/account/settings/orcid/about"
"""Where the "What is ORCID" page is (``views.about``)."""


def orcid_uri(orcid, config=None):
    """``https://<ORCID_PUSH_ORCID_HOST>/<iD>``, as ORCID asks iDs to be shown."""
    config = config or current_app.config
    return f"https://{config['ORCID_PUSH_ORCID_HOST']}/{orcid}"


def _site(config):
    return config["SITE_UI_URL"].rstrip("/")


def icon_url(absolute=False, config=None):
    """URL of ORCID's iD icon (absolute for e-mails, or outside a request)."""
    config = config or current_app.config
    filename = config["ORCID_PUSH_ORCID_ICON"]
    if absolute or not has_request_context():
        static = current_app.static_url_path or "/static"
        return f"{_site(config)}{static}/{filename}"
    return url_for("static", filename=filename)


def about_url(absolute=False, config=None):
    """URL of the "What is ORCID" page (absolute for e-mails)."""
    config = config or current_app.config
    return f"{_site(config)}{ABOUT_PATH}" if absolute else ABOUT_PATH


def email_context(config=None):
    """What an e-mail template needs to show iDs and link "What is ORCID".

    Absolute URLs only: e-mails are read far from this site (and built in
    Celery tasks, without a request).
    """
    config = config or current_app.config
    return {
        "orcid_host": config["ORCID_PUSH_ORCID_HOST"],
        "orcid_icon_url": icon_url(absolute=True, config=config),
        "orcid_about_url": about_url(absolute=True, config=config),
    }


def listed_orcids(*creatibutor_lists):
    """The valid ORCID iDs of creators/contributors (RDM's metadata shape)."""
    found = set()
    for creatibutors in creatibutor_lists:
        for creatibutor in creatibutors or ():
            person = (creatibutor or {}).get("person_or_org") or {}
            for identifier in person.get("identifiers") or ():
                if (identifier or {}).get("scheme") == "orcid":
                    found.add(normalize_orcid(identifier.get("identifier")))
    found.discard(None)
    return found


def authenticated_orcids(orcids):
    """Those of ``orcids`` linked by their holder through our ORCID remote app.

    One query, whatever the number of iDs (a record may list thousands).
    """
    orcids = {o for o in map(normalize_orcid, orcids) if o}
    client_id = orcid_client_id()
    if not orcids or not client_id:
        return set()
    rows = (
        db.session.query(UserIdentity.id)
        .join(RemoteAccount, RemoteAccount.user_id == UserIdentity.id_user)
        .filter(
            UserIdentity.method == "orcid",
            UserIdentity.id.in_(sorted(orcids)),
            RemoteAccount.client_id == client_id,
        )
    )
    return {orcid for (orcid,) in rows}


def authenticated_among(*creatibutor_lists):
    """Template helper: the authenticated iDs among these creators/contributors."""
    return authenticated_orcids(listed_orcids(*creatibutor_lists))


def register_template_helpers(app):
    """Make the helpers above available to every template of the app."""
    app.add_template_global(orcid_uri, "orcid_push_uri")
    app.add_template_global(icon_url, "orcid_push_icon_url")
    app.add_template_global(about_url, "orcid_push_about_url")
    app.add_template_global(authenticated_among, "orcid_push_authenticated_among")
    app.add_template_global(render_reason, "orcid_push_reason")
    app.add_template_global(reason_of, "orcid_push_reason_of")
    app.add_template_global(worded, "orcid_push_worded")
