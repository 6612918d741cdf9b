"""The one place that talks HTTP to the ORCID Member API.

Errors are typed by (HTTP status, ORCID error code), never by message text.
Every call is logged with method, path, status and duration; the token never is.
"""

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Mapping, Optional
from urllib.parse import urlsplit

import requests
from lxml import etree

from . import orcid_model as om
from .reasons import Reason

logger = logging.getLogger(__name__)

_ORCID_IN_PATH = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]")


class OrcidError(Exception):
    """A failed ORCID call.

    ``status`` is the HTTP status (``None`` when no answer came), ``error_code``
    ORCID's error code when it sent one, ``reason`` a sentence for people.
    """

    retryable = False

    def __init__(self, reason, status=None, error_code=None, developer_message=None):
        """Initialize the error."""
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.error_code = error_code
        self.developer_message = developer_message

    @property
    def code(self):
        """A short machine-readable code: ``<status>`` or ``<status>/<error-code>``."""
        if self.status is None:
            return type(self).__name__
        return (
            f"{self.status}/{self.error_code}" if self.error_code else str(self.status)
        )


class OrcidConnectionError(OrcidError):
    """ORCID could not be reached or did not answer in time."""

    retryable = True


class OrcidUnavailableError(OrcidError):
    """ORCID answered 5xx (503 is also its rate-limit answer)."""

    retryable = True


class OrcidTokenInvalidError(OrcidError):
    """401: the token is invalid, expired or revoked by the researcher."""


class OrcidPermissionError(OrcidError):
    """401/9017 or 403: the client or token may not do this on this record."""


class OrcidNotFoundError(OrcidError):
    """404: the put-code does not exist (the researcher may have deleted the work)."""


class OrcidDuplicateError(OrcidError):
    """409/9021: this client already has a work with the same identifier."""

    def __init__(self, *args, put_code=None, **kwargs):
        """Initialize with the put-code of the existing work, when ORCID names it."""
        super().__init__(*args, **kwargs)
        self.put_code = put_code


class OrcidConflictError(OrcidError):
    """409 other than duplicate: record locked, deactivated or full."""


class OrcidNotificationsOptedOutError(OrcidError):
    """409/9032: the researcher opted out of notifications from this client."""


class OrcidRecordMovedError(OrcidError):
    """301/9007: the ORCID iD was deprecated in favour of ``new_orcid``."""

    def __init__(self, *args, new_orcid=None, **kwargs):
        """Initialize with the iD ORCID now uses."""
        super().__init__(*args, **kwargs)
        self.new_orcid = new_orcid


class OrcidMisdirectedError(OrcidError):
    """A redirect that is not a merged iD: the URL setting does not lead to ORCID.

    An http URL that ORCID redirects to https, or a host that is not ORCID's
    Member API, answers 301/302 without naming another iD. The researcher's
    link is fine; an administrator must fix ``setting``. Retried, so pushes
    go through once the setting is fixed.
    """

    retryable = True

    def __init__(self, *args, setting=None, **kwargs):
        """Initialize with the name of the setting to check."""
        super().__init__(*args, **kwargs)
        self.setting = setting


class OrcidUnreadableAnswerError(OrcidError):
    """ORCID answered 2xx with a body that is not what was asked for (not XML,
    or not a list of works): taken as a passing fault, never as an answer."""

    retryable = True


class OrcidBadRequestError(OrcidError):
    """400: ORCID rejected the message; sending it again will not help."""


def _error_details(response):
    """(error_code, developer_message, user_message) of an ORCID error body."""
    text = response.text or ""
    if not text.strip():
        return None, None, None
    if text.lstrip().startswith("<"):
        try:
            root = etree.fromstring(response.content)
        except etree.XMLSyntaxError:
            return None, text[:500], None

        def find(name):
            node = root.find("{%s}%s" % (om.ERROR_NS, name))
            return node.text if node is not None else None

        return find("error-code"), find("developer-message"), find("user-message")
    try:
        body = json.loads(text)
    except ValueError:
        return None, text[:500], None
    if "error-code" in body:
        return (
            str(body.get("error-code")),
            body.get("developer-message"),
            body.get("user-message"),
        )
    # OAuth errors (401 invalid_token) use the OAuth error format.
    return body.get("error"), body.get("error_description"), None


