"""Administration panel views: the sync ledger, each row's ORCID calls, and a retry action.

The ledger service decides who may see and retry (administrators); these
views only render what it returns.
"""

from flask import flash, g, redirect, request, url_for
from invenio_administration.views.base import AdminView
from invenio_i18n import gettext as _
from invenio_i18n import lazy_gettext

from .forms import ActionForm
from .notes import ledger_note
from .proxies import current_orcid_ledger_service
from .reasons import reason_of
from .services.errors import LedgerEntryNotFoundError


class OrcidLedgerListView(AdminView):
    """ORCID sync: every (ORCID iD, record family) and where it stands."""

    extension_name = "invenio-orcid-push"
    name = "orcid_push_ledger"
    category = "ORCID"
    menu_label = lazy_gettext("ORCID sync")
    title = lazy_gettext("ORCID sync")
    url = "/orcid-push"
    icon = "id card outline"
    template = "invenio_orcid_push/admin/ledger.html"

    def get(self):
        """The filtered, paginated ledger."""
        params = request.args.to_dict()
        params["page"] = request.args.get("page", 1, type=int)
        found = current_orcid_ledger_service.search(g.identity, params)
        return self.render(
            rows=found["hits"],
            emails=found["emails"],
            total=found["total"],
            page=found["page"],
            page_size=found["size"],
            filters=request.args,
            statuses=found["statuses"],
            note_of=ledger_note,
            reason_of=reason_of,
            pause=found["pause"],
            unknown_works=found["unknown_works"],
            uptake=current_orcid_ledger_service.uptake(g.identity),
        )


class OrcidLedgerEntryView(AdminView):
    """One ledger row: its history of ORCID calls, and a retry action."""

    extension_name = "invenio-orcid-push"
    name = "orcid_push_ledger_entry"
    category = "ORCID"
    title = lazy_gettext("ORCID sync entry")
    url = "/orcid-push/<int:entry_id>"
    template = "invenio_orcid_push/admin/entry.html"
    disabled = staticmethod(lambda: True)  # no menu entry of its own

    def get(self, entry_id):
        """The row and the ORCID calls made for it, newest first."""
        try:
            found = current_orcid_ledger_service.read_entry(g.identity, entry_id)
        except LedgerEntryNotFoundError as error:
            return str(error.description), 404
        return self.render(
            **found, form=ActionForm(), note_of=ledger_note, reason_of=reason_of
        )

    def post(self, entry_id):
        """Retry: send the record family to ORCID again now."""
        service = current_orcid_ledger_service
        try:
            service.read_entry(g.identity, entry_id)  # an unknown row is 404 first
        except LedgerEntryNotFoundError as error:
            return str(error.description), 404
        form = ActionForm()
        if not form.validate_on_submit():
            return _("The form was not accepted; reload the page and try again."), 400
        service.retry_entry(g.identity, entry_id)
        flash(_("The record is being sent to ORCID again."), "success")
        return redirect(
            url_for("administration.orcid_push_ledger_entry", entry_id=entry_id)
        )
