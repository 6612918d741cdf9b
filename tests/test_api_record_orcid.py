"""GET /api/records/<id>/orcid: which ORCID records hold this record, for owners and admins."""

import pytest
from invenio_access.models import ActionUsers
from invenio_access.permissions import superuser_access
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db

from helpers import record_data


@pytest.fixture
def pushed(make_user, link_orcid, publish):
    owner = make_user()
    orcid = link_orcid(owner)
    record = publish(owner, record_data())
    return owner, orcid, record


def test_the_owner_sees_the_orcid_ids_and_statuses(client, pushed, orcid_simulator):
    owner, orcid, record = pushed
    login_user_via_session(client, user=owner)

    response = client.get(f"/api/records/{record.id}/orcid")

    assert response.status_code == 200
    (hit,) = response.json["hits"]["hits"]
    (work,) = orcid_simulator.state.works_of(orcid)
    assert hit["orcid"] == orcid
    assert hit["orcid_url"] == f"https://orcid.org/{orcid}"
    assert hit["status"] == "synced"
    assert hit["put_code"] == str(work.put_code)
    assert hit["synced_at"]
    assert response.json["parent"] == record["parent"]["id"]


def test_an_admin_sees_any_record(client, pushed, make_user):
    _, orcid, record = pushed
    admin = make_user()
    db.session.add(ActionUsers.allow(superuser_access, user=admin))
    db.session.commit()
    login_user_via_session(client, user=admin)

    response = client.get(f"/api/records/{record.id}/orcid")

    assert response.status_code == 200
    assert [h["orcid"] for h in response.json["hits"]["hits"]] == [orcid]


def test_anonymous_users_must_log_in(client, pushed):
    response = client.get(f"/api/records/{pushed[2].id}/orcid")
    assert response.status_code == 401


def test_other_users_are_refused(client, pushed, make_user):
    login_user_via_session(client, user=make_user())
    response = client.get(f"/api/records/{pushed[2].id}/orcid")
    assert response.status_code == 403
    assert "owner" in response.json["message"]


def test_an_unknown_record_is_404(client, make_user):
    login_user_via_session(client, user=make_user())
    assert client.get("/api/records/nope-00000/orcid").status_code == 404
