"""ORCID's error answers map to the same error types, codes and details.

A table of answers (status x ORCID error code, XML and JSON bodies) and what a
caller of :func:`error_from_response` observes: the type, ``code``,
``retryable`` and the put-code or new iD it carries. The sync decides what to
do (retry, link again, adopt the existing work, ...) from exactly these.
"""

import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from invenio_orcid_push.client import (
    OrcidBadRequestError,
    OrcidConflictError,
    OrcidDuplicateError,
    OrcidError,
    OrcidMisdirectedError,
    OrcidNotFoundError,
    OrcidNotificationsOptedOutError,
    OrcidPermissionError,
    OrcidRecordMovedError,
    OrcidTokenInvalidError,
    OrcidUnavailableError,
    error_from_response,
)

NEW_ID = "0000-0002-4325-871X"
MOVED_TO = f"https://api.orcid.org/v3.0/{NEW_ID}/work"


def xml(code=None, developer=None, user=None):
    """An ORCID error body in XML."""
    parts = [
        f"<e:{name}>{text}</e:{name}>"
        for name, text in (
            ("error-code", code),
            ("developer-message", developer),
            ("user-message", user),
        )
        if text is not None
    ]
    return (
        '<?xml version="1.0"?><e:error xmlns:e="http://www.orcid.org/ns/error">'
        + "".join(parts)
        + "</e:error>"
    )


def js(code=None, developer=None, user=None):
    """An ORCID error body in JSON (ORCID sends the code as a number)."""
    body = {"error-code": code, "developer-message": developer, "user-message": user}
    return json.dumps({key: value for key, value in body.items() if value is not None})


def answer(status, body="", location=None):
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    response.encoding = "utf-8"
    response.headers = CaseInsensitiveDict({"Location": location} if location else {})
    return response


OAUTH_INVALID = json.dumps({"error": "invalid_token", "error_description": "expired"})
ACCESS_DENIED = json.dumps({"error": "access_denied"})

# Short names keep the table one row per answer.
Moved = OrcidRecordMovedError
Token = OrcidTokenInvalidError
Denied = OrcidPermissionError
Gone = OrcidNotFoundError
Duplicate = OrcidDuplicateError
Conflict = OrcidConflictError
Bad = OrcidBadRequestError
Down = OrcidUnavailableError
OptedOut = OrcidNotificationsOptedOutError
Misdirected = OrcidMisdirectedError
RETRYABLE = {Down, Misdirected}

# status, body, Location -> type, code, put-code (duplicate) or new iD (moved)
TABLE = [
    # Deprecated record: ORCID's 9007 naming the primary iD, whatever the status.
    (301, xml("9007"), MOVED_TO, Moved, "301/9007", NEW_ID),
    (409, xml("9007"), MOVED_TO, Moved, "409/9007", NEW_ID),
    # A 9007 naming no iD is read by its status.
    (503, js(9007), None, Down, "503/9007", None),
    (301, xml("9007"), None, Misdirected, "301/9007", None),
    # Any other redirect (http -> https, a wrong host): a wrong URL setting.
    (301, "", MOVED_TO, Misdirected, "301", None),
    (301, "", None, Misdirected, "301", None),
    (302, "", MOVED_TO, Misdirected, "302", None),
    (308, "", "https://api.orcid.org/v3.0/", Misdirected, "308", None),
    # 401: the token is gone, unless ORCID says 9017 (not this client's record).
    (401, OAUTH_INVALID, None, Token, "401/invalid_token", None),
    (401, "", None, Token, "401", None),
    (401, xml("9016"), None, Token, "401/9016", None),
    (401, xml("9017", "wrong record"), None, Denied, "401/9017", None),
    (401, js(9017), None, Denied, "401/9017", None),
    # 403: no permission, whatever the code.
    (403, "", None, Denied, "403", None),
    (403, xml("9006"), None, Denied, "403/9006", None),
    (403, js(9021), None, Denied, "403/9021", None),
    (403, ACCESS_DENIED, None, Denied, "403/access_denied", None),
    # 404: the work is gone.
    (404, xml("9016"), None, Gone, "404/9016", None),
    (404, "", None, Gone, "404", None),
    # 409/9021: duplicate, with the existing put-code when ORCID names it.
    (409, xml("9021", "put-code 1234 has it"), None, Duplicate, "409/9021", "1234"),
    (409, js(9021, user="see put-code: 987"), None, Duplicate, "409/9021", "987"),
    (409, js(9021, "put-code 5", "put-code 6"), None, Duplicate, "409/9021", "5"),
    (409, xml("9021"), None, Duplicate, "409/9021", None),
    (400, xml("9021", "put-code 1234"), None, Bad, "400/9021", None),
    # 409/9032: the researcher refuses our inbox notifications.
    (409, xml("9032", "opted out"), None, OptedOut, "409/9032", None),
    (409, js(9032), None, OptedOut, "409/9032", None),
    # Other 409s: conflict (locked, deactivated, full).
    (409, xml("9040", "locked"), None, Conflict, "409/9040", None),
    (409, "", None, Conflict, "409", None),
    # Other answers (4xx, and a 2xx refusal of a revoke): bad request, not retried.
    (400, xml("9024"), None, Bad, "400/9024", None),
    (400, js(9037, "bad type"), None, Bad, "400/9037", None),
    (400, "<oops", None, Bad, "400", None),
    (400, "not json", None, Bad, "400", None),
    (422, "", None, Bad, "422", None),
    (429, "", None, Bad, "429", None),
    (204, "", None, Bad, "204", None),
    # 5xx: unavailable (503 is also ORCID's rate limit), retried.
    (500, "", None, Down, "500", None),
    (502, xml("9999"), None, Down, "502/9999", None),
    (503, "Service Unavailable", None, Down, "503", None),
    (500, js(9017), None, Down, "500/9017", None),
    (504, js(9021, "put-code 1"), None, Down, "504/9021", None),
]