@dataclass(frozen=True)
class _Answer:
    """What an unsuccessful ORCID answer says, as the error builders need it."""

    status: int
    code: Optional[str]
    developer: Optional[str]
    user: Optional[str]
    headers: Mapping[str, str]
    orcid: Optional[str] = None
    """The iD the call was about (``None``: none or unknown)."""
    setting: str = "ORCID_PUSH_API_URL"
    """The setting whose URL the call used."""

    @property
    def details(self):
        """The keyword arguments every :class:`OrcidError` keeps."""
        return dict(
            status=self.status, error_code=self.code, developer_message=self.developer
        )


# One builder per error type: each words its reason from what ORCID said.


def _record_moved(answer):
    """ORCID's 9007 naming the primary iD; anything else is read by its status."""
    found = _ORCID_IN_PATH.search(answer.headers.get("Location", ""))
    new_orcid = found.group(0) if found else None
    if new_orcid is None or new_orcid == answer.orcid:
        return _by_status(answer.status)(answer)
    return OrcidRecordMovedError(
        Reason("merged"),
        new_orcid=new_orcid,
        **answer.details,
    )


def _misdirected(answer):
    location = (answer.headers.get("Location") or "")[:200]
    where = dict(location=location) if location else {}
    return OrcidMisdirectedError(
        Reason(
            "misdirected-to" if location else "misdirected",
            "retry-link-fine",
            setting=answer.setting,
            status=answer.status,
            **where,
        ),
        setting=answer.setting,
        **answer.details,
    )


def _token_invalid(answer):
    return OrcidTokenInvalidError(
        Reason("token-invalid"),
        **answer.details,
    )


def _permission(answer):
    return OrcidPermissionError(
        Reason("permission", detail=answer.user or answer.developer or "forbidden"),
        **answer.details,
    )


def _not_found(answer):
    return OrcidNotFoundError(Reason("not-found"), **answer.details)


def _duplicate(answer):
    return OrcidDuplicateError(
        Reason("duplicate"),
        put_code=_put_code_in(answer.developer or answer.user or ""),
        **answer.details,
    )


def _conflict(answer):
    return OrcidConflictError(
        Reason("conflict", detail=answer.user or answer.developer or "conflict"),
        **answer.details,
    )


def _opted_out(answer):
    return OrcidNotificationsOptedOutError(
        Reason("opted-out"),
        **answer.details,
    )


def _unavailable(answer):
    return OrcidUnavailableError(
        Reason("unavailable", "retry", status=answer.status),
        **answer.details,
    )


def _bad_request(answer):
    detail = answer.developer or answer.user or "bad request"
    code = dict(code=answer.code) if answer.code else {}
    return OrcidBadRequestError(
        Reason(
            "bad-request-code" if code else "bad-request",
            detail=detail,
            status=answer.status,
            **code,
        ),
        **answer.details,
    )


_ANY = None  # a missing error code looks the same: both fall to (status, any)
_ERROR_TABLE = {
    (_ANY, "9007"): _record_moved,
    (401, "9017"): _permission,
    (401, _ANY): _token_invalid,
    (403, _ANY): _permission,
    (404, _ANY): _not_found,
    (409, "9021"): _duplicate,
    (409, "9032"): _opted_out,
    (409, _ANY): _conflict,
}
"""(HTTP status, ORCID error code) -> error builder; ``_ANY`` matches any.

The most specific entry wins: (status, code), then (any status, code), then
(status, any code), then the status range. ORCID's 9007 (deprecated record,
with a ``Location`` naming the primary iD) is a merged iD only when it names
an iD other than the one asked for; any other redirect is a wrong URL setting.
9017 turns a 401 from "token gone" into "not this record".
"""


