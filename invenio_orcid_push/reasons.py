"""Why a push failed or waits, stored as a code and parameters, worded when shown.

A :class:`Reason` is the English sentence (what logs, the CLI and the
``last_error`` column keep) that also knows its ``key`` and ``params``. The
ledger stores those in ``error_params`` (``{"reason": key, "outcome": ...,
**params}``); :func:`render_reason` words them in the reader's language when a
page, an e-mail or the API shows them. Rows written before ``error_params``
existed (or with a key this version does not know) show their stored text.

This module imports nothing of the package, so every layer (client, locks,
work conversion, sync) can use it without an import cycle.
"""

from flask_babel import format_decimal
from invenio_i18n import gettext


def N_(message):
    """Mark ``message`` for the catalog; it is translated when shown."""
    return message


MESSAGES = {
    # client.py: ORCID's answers
    "merged": N_("This ORCID iD was deprecated and merged into another one."),
    "merged-into": N_(
        "ORCID merged %(old)s into %(new)s; works are no longer sent to the old iD. "
        "Connect ORCID again with the new iD."
    ),
    "merged-into-unknown": N_(
        "ORCID merged %(old)s into another iD; works are no longer sent to the old "
        "iD. Connect ORCID again with the new iD."
    ),
    "misdirected": N_(
        "%(setting)s does not lead to ORCID: the call was redirected (HTTP "
        "%(status)s) without ORCID naming a merged iD. An administrator must check "
        "%(setting)s"
    ),
    "misdirected-to": N_(
        "%(setting)s does not lead to ORCID: the call was redirected (HTTP "
        "%(status)s to %(location)s) without ORCID naming a merged iD. An "
        "administrator must check %(setting)s"
    ),
    "token-invalid": N_(
        "ORCID no longer accepts this repository's access: the researcher revoked "
        "it or the token expired. They need to connect ORCID again."
    ),
    "permission": N_(
        "The repository lacks permission to update this ORCID record (%(detail)s). "
        "The researcher needs to connect ORCID again and grant update permission."
    ),
    "not-found": N_("ORCID has no such work: it may have been deleted on ORCID."),
    "duplicate": N_(
        "ORCID already holds a work from this repository with the same identifier."
    ),
    "conflict": N_("ORCID refused the change: %(detail)s."),
    "opted-out": N_(
        "The researcher opted out of ORCID inbox notifications from this repository."
    ),
    "unavailable": N_("ORCID is unavailable or over its rate limit (HTTP %(status)s)"),
    "bad-request": N_("ORCID rejected the work: %(detail)s (HTTP %(status)s)."),
    "bad-request-code": N_(
        "ORCID rejected the work: %(detail)s (HTTP %(status)s, error %(code)s)."
    ),
    "timeout": N_("ORCID did not answer in time"),
    "unreachable": N_("ORCID could not be reached (%(error)s)"),
    "unreachable-for": N_("ORCID could not be reached %(purpose)s (%(error)s)."),
    "unreadable": N_("ORCID's list of works could not be read"),
    # locks.py, ratelimit.py: this repository's own services
    "lock-busy": N_("Another worker is writing to this ORCID record"),
    "lock-unreachable": N_(
        "The lock service (Redis at ORCID_PUSH_LOCK_URL, else CACHE_REDIS_URL) is "
        "unreachable"
    ),
    "rate-limit-unreachable": N_(
        "The rate limit service (Redis at ORCID_PUSH_LOCK_URL, else CACHE_REDIS_URL) "
        "is unreachable"
    ),
    "internal-error": N_("Internal error while pushing; see the server logs."),
    # token_rejections.py
    "paused": N_(
        "Paused: ORCID rejected the tokens of %(researchers)s researchers within "
        "%(minutes)s minutes; check ORCID_PUSH_API_URL and the ORCID client "
        "credentials. The push will be retried; nobody's link was changed."
    ),
    # sync.py, reconcile.py
    "doi-pending": N_("Waiting for DataCite to register the record's DOI."),
    "doi-not-registered": N_(
        "The record's DOI is not registered at DataCite, so it was not sent to "
        "ORCID; it will be once the DOI is registered."
    ),
    "deleted-on-orcid": N_(
        "You deleted this work on ORCID, so it is not sent again. Use 'send again' "
        "to put it back."
    ),
    # work.py: records that cannot become a work
    "no-title": N_("The record has no title; ORCID requires one."),
    "no-resource-type": N_(
        "The record has no resource type, so its ORCID work type is unknown."
    ),
    "unmapped-resource-type": N_(
        "The resource type '%(type)s' has no ORCID work type; add it to the mapping "
        "before this record can be sent."
    ),
    "no-identifier": N_(
        "The record has neither a DOI nor a landing page URL to identify it on ORCID."
    ),
    "work-too-large": N_(
        "The work would take %(size)s bytes even without citation and contributors; "
        "ORCID accepts at most %(max)s."
    ),
}
"""Reason key -> English sentence (the catalog's msgid), ``%(name)s`` for params."""

