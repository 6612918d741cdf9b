"""Administration panel views: the sync ledger, each row's ORCID calls, and a retry action."""

from flask import flash, redirect, request, url_for
from invenio_accounts.models import User
from invenio_administration.views.base import AdminView
from invenio_db import db

from .forms import ActionForm
from .models import OrcidCallLog, OrcidWorkLedger, SyncStatus

PAGE_SIZE = 50


def _ledger_query(args):
    """Ledger rows matching the list's filters (status, user, record, error code)."""
    query = OrcidWorkLedger.query
    status = args.get("status")
    if status in {s.value for s in SyncStatus}:
        query = query.filter(OrcidWorkLedger.status == SyncStatus(status))
    user = (args.get("user") or "").strip()
    if user:
        if user.isdigit():
            query = query.filter(OrcidWorkLedger.user_id == int(user))
        else:
            query = query.join(User, User.id == OrcidWorkLedger.user_id).filter(
                db.func.lower(User.email) == user.lower())
    record = (args.get("record") or "").strip()
    if record:
        query = query.filter(db.or_(OrcidWorkLedger.record_id == record,
                                    OrcidWorkLedger.parent_id == record))
    error_code = (args.get("error_code") or "").strip()
    if error_code:
        query = query.filter(OrcidWorkLedger.error_code == error_code)
    return query


class OrcidLedgerListView(AdminView):
    """ORCID sync: every (ORCID iD, record family) and where it stands."""

    extension_name = "invenio-orcid-push"
    name = "orcid_push_ledger"
    category = "ORCID"
    menu_label = "ORCID sync"
    title = "ORCID sync"
    url = "/orcid-push"
    icon = "id card outline"
    template = "invenio_orcid_push/admin/ledger.html"

    def get(self):
        """The filtered, paginated ledger."""
        page = max(request.args.get("page", 1, type=int), 1)
        query = _ledger_query(request.args)
        total = query.count()
        rows = (query.order_by(OrcidWorkLedger.updated.desc())
                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all())
        emails = dict(db.session.query(User.id, User.email).filter(
            User.id.in_({row.user_id for row in rows if row.user_id})))
        return self.render(rows=rows, emails=emails, total=total, page=page,
                           page_size=PAGE_SIZE, filters=request.args,
                           statuses=[s.value for s in SyncStatus])


class OrcidLedgerEntryView(AdminView):
    """One ledger row: its history of ORCID calls, and a retry action."""

    extension_name = "invenio-orcid-push"
    name = "orcid_push_ledger_entry"
    category = "ORCID"
    title = "ORCID sync entry"
    url = "/orcid-push/<int:entry_id>"
    template = "invenio_orcid_push/admin/entry.html"
    disabled = staticmethod(lambda: True)  # no menu entry of its own

    def get(self, entry_id):
        """The row and the ORCID calls made for it, newest first."""
        entry = db.session.get(OrcidWorkLedger, entry_id)
        if entry is None:
            return "No such ORCID sync entry.", 404
        calls = (OrcidCallLog.query.filter_by(ledger_id=entry.id)
                 .order_by(OrcidCallLog.created.desc()).limit(200).all())
        user = db.session.get(User, entry.user_id) if entry.user_id else None
        return self.render(entry=entry, calls=calls, user=user, form=ActionForm())

    def post(self, entry_id):
        """Retry: send the record family to ORCID again now."""
        entry = db.session.get(OrcidWorkLedger, entry_id)
        if entry is None:
            return "No such ORCID sync entry.", 404
        form = ActionForm()
        if not form.validate_on_submit():
            return "The form was not accepted; reload the page and try again.", 400
        from .tasks import push_record_to_orcid

        push_record_to_orcid.delay(entry.record_id)
        flash("The record is being sent to ORCID again.", "success")
        return redirect(url_for("administration.orcid_push_ledger_entry", entry_id=entry_id))
