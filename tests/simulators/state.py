"""What the simulated ORCID registry holds, and ORCID's rules for changing it.

No HTTP here: :mod:`.app` turns requests into calls on :class:`RegistryState`
and its :class:`SimulatedError` into ORCID's error responses.
"""

import random
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from invenio_orcid_push import orcid_model as om
from invenio_orcid_push.identifiers import orcid_check_character

WRITE_SCOPE = "/activities/update"
NOTIFICATION_SCOPE = om.PREMIUM_NOTIFICATION_SCOPE
CLIENT_CREDENTIALS_SCOPES = frozenset({"/read-public", "/webhook", NOTIFICATION_SCOPE})
"""Scopes of the client-credentials grant (two-legged: no researcher)."""
MAX_WORKS = 10000
_URI_RE = re.compile(
    r"\A[A-Za-z][A-Za-z0-9+.-]*:"  # scheme
    r"(?://(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}|\[[0-9A-Fa-f:.v]+\])*)?"
    r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*"  # path and query
    r"(?:#(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?\Z"  # fragment
)
"""An absolute URI by RFC 3986's characters: what is not unreserved, reserved
in its place or a ``%XX`` escape (a space, ``é``, a bracket outside an IP
literal host, a second ``#``, a stray ``%``) makes ORCID refuse the URL."""


def is_uri(text):
    """Whether ORCID would take ``text`` as a URL (an absolute RFC 3986 URI)."""
    return bool(_URI_RE.match(text))


class SimulatedError(Exception):
    """An ORCID error answer: HTTP status, ORCID error code, messages."""

    def __init__(
        self,
        status,
        error_code=None,
        developer_message="",
        user_message="",
        oauth_error=None,
        location=None,
    ):
        """Initialize the error."""
        super().__init__(
            f"{status} {error_code or oauth_error or ''} {developer_message}"
        )
        self.status = status
        self.error_code = error_code
        self.developer_message = developer_message
        self.user_message = user_message or developer_message
        self.oauth_error = oauth_error
        self.location = location


