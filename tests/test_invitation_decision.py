"""Whom to invite through ORCID's inbox: the rule as a table (no app, no database)."""

from datetime import datetime, timedelta, timezone

import pytest

from invenio_orcid_push.invitations import (
    ALREADY_INVITED,
    INVITE,
    INVITED_RECENTLY,
    LINKED,
    NOT_PUBLIC,
    OFF,
    OPTED_OUT,
    InviteeFacts,
    decide_invitation,
    whom_to_invite,
)

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def days_ago(days):
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    "facts, enabled, public, expected",
    [
        (InviteeFacts(), True, True, INVITE),
        (InviteeFacts(), False, True, OFF),
        (InviteeFacts(), True, False, NOT_PUBLIC),
        (InviteeFacts(linked=True), True, True, LINKED),
        (InviteeFacts(invited_for_family=True), True, True, ALREADY_INVITED),
        (InviteeFacts(last_invited=days_ago(59)), True, True, INVITED_RECENTLY),
        (InviteeFacts(last_invited=days_ago(61)), True, True, INVITE),
        (
            InviteeFacts(invited_for_family=True, last_invited=days_ago(400)),
            True,
            True,
            ALREADY_INVITED,
        ),
        (InviteeFacts(opted_out=True), True, True, OPTED_OUT),
        (
            InviteeFacts(opted_out=True, last_invited=days_ago(400)),
            True,
            True,
            OPTED_OUT,
        ),
        (InviteeFacts(opted_out=True, linked=True), True, True, OPTED_OUT),
        (InviteeFacts(linked=True), False, True, OFF),
    ],
)
def test_decide_invitation(facts, enabled, public, expected):
    assert decide_invitation(facts, enabled, public, NOW, reask_days=60) == expected


def test_whom_to_invite_keeps_only_those_to_invite_sorted():
    facts = {
        "0000-0002-4325-871X": InviteeFacts(),
        "0000-0002-1825-0097": InviteeFacts(),
        "0000-0001-5109-3700": InviteeFacts(linked=True),
    }
    assert whom_to_invite(facts, True, True, NOW, 60) == [
        "0000-0002-1825-0097",
        "0000-0002-4325-871X",
    ]
    assert whom_to_invite(facts, False, True, NOW, 60) == []