def _by_status(status):
    """The builder of an answer that no specific entry matches."""
    if status >= 500:
        return _unavailable
    if 300 <= status < 400:
        return _misdirected
    return _bad_request


def _error_builder(status, code):
    """The builder of :data:`_ERROR_TABLE` for an answer, by status range otherwise."""
    for key in ((status, code), (_ANY, code), (status, _ANY)):
        if key in _ERROR_TABLE:
            return _ERROR_TABLE[key]
    return _by_status(status)


def error_from_response(response, orcid=None, setting="ORCID_PUSH_API_URL"):
    """Map an unsuccessful ORCID response to the matching :class:`OrcidError`.

    ``orcid`` is the iD the call was about (a 9007 naming the same iD is no
    merge), ``setting`` the URL setting a redirect is blamed on.
    """
    code, developer, user = _error_details(response)
    answer = _Answer(
        status=response.status_code,
        code=str(code) if code is not None else None,
        developer=developer,
        user=user,
        headers=response.headers,
        orcid=orcid,
        setting=setting,
    )
    return _error_builder(answer.status, answer.code)(answer)


def _put_code_in(message):
    """The put-code named in a 409/9021 message ("... put-code 1234 ...")."""
    match = re.search(r"put-code\D{0,3}(\d+)", message)
    return match.group(1) if match else None


def put_code_from_location(location):
    """The put-code of a created work: the last path segment of ``Location``."""
    return urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]