def _now():
    return (
        datetime.now(timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def new_orcid_id(rng=random):
    """A random valid ORCID iD, inside the block ORCID issues (0000-0001-5... to 0000-0003-5...)."""
    digits = f"{rng.randint(15_000_000, 35_000_000):015d}"
    full = digits + orcid_check_character(digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


def new_client_id():
    """A client id in ORCID's ``APP-`` form."""
    alphabet = string.ascii_uppercase + string.digits
    return "APP-" + "".join(secrets.choice(alphabet) for _ in range(16))


@dataclass
class Client:
    """A registered API client (member integration)."""

    client_id: str
    secret: str
    name: str
    premium_notifications: bool = False
    """ORCID enabled ``/premium-notification`` for this client."""


@dataclass
class Token:
    """An access token granted by a researcher to a client."""

    access_token: str
    refresh_token: str
    client_id: str
    orcid: str
    """``None`` for a client-credentials token (it acts for no researcher)."""
    name: str
    scopes: frozenset
    revoked: bool = False


@dataclass
class StoredWork:
    """A work on a researcher's record."""

    put_code: int
    orcid: str
    source_client_id: str
    source_name: str
    work: dict
    visibility: str
    created: str
    modified: str


@dataclass
class Researcher:
    """An ORCID record."""

    orcid: str
    name: str
    works: dict = field(default_factory=dict)
    default_visibility: str = "public"
    deprecated_to: str = None
    locked: bool = False
    deactivated: bool = False
    notifications: list = field(default_factory=list)
    """The inbox: permission notifications, oldest first."""
    notifications_opted_out: set = field(default_factory=set)
    """Clients whose notifications the researcher refused (ORCID answers 409/9032)."""


def _normalized_ids(work, relationships=om.DUPLICATE_RELATIONSHIPS):
    """(type, value as ORCID compares it) of the ids with one of ``relationships``.

    By default the ids that make duplicates (``self``); grouping also uses
    ``version-of`` (``om.GROUPING_RELATIONSHIPS``).
    """
    return {
        (ext["type"], om.normalized_id_value(ext["type"], ext["value"]))
        for ext in work["external_ids"]
        if ext["relationship"] in relationships
    }


class RegistryState:
    """The simulated registry: clients, researchers, tokens, works, and a request log."""

    def __init__(self):
        """Start empty."""
        self.lock = threading.RLock()
        self.clients = {}
        self.researchers = {}
        self.tokens = {}
        self.refresh_tokens = {}
        self.codes = {}
        self.request_log = []
        self._next_put_code = 1000
        self._faults = []
        self._random_faults = None
        self.faults_injected = []
        """Every fault answered so far: (method, status, after_store)."""
        self.writes_in_flight = {}
        self.max_writes_in_flight = {}
        """Per iD: most writes ORCID was handling at once (ORCID wants one)."""

    # -- set-up (tests, demo) ----------------------------------------------

    def register_client(self, client_id=None, secret=None, name="InvenioRDM"):
        """Register an API client; returns it."""
        with self.lock:
            client = Client(
                client_id or new_client_id(),
                secret or secrets.token_hex(16),
                name,
            )
            self.clients[client.client_id] = client
            return client

    def add_researcher(self, orcid=None, name="Jane Researcher"):
        """Create an ORCID record; returns it."""
        with self.lock:
            researcher = Researcher(orcid or new_orcid_id(), name)
            self.researchers[researcher.orcid] = researcher
            return researcher

    def issue_token(self, orcid, client_id, scopes=("/read-limited", WRITE_SCOPE)):
        """Grant a token directly, as the OAuth round trip would; returns it."""
        with self.lock:
            researcher = self.researchers.get(orcid) or self.add_researcher(orcid)
            token = Token(
                access_token=secrets.token_hex(16),
                refresh_token=secrets.token_hex(16),
                client_id=client_id,
                orcid=researcher.orcid,
                name=researcher.name,
                scopes=frozenset(scopes),
            )
            self.tokens[token.access_token] = token
            self.refresh_tokens[token.refresh_token] = token
            return token

    def issue_client_token(self, client_id, scopes):
        """Client-credentials grant: a token acting for the client alone."""
        with self.lock:
            client = self.clients[client_id]
            scopes = frozenset(scopes)
            refused = set(scopes - CLIENT_CREDENTIALS_SCOPES)
            if NOTIFICATION_SCOPE in scopes and not client.premium_notifications:
                refused.add(NOTIFICATION_SCOPE)
            if refused or not scopes:
                raise SimulatedError(
                    401,
                    oauth_error="invalid_scope",
                    developer_message=f"Invalid scope: {' '.join(sorted(refused))}",
                )
            token = Token(
                access_token=secrets.token_hex(16),
                refresh_token=secrets.token_hex(16),
                client_id=client_id,
                orcid=None,
                name=client.name,
                scopes=scopes,
            )
            self.tokens[token.access_token] = token
            return token

    def enable_premium_notifications(self, client_id, enabled=True):
        """ORCID allows (or stops allowing) the client to post to inboxes."""
        with self.lock:
            self.clients[client_id].premium_notifications = enabled

    def opt_out_of_notifications(self, orcid, client_id):
        """The researcher refused notifications from ``client_id`` (409/9032 on POST)."""
        with self.lock:
            self.researchers[orcid].notifications_opted_out.add(client_id)

    def notifications_of(self, orcid):
        """The researcher's inbox: notification dicts with ``put_code`` and ``source_client_id``."""
        with self.lock:
            researcher = self.researchers.get(orcid)
            return list(researcher.notifications) if researcher else []

    def deprecate(self, orcid, primary):
        """Merge ``orcid`` into ``primary`` (ORCID answers 301/9007 for the old iD)."""
        with self.lock:
            self.researchers[orcid].deprecated_to = primary
            self.researchers.setdefault(primary, Researcher(primary, "Primary"))

    def inject_fault(
        self,
        status=503,
        times=1,
        method=None,
        error_code=None,
        after_store=False,
        body=None,
        path=None,
    ):
        """Answer the next ``times`` matching API calls with ``status``.

        With ``after_store`` the call takes effect first and only the answer
        is lost, as when a response never reaches the client. With ``body``
        the answer carries that body as it is (garbage with a 200, say). With
        ``path`` only calls to that path (``/v3.0/<iD>/works``) match.
        """
        with self.lock:
            self._faults.append(
                dict(
                    status=status,
                    times=times,
                    method=method,
                    error_code=error_code,
                    after_store=after_store,
                    body=body,
                    path=path,
                )
            )

    def inject_random_faults(self, rate, faults, methods=None, seed=None):
        """From now on, answer a share ``rate`` of API calls with one of ``faults``.

        ``faults`` are ``inject_fault`` keyword dicts (``status``, ``error_code``,
        ``after_store``), picked at random; ``methods`` limits them (e.g.
        ``("POST", "PUT")``). ``rate=0`` stops them. Faults queued with
        :meth:`inject_fault` come first.
        """
        with self.lock:
            self._random_faults = (
                dict(
                    rate=rate,
                    faults=list(faults),
                    methods=methods,
                    rng=random.Random(seed),
                )
                if rate
                else None
            )

    def clear_faults(self):
        """Forget every queued and random fault (the count of past ones stays)."""
        with self.lock:
            self._faults.clear()
            self._random_faults = None

    def take_fault(self, method, path=None):
        """The fault that applies to this call, if any (consumes one use)."""
        with self.lock:
            fault = self._queued_fault(method, path) or self._random_fault(method)
            if fault is not None:
                self.faults_injected.append(
                    (method, fault["status"], fault["after_store"])
                )
            return fault

    def take_oauth_fault(self, path):
        """A fault queued with exactly this OAuth ``path`` (e.g. ``/oauth/revoke``)."""
        with self.lock:
            for fault in self._faults:
                if fault.get("path") == path:
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self._faults.remove(fault)
                    self.faults_injected.append(("POST", fault["status"], False))
                    return fault
        return None

    def _queued_fault(self, method, path=None):
        for fault in self._faults:
            if fault["method"] in (None, method) and fault.get("path") in (None, path):
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _random_fault(self, method):
        chance = self._random_faults
        if chance is None or (chance["methods"] and method not in chance["methods"]):
            return None
        if chance["rng"].random() >= chance["rate"]:
            return None
        fault = dict(error_code=None, after_store=False, method=method)
        fault.update(chance["rng"].choice(chance["faults"]))
        return fault

    def write_started(self, orcid):
        """A POST/PUT/DELETE on ``orcid`` began."""
        with self.lock:
            now = self.writes_in_flight.get(orcid, 0) + 1
            self.writes_in_flight[orcid] = now
            self.max_writes_in_flight[orcid] = max(
                now, self.max_writes_in_flight.get(orcid, 0)
            )

    def write_ended(self, orcid):
        """A POST/PUT/DELETE on ``orcid`` ended."""
        with self.lock:
            self.writes_in_flight[orcid] -= 1

    def works_of(self, orcid, client_id=None):
        """The works on a record, oldest first, optionally only one source's."""
        with self.lock:
            researcher = self.researchers.get(orcid)
            if researcher is None:
                return []
            return [
                stored
                for stored in sorted(
                    researcher.works.values(), key=lambda w: w.put_code
                )
                if client_id is None or stored.source_client_id == client_id
            ]

    def log(self, entry):
        """Append to the request log."""
        with self.lock:
            self.request_log.append(entry)

    # -- OAuth -------------------------------------------------------------

    def authorize(self, client_id, orcid, scopes, redirect_uri):
        """The researcher granted ``scopes``: returns a one-time code."""
        with self.lock:
            if client_id not in self.clients:
                raise SimulatedError(
                    400,
                    oauth_error="invalid_client",
                    developer_message="Unknown client_id",
                )
            if orcid not in self.researchers:
                self.add_researcher(orcid)
            code = secrets.token_urlsafe(8)
            self.codes[code] = (client_id, orcid, frozenset(scopes), redirect_uri)
            return code

    def _client(self, client_id, secret):
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.secret, secret or ""):
            raise SimulatedError(
                401,
                oauth_error="invalid_client",
                developer_message="Client not found or bad secret",
            )
        return client

    def exchange_code(self, client_id, secret, code, redirect_uri):
        """Authorization code -> token."""
        with self.lock:
            self._client(client_id, secret)
            grant = self.codes.pop(code, None)
            if grant is None or grant[0] != client_id:
                raise SimulatedError(
                    400,
                    oauth_error="invalid_grant",
                    developer_message="Invalid authorization code",
                )
            if grant[3] and redirect_uri and grant[3] != redirect_uri:
                raise SimulatedError(
                    400,
                    oauth_error="invalid_grant",
                    developer_message="Redirect URI mismatch",
                )
            return self.issue_token(grant[1], client_id, grant[2])

    def refresh(self, client_id, secret, refresh_token):
        """Refresh token -> new access token (the old one stays valid)."""
        with self.lock:
            self._client(client_id, secret)
            old = self.refresh_tokens.get(refresh_token)
            if old is None or old.revoked or old.client_id != client_id:
                raise SimulatedError(
                    400,
                    oauth_error="invalid_grant",
                    developer_message="Invalid refresh token",
                )
            return self.issue_token(old.orcid, client_id, old.scopes)

    def revoke(self, client_id, secret, token_value):
        """Revoke an access or refresh token (and its sibling)."""
        with self.lock:
            self._client(client_id, secret)
            token = self.tokens.get(token_value) or self.refresh_tokens.get(token_value)
            if token is not None and token.client_id == client_id:
                token.revoked = True

    def revoke_by_researcher(self, orcid, client_id):
        """The researcher removed the client from their trusted organizations."""
        with self.lock:
            for token in self.tokens.values():
                if token.orcid == orcid and token.client_id == client_id:
                    token.revoked = True

    # -- Member API --------------------------------------------------------

    def authenticate(self, authorization):
        """The token behind an ``Authorization`` header, or 401 invalid_token."""
        value = (authorization or "").partition(" ")[2].strip()
        with self.lock:
            token = self.tokens.get(value)
            if token is None or token.revoked:
                raise SimulatedError(
                    401,
                    oauth_error="invalid_token",
                    developer_message=f"Invalid access token: {value[:4]}...",
                )
            return token

    def _researcher_for(self, token, orcid, write, path_suffix=""):
        researcher = self.researchers.get(orcid)
        if researcher is None:
            raise SimulatedError(404, "9016", f"ORCID iD {orcid} not found")
        if researcher.deprecated_to:
            raise SimulatedError(
                301,
                "9007",
                f"This account is deprecated. Please refer to account: {researcher.deprecated_to}",
                location=f"/v3.0/{researcher.deprecated_to}{path_suffix}",
            )
        if token.orcid != orcid:
            raise SimulatedError(
                401,
                "9017",
                "The client application is not authorized for this ORCID record.",
            )
        if write and WRITE_SCOPE not in token.scopes:
            raise SimulatedError(
                403, "9004", f"Insufficient or wrong scope: {WRITE_SCOPE} is required."
            )
        if write and researcher.deactivated:
            raise SimulatedError(409, "9044", "This ORCID record is deactivated.")
        if write and researcher.locked:
            raise SimulatedError(409, "9018", "This ORCID record is locked.")
        return researcher

    def create_permission_notification(self, token, orcid, notification):
        """POST /{orcid}/notification-permission -> put-code."""
        with self.lock:
            if token.orcid is not None or NOTIFICATION_SCOPE not in token.scopes:
                raise SimulatedError(
                    403,
                    "9004",
                    f"Insufficient or wrong scope: {NOTIFICATION_SCOPE} "
                    "(client credentials) is required.",
                )
            researcher = self.researchers.get(orcid)
            if researcher is None:
                raise SimulatedError(404, "9016", f"ORCID iD {orcid} not found")
            if token.client_id in researcher.notifications_opted_out:
                raise SimulatedError(
                    409,
                    "9032",
                    "The user has opted out of notifications from this client.",
                    "This ORCID user does not accept notifications from you.",
                )
            self._next_put_code += 1
            researcher.notifications.append(
                {
                    **notification,
                    "put_code": self._next_put_code,
                    "source_client_id": token.client_id,
                    "created": _now(),
                }
            )
            return self._next_put_code

    def _validate(self, work):
        if not work["title"]:
            raise SimulatedError(400, "9022", "A work must have a title.")
        for name, value, limit in (
            ("title", work["title"], om.TITLE_MAX),
            ("subtitle", work["subtitle"], om.SUBTITLE_MAX),
            ("journal-title", work["journal_title"], om.JOURNAL_TITLE_MAX),
            ("short-description", work["short_description"], om.SHORT_DESCRIPTION_MAX),
        ):
            if value and len(value) > limit:
                raise SimulatedError(
                    400, "9047", f"{name} is longer than {limit} characters."
                )
        if work["translated_title"] and not work["translated_title"].get(
            "language_code"
        ):
            raise SimulatedError(400, "9047", "translated-title needs a language-code.")
        if work["type"] not in om.WORK_TYPES:
            raise SimulatedError(400, "9037", f"Invalid work type: {work['type']!r}.")
        if not work["external_ids"]:
            raise SimulatedError(
                400, "9023", "A work needs at least one external identifier."
            )
        for ext in work["external_ids"]:
            self._validate_external_id(ext)
        self._validate_urls(work)
        if not any(ext["relationship"] == "self" for ext in work["external_ids"]):
            raise SimulatedError(
                400,
                "9023",
                "A work needs an external identifier with relationship self.",
            )
        date = work["publication_date"]
        if date:
            try:
                year = int(date.get("year") or 0)
                month = int(date["month"]) if date.get("month") else None
                day = int(date["day"]) if date.get("day") else None
                if not om.YEAR_MIN <= year <= om.YEAR_MAX:
                    raise ValueError("year")
                if day is not None and month is None:
                    raise ValueError("day without month")
                if month is not None:
                    datetime(year, month, day or 1)
            except (ValueError, TypeError) as exc:
                raise SimulatedError(
                    400, "9049", f"Invalid publication date ({exc})."
                ) from None
        for person in work["contributors"]:
            if (
                person.get("credit_name")
                and len(person["credit_name"]) > om.CREDIT_NAME_MAX
            ):
                raise SimulatedError(
                    400, "9047", "credit-name is longer than 150 characters."
                )

    @staticmethod
    def _validate_external_id(ext):
        """An identifier ORCID knows, with a relationship its type may have."""
        if ext["type"] not in om.EXTERNAL_ID_TYPES or not ext["value"]:
            raise SimulatedError(
                400, "9023", f"Invalid external identifier type {ext['type']!r}."
            )
        if ext["relationship"] not in om.RELATIONSHIPS:
            raise SimulatedError(
                400,
                "9023",
                f"Invalid external identifier relationship {ext['relationship']!r}.",
            )
        if ext["relationship"] == "funded-by" and ext["type"] not in om.FUNDED_BY_TYPES:
            raise SimulatedError(
                400,
                "9001",
                f"External ID {ext['type']} not supported for relationship funded_by",
            )

    @staticmethod
    def _validate_urls(work):
        """Every URL a work carries must be a URI (RFC 3986), as ORCID checks."""
        urls = [ext["url"] for ext in work["external_ids"]] + [work["url"]]
        for url in urls:
            if url and not is_uri(url):
                raise SimulatedError(400, "9001", f"Invalid URL {url!r}.")

    def _check_duplicates(self, researcher, client_id, work, exclude=None):
        ids = _normalized_ids(work)
        for stored in researcher.works.values():
            if stored.source_client_id != client_id or stored.put_code == exclude:
                continue
            if ids & _normalized_ids(stored.work):
                raise SimulatedError(
                    409,
                    "9021",
                    "409 Conflict: You have already added this activity (matched by "
                    "external identifiers), please see element with put-code "
                    f"{stored.put_code}. If you are trying to edit the item, please use "
                    "PUT instead of POST.",
                )

    def create_work(self, token, orcid, work):
        """POST /{orcid}/work -> put-code."""
        with self.lock:
            researcher = self._researcher_for(
                token, orcid, write=True, path_suffix="/work"
            )
            if work["put_code"] is not None:
                raise SimulatedError(
                    400, "9024", "Put-code must not be sent when creating a work."
                )
            self._validate(work)
            if len(researcher.works) >= MAX_WORKS:
                raise SimulatedError(
                    409, "9048", "This record has reached the maximum of 10,000 works."
                )
            self._check_duplicates(researcher, token.client_id, work)
            self._next_put_code += 1
            now = _now()
            stored = StoredWork(
                put_code=self._next_put_code,
                orcid=orcid,
                source_client_id=token.client_id,
                source_name=(
                    self.clients[token.client_id].name
                    if token.client_id in self.clients
                    else token.client_id
                ),
                work=work,
                visibility=researcher.default_visibility,
                created=now,
                modified=now,
            )
            researcher.works[stored.put_code] = stored
            return stored.put_code

    def _owned_work(self, token, researcher, put_code):
        stored = researcher.works.get(put_code)
        if stored is None:
            raise SimulatedError(
                404, "9016", f"No entity found with put-code {put_code}."
            )
        if stored.source_client_id != token.client_id:
            raise SimulatedError(
                403,
                "9010",
                "You are not the source of this work, so you cannot change it.",
            )
        return stored

    def update_work(self, token, orcid, put_code, work):
        """PUT /{orcid}/work/{put-code} -> the stored work."""
        with self.lock:
            researcher = self._researcher_for(
                token, orcid, write=True, path_suffix=f"/work/{put_code}"
            )
            if str(work["put_code"]) != str(put_code):
                raise SimulatedError(
                    400,
                    "9019",
                    "The put-code in the URL and in the body must be the same.",
                )
            stored = self._owned_work(token, researcher, put_code)
            if work["visibility"] and work["visibility"] != stored.visibility:
                raise SimulatedError(
                    403, "9035", "A client cannot change the visibility of a work."
                )
            self._validate(work)
            self._check_duplicates(researcher, token.client_id, work, exclude=put_code)
            stored.work = work
            stored.modified = _now()
            return stored

    def delete_work(self, token, orcid, put_code):
        """DELETE /{orcid}/work/{put-code}."""
        with self.lock:
            researcher = self._researcher_for(
                token, orcid, write=True, path_suffix=f"/work/{put_code}"
            )
            self._owned_work(token, researcher, put_code)
            del researcher.works[put_code]

    def delete_by_researcher(self, orcid, put_code):
        """The researcher deleted a work on orcid.org."""
        with self.lock:
            self.researchers[orcid].works.pop(put_code, None)

    def get_work(self, token, orcid, put_code):
        """GET /{orcid}/work/{put-code}."""
        with self.lock:
            researcher = self._researcher_for(
                token, orcid, write=False, path_suffix=f"/work/{put_code}"
            )
            stored = researcher.works.get(put_code)
            if stored is None:
                raise SimulatedError(
                    404, "9016", f"No entity found with put-code {put_code}."
                )
            return stored

    def grouped_works(self, token, orcid):
        """GET /{orcid}/works: works grouped by shared self/version-of ids."""
        with self.lock:
            self._researcher_for(token, orcid, write=False, path_suffix="/works")
            groups = []
            for stored in self.works_of(orcid):
                keys = _normalized_ids(stored.work, om.GROUPING_RELATIONSHIPS)
                home = next((g for g in groups if g["keys"] & keys), None)
                if home is None:
                    home = {"keys": set(), "works": [], "external_ids": []}
                    groups.append(home)
                home["keys"] |= keys
                home["works"].append(stored)
                for ext in stored.work["external_ids"]:
                    if (
                        ext["relationship"] in om.GROUPING_RELATIONSHIPS
                        and ext not in home["external_ids"]
                    ):
                        home["external_ids"].append(ext)
            return groups


class TokenBucket:
    """ORCID's rate limit: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(self, rate, burst):
        """Start full."""
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def allow(self):
        """Take one request's worth; ``False`` when over the limit."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False