OUTCOMES = {
    "retry": N_("%(problem)s; the push will be retried."),
    "retry-link-fine": N_(
        "%(problem)s; the researcher's link is fine and the push will be retried."
    ),
    "read-again": N_("%(problem)s; it will be read again."),
    "gave-up": N_("%(problem)s; gave up, a resync will send it."),
    "gave-up-after": N_("%(problem)s; gave up after %(attempts)s attempts."),
}
"""What happens next, worded after the problem clause of a retryable reason."""


def _same(message, **params):
    """English: the msgid itself (``%`` applied only when there are params)."""
    return message % params if params else message


def _numbers(params, grouped):
    return {
        name: grouped(value) if isinstance(value, int) else value
        for name, value in params.items()
    }


def _word(key, outcome, params, translate, grouped):
    params = _numbers(params, grouped)
    problem = translate(MESSAGES[key], **params)
    if outcome is None:
        return problem
    return translate(OUTCOMES[outcome], **dict(params, problem=problem))


class Reason(str):
    """An English sentence that keeps the code and parameters it was worded from."""

    def __new__(cls, key, outcome=None, **params):
        """Word ``MESSAGES[key]`` (then ``OUTCOMES[outcome]``) with ``params``."""
        text = _word(key, outcome, params, _same, lambda n: f"{n:,}")
        reason = super().__new__(cls, text)
        reason.key, reason.outcome, reason.params = key, outcome, params
        return reason

    def then(self, outcome, **params):
        """The same problem followed by another ``outcome`` (e.g. "gave up")."""
        return Reason(self.key, outcome, **dict(self.params, **params))

    def stored(self):
        """What the ledger keeps in ``error_params``."""
        return {"reason": self.key, "outcome": self.outcome, **self.params}


def stored_params(reason):
    """``error_params`` of a reason (``None`` for a plain sentence)."""
    return reason.stored() if isinstance(reason, Reason) else None


def then(reason, outcome, fallback, **params):
    """``reason`` followed by ``outcome``; a plain sentence gets ``fallback``."""
    if isinstance(reason, Reason):
        return reason.then(outcome, **params)
    return fallback


def render_reason(text, params):
    """The sentence to show: worded now from ``params``, else the stored ``text``."""
    params = dict(params or {})
    key, outcome = params.pop("reason", None), params.pop("outcome", None)
    if key not in MESSAGES or (outcome is not None and outcome not in OUTCOMES):
        return text
    try:
        return _word(key, outcome, params, gettext, format_decimal)
    except (KeyError, TypeError, ValueError):
        return text  # parameters of another version: the stored sentence is right


def worded(reason):
    """A reason (or plain sentence) in the reader's language."""
    return render_reason(str(reason), stored_params(reason))


def reason_of(entry):
    """The failure reason of a ledger row, in the reader's language (or ``None``)."""
    if entry is None:
        return None
    return render_reason(entry.last_error, entry.error_params)