class OrcidClient:
    """Member API client acting with one researcher's access token."""

    def __init__(
        self,
        api_url,
        access_token,
        timeout=(5, 30),
        session=None,
        rate_limiter=None,
        on_call=None,
    ):
        """Initialize with the API base URL (including ``/v3.0``) and a token.

        ``rate_limiter`` (see :mod:`invenio_orcid_push.ratelimit`) is waited on
        before every call. ``on_call(method, path, status, error_code,
        duration_ms)`` is told about every call.
        """
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.rate_limiter = rate_limiter
        self.on_call = on_call
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "Accept": om.ORCID_XML,
        }

    def __repr__(self):
        """Never show the token."""
        return f"<OrcidClient {self.api_url}>"

    def _call(self, method, path, body=None):
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = om.ORCID_XML
        if self.rate_limiter is not None:
            self.rate_limiter.wait()
        started = time.monotonic()
        response = self._send(method, path, body, headers, started)
        error = None
        if response.status_code >= 300:
            asked = _ORCID_IN_PATH.search(path)
            error = error_from_response(response, asked.group(0) if asked else None)
        self._report(
            method,
            path,
            response.status_code,
            error.error_code if error else None,
            started,
        )
        if error is not None:
            raise error
        return response

    def _send(self, method, path, body, headers, started):
        """The answer to one request; no answer is a (retryable) connection error."""
        try:
            return self.session.request(
                method,
                self.api_url + path,
                data=body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            self._report(method, path, None, "timeout", started)
            raise OrcidConnectionError(Reason("timeout", "retry")) from exc
        except requests.RequestException as exc:
            self._report(method, path, None, "connection-error", started)
            raise OrcidConnectionError(
                Reason("unreachable", "retry", error=type(exc).__name__)
            ) from exc

    def _report(self, method, path, status, error_code, started):
        self._log(method, path, status, started)
        if self.on_call is not None:
            self.on_call(
                method, path, status, error_code, (time.monotonic() - started) * 1000
            )

    @staticmethod
    def _log(method, path, status, started):
        logger.info(
            "ORCID %s %s -> %s in %.0f ms",
            method,
            path,
            status if status is not None else "no answer",
            (time.monotonic() - started) * 1000,
        )

    def create_work(self, orcid, work_xml):
        """POST a work; return its put-code."""
        response = self._call("POST", f"/{orcid}/work", work_xml)
        return put_code_from_location(response.headers.get("Location", ""))

    def update_work(self, orcid, put_code, work_xml):
        """PUT a work (its XML must carry the same put-code)."""
        self._call("PUT", f"/{orcid}/work/{put_code}", work_xml)

    def delete_work(self, orcid, put_code):
        """DELETE a work."""
        self._call("DELETE", f"/{orcid}/work/{put_code}")

    def post_permission_notification(self, orcid, notification_xml):
        """POST a permission notification to the researcher's inbox; return its put-code.

        Needs a client-credentials token with ``/premium-notification``.
        """
        response = self._call(
            "POST", f"/{orcid}/notification-permission", notification_xml
        )
        return put_code_from_location(response.headers.get("Location", ""))

    def read_work(self, orcid, put_code):
        """GET one work in full (:func:`parse_work`)."""
        response = self._call("GET", f"/{orcid}/work/{put_code}")
        try:
            return parse_work(response.content)
        except (etree.LxmlError, ValueError) as exc:
            raise OrcidUnreadableAnswerError(
                Reason("unreadable", "read-again"),
                status=response.status_code,
                error_code="unreadable",
            ) from exc

    def list_works(self, orcid):
        """GET the record's works: one :class:`WorkSummary` per source and work."""
        response = self._call("GET", f"/{orcid}/works")
        try:
            return parse_work_summaries(response.content)
        except (etree.LxmlError, ValueError) as exc:
            # An empty list read from garbage would say "every work is gone".
            raise OrcidUnreadableAnswerError(
                Reason("unreadable", "read-again"),
                status=response.status_code,
                error_code="unreadable",
            ) from exc


def _ns(prefix, name):
    namespace = {
        "common": om.COMMON_NS,
        "work": om.WORK_NS,
        "activities": om.ACTIVITIES_NS,
    }
    return "{%s}%s" % (namespace[prefix], name)


def _external_ids_of(node, parts=("type", "value", "relationship")):
    """The work's external ids: ``{part: text}`` (``type``, ``value``,
    ``relationship``, ``url``)."""
    return [
        {part: ext.findtext(_ns("common", f"external-id-{part}")) for part in parts}
        for ext in node.findall(
            f"{_ns('common', 'external-ids')}/{_ns('common', 'external-id')}"
        )
    ]


def _date_of(node):
    """``{"year", "month", "day"}`` (missing parts ``None``), or ``None``."""
    date = node.find(_ns("common", "publication-date"))
    if date is None:
        return None
    return {
        part: date.findtext(f"{_ns('common', part)}")
        for part in ("year", "month", "day")
    }


def _source_of(node):
    source = node.find(f"{_ns('common', 'source')}/{_ns('common', 'source-client-id')}")
    return {
        "source_client_id": (
            source.findtext(_ns("common", "path")) if source is not None else None
        ),
        "source_name": node.findtext(
            f"{_ns('common', 'source')}/{_ns('common', 'source-name')}"
        ),
    }


def _contributors_of(node):
    attributes = _ns("work", "contributor-attributes")
    return [
        {
            "orcid": person.findtext(
                f"{_ns('common', 'contributor-orcid')}/{_ns('common', 'path')}"
            ),
            "credit_name": person.findtext(_ns("work", "credit-name")),
            "sequence": person.findtext(
                f"{attributes}/{_ns('work', 'contributor-sequence')}"
            ),
            "role": person.findtext(f"{attributes}/{_ns('work', 'contributor-role')}"),
        }
        for person in node.iter(_ns("work", "contributor"))
    ]


def parse_work(content):
    """A full work of a ``GET /work/{put-code}`` XML answer, as a dict.

    Keys: ``put_code``, ``title``, ``subtitle``, ``journal_title``,
    ``short_description``, ``type``, ``publication_date``, ``external_ids``,
    ``url``, ``contributors`` (``orcid``, ``credit_name``, ``sequence``,
    ``role``), ``language_code``, ``source_client_id``, ``source_name``.
    Raises ``ValueError`` (or lxml's syntax error) when it is not a work.
    """
    root = etree.fromstring(content)
    if root.tag != _ns("work", "work"):
        raise ValueError(f"not a work: {root.tag}")
    title = f"{_ns('work', 'title')}/"
    return {
        "put_code": root.get("put-code"),
        "title": root.findtext(title + _ns("common", "title")),
        "subtitle": root.findtext(title + _ns("common", "subtitle")),
        "journal_title": root.findtext(_ns("work", "journal-title")),
        "short_description": root.findtext(_ns("work", "short-description")),
        "type": root.findtext(_ns("work", "type")),
        "publication_date": _date_of(root),
        "external_ids": _external_ids_of(
            root, ("type", "value", "relationship", "url")
        ),
        "url": root.findtext(_ns("common", "url")),
        "contributors": _contributors_of(root),
        "language_code": root.findtext(_ns("common", "language-code")),
        **_source_of(root),
    }


def parse_work_summaries(content):
    """The work summaries of a ``GET /works`` XML answer, in ORCID's order.

    Raises ``ValueError`` (or lxml's syntax error) when the answer is not
    ORCID's list of works.
    """
    root = etree.fromstring(content)
    if root.tag != _ns("activities", "works"):
        raise ValueError(f"not a list of works: {root.tag}")
    summaries = []
    for node in root.iter(_ns("work", "work-summary")):
        summaries.append(
            {
                "put_code": node.get("put-code"),
                "title": node.findtext(
                    f"{_ns('work', 'title')}/{_ns('common', 'title')}"
                ),
                "type": node.findtext(_ns("work", "type")),
                **_source_of(node),
                "external_ids": _external_ids_of(node),
                "publication_date": _date_of(node),
            }
        )
    return summaries


def _oauth_post(oauth_url, endpoint, data, timeout, purpose):
    """POST to ORCID's OAuth server (``<oauth_url>/<endpoint>``), logged like
    every ORCID call; a refusal raises the matching :class:`OrcidError`."""
    path = f"/oauth/{endpoint}"
    started = time.monotonic()
    try:
        response = requests.post(
            f"{oauth_url.rstrip('/')}/{endpoint}",
            data=data,
            headers={"Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,  # a redirect would resend the secret elsewhere
        )
    except requests.RequestException as exc:
        OrcidClient._log("POST", path, None, started)
        raise OrcidConnectionError(
            Reason("unreachable-for", purpose=purpose, error=type(exc).__name__)
        ) from exc
    OrcidClient._log("POST", path, response.status_code, started)
    if response.status_code != 200:
        raise error_from_response(response, setting="ORCID_PUSH_OAUTH_URL")
    return response


def revoke_token(oauth_url, client_id, client_secret, token, timeout=(5, 30)):
    """Revoke an access token at ORCID (``POST <oauth_url>/revoke``).

    Revoking the access token also revokes its refresh token. Raises
    :class:`OrcidError` when ORCID cannot be reached or refuses.
    """
    data = {"client_id": client_id, "client_secret": client_secret, "token": token}
    _oauth_post(oauth_url, "revoke", data, timeout, "to revoke access")


def client_credentials_token(
    oauth_url, client_id, client_secret, scope, timeout=(5, 30)
):
    """A token acting for our client alone (``POST <oauth_url>/token``,
    ``grant_type=client_credentials``), e.g. with ``/premium-notification``.

    Raises :class:`OrcidError` when ORCID cannot be reached or refuses (a
    scope ORCID did not enable for the client is refused).
    """
    data = {
        "client_id": client_id,
        "client_secret": client_secret,
        "grant_type": "client_credentials",
        "scope": scope,
    }
    response = _oauth_post(oauth_url, "token", data, timeout, "for a token")
    return response.json()["access_token"]