@pytest.mark.parametrize(
    "status, body, location, error_type, code, detail",
    TABLE,
    ids=[f"{row[0]}-{row[4]}-{row[3].__name__}" for row in TABLE],
)
def test_an_answer_maps_to_the_same_error(
    status, body, location, error_type, code, detail
):
    error = error_from_response(answer(status, body, location))

    assert type(error) is error_type
    assert error.code == code
    assert error.status == status
    assert error.retryable is (error_type in RETRYABLE)
    if error_type is Duplicate:
        assert error.put_code == detail
    elif error_type is Moved:
        assert error.new_orcid == detail
    else:
        assert detail is None
        assert not hasattr(error, "put_code") and not hasattr(error, "new_orcid")
    assert error.reason and str(error) == error.reason


@pytest.mark.parametrize(
    "given, reason",
    [
        (
            (403, xml("9006", user="No update scope")),
            "The repository lacks permission to update this ORCID record (No update "
            "scope). The researcher needs to connect ORCID again and grant update "
            "permission.",
        ),
        (
            (403, ""),
            "The repository lacks permission to update this ORCID record "
            "(forbidden). The researcher needs to connect ORCID again and grant update "
            "permission.",
        ),
        ((409, xml("9040", "dev", "user")), "ORCID refused the change: user."),
        ((409, ""), "ORCID refused the change: conflict."),
        (
            (400, xml("9024", "dev", "user")),
            "ORCID rejected the work: dev (HTTP 400, error 9024).",
        ),
        ((400, ""), "ORCID rejected the work: bad request (HTTP 400)."),
        (
            (503, ""),
            "ORCID is unavailable or over its rate limit (HTTP 503); the push "
            "will be retried.",
        ),
        ((404, ""), "ORCID has no such work: it may have been deleted on ORCID."),
    ],
)
def test_the_reason_quotes_orcids_message_in_the_same_words(given, reason):
    assert error_from_response(answer(*given)).reason == reason


def test_every_error_keeps_orcids_details():
    error = error_from_response(answer(400, js(9037, "bad type", "Bad type")))
    assert isinstance(error, OrcidError)
    assert (error.status, error.error_code, error.developer_message) == (
        400,
        "9037",
        "bad type",
    )


def test_a_9007_naming_the_iD_asked_for_is_no_merge():
    response = answer(301, xml("9007"), f"https://api.orcid.org/v3.0/{NEW_ID}/work")

    error = error_from_response(response, orcid=NEW_ID)

    assert type(error) is OrcidMisdirectedError
    assert error.retryable
    assert error.setting == "ORCID_PUSH_API_URL"


def test_a_redirect_names_the_setting_to_check():
    https = "https://api.orcid.org/v3.0/0000-0002-1825-0097/work"

    error = error_from_response(answer(301, "", https))
    oauth = error_from_response(answer(302, "", https), setting="ORCID_PUSH_OAUTH_URL")

    assert error.reason.startswith(
        "ORCID_PUSH_API_URL does not lead to ORCID: the call was redirected "
        f"(HTTP 301 to {https})"
    )
    assert "An administrator must check ORCID_PUSH_API_URL" in error.reason
    assert oauth.reason.startswith("ORCID_PUSH_OAUTH_URL does not lead to ORCID")
