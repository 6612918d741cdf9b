"""Configuration of invenio-orcid-push.

Every setting is read from the Flask application config; set them in
``invenio.cfg``. The defaults point at the production ORCID services.
"""

from datetime import timedelta

ORCID_PUSH_ENABLED = True
"""Master switch. When ``False`` publishing never schedules an ORCID push."""

ORCID_PUSH_API_URL = "https://api.orcid.org/v3.0"
"""ORCID Member API base URL, including the API version.

Sandbox: ``https://api.sandbox.orcid.org/v3.0``. Checked at start-up (the
app refuses to start otherwise): https on an ORCID host, or a loopback address
(``http://127.0.0.1:<port>``, the ORCID simulator); the same ORCID environment
as ``ORCID_PUSH_OAUTH_URL`` and the remote app's URLs.
"""

ORCID_PUSH_OAUTH_URL = "https://orcid.org/oauth"
"""ORCID OAuth base URL; tokens are revoked at ``<this>/revoke``.

Sandbox: ``https://sandbox.orcid.org/oauth``. The site serving iD pages
(``https://orcid.org/<iD>``) is this URL without its ``/oauth`` suffix.
Checked at start-up like ``ORCID_PUSH_API_URL``.
"""

ORCID_PUSH_REMOTE_APP = "orcid"
"""Name of the invenio-oauthclient remote app (a key of
``OAUTHCLIENT_REMOTE_APPS``) whose stored tokens are used to write works.

Our ORCID client id is that app's consumer key, read from the credentials
setting the remote app names in ``params["app_key"]`` (normally
``ORCID_APP_CREDENTIALS["consumer_key"]``).
"""

ORCID_PUSH_HTTP_TIMEOUT = (5, 30)
"""Timeouts in seconds for every ORCID call: (connect, read)."""

ORCID_PUSH_ORCID_HOST = "orcid.org"
"""Host of ORCID iD URIs written into works (``https://<host>/<iD>``).

Sandbox: ``sandbox.orcid.org``. ORCID's schema accepts only ORCID hosts here.
A bare host (not a URL), checked at start-up: it must be the host of the
environment ``ORCID_PUSH_API_URL`` points at.
"""

ORCID_PUSH_WORK_PER_VERSION = False
"""``False``: one ORCID work per record family (all versions), citing the
concept DOI as ``self`` and the latest version's DOI as ``version-of``.
``True``: one work per version, each citing its own DOI."""

ORCID_PUSH_JOURNAL_TITLE = None
"""Text of a work's ``journal-title``; ``None`` uses ``THEME_SITENAME`` (the
repository's name), an empty string leaves it out."""

ORCID_PUSH_MAX_CONTRIBUTORS = 100
"""At most this many creators and contributors in a work: those with an ORCID
iD first, then the first ones in record order (the work keeps record order).
ORCID refuses bodies around 1 MB, which a record of thousands of creators
exceeds; the sync ledger says how many ORCID shows ("ORCID shows 100 of 3,000
contributors"). ``None``: no cap, yet never more than fits ORCID's limit."""

ORCID_PUSH_RECREATE_DELETED_WORKS = False
"""When the researcher deleted our work on ORCID (404 on update), send it
again (``True``) or respect the deletion (``False``, the row says so and the
researcher can ask to send it again)."""

ORCID_PUSH_MAX_RETRIES = 6
"""Retries of a push after ORCID was unavailable (5xx, 503 rate limit,
timeouts, connection errors) before the row is marked failed."""

ORCID_PUSH_RETRY_BACKOFF = 30
"""Base delay in seconds of the exponential backoff between retries
(full jitter: a random delay up to ``base * 2**attempt``)."""

ORCID_PUSH_RETRY_BACKOFF_MAX = 3600
"""Upper bound in seconds of one backoff delay."""

ORCID_PUSH_DOI_WAIT = 60
"""Seconds between checks while a record's DOI is not yet registered at
DataCite: a work never cites a DOI that does not resolve."""

ORCID_PUSH_DOI_WAIT_RETRIES = 60
"""How many times to wait for the DOI before marking the row failed."""

ORCID_PUSH_LOCK_URL = None
"""Redis URL of the per-iD write locks that serialize ORCID writes across all
workers; ``None`` uses ``CACHE_REDIS_URL``. ``memory://`` uses a lock inside
the process (single-process deployments and the demo only)."""

ORCID_PUSH_LOCK_TIMEOUT = 60
"""Seconds a per-iD lock is held at most (it expires if a worker dies) and
waited for at most."""

ORCID_PUSH_SETTINGS_TEMPLATE = "invenio_orcid_push/settings/index.html"
"""Template of the researcher's ORCID settings page."""

ORCID_PUSH_SETTINGS_BASE_TEMPLATE = "invenio_theme/page_settings.html"
"""Template the settings page extends (the theme's account settings page)."""

ORCID_PUSH_ABOUT_TEMPLATE = "invenio_orcid_push/about.html"
"""Template of the public "What is ORCID" page (``/account/settings/orcid/about``):
what ORCID is and what this repository does with a researcher's permission.
Every ORCID surface (settings page, admin views, e-mails, landing pages) links
to it."""

ORCID_PUSH_ORCID_ICON = "images/orcid.svg"
"""ORCID's green iD icon, a file of the app's static folder (``url_for("static",
filename=...)``). The default is the one InvenioRDM's theme ships and its own
landing page uses. ORCID's display guidelines reserve it for authenticated iDs
(linked here through ORCID's sign-in); iDs typed into a record are shown
without it."""

ORCID_PUSH_LANDING_PAGE_TEMPLATE = "invenio_orcid_push/records/detail.html"
"""The record landing page with creators whose iD was authenticated here
marked as such. At start-up it becomes ``APP_RDM_RECORD_LANDING_PAGE_TEMPLATE``
unless the instance set that to a template of its own (see the README:
"Authenticated iDs on landing pages"); ``None`` leaves RDM's setting alone."""

ORCID_PUSH_LANDING_PAGE_BASE_TEMPLATE = "invenio_app_rdm/records/detail.html"
"""The landing page template ``ORCID_PUSH_LANDING_PAGE_TEMPLATE`` extends
(only its ``record_title`` block is replaced)."""

ORCID_PUSH_ADD_ORCID_TO_CREATORS = True
"""Add the depositor's verified ORCID iD (from their ORCID link) to their
entry among the creators or contributors when publishing, so the DOI carries
it. Conservative matching, see ``invenio_orcid_push.creators``."""

ORCID_PUSH_RATE_LIMIT = 20
"""ORCID requests per second for all workers together (ORCID allows 24 per
client IP and answers 503 beyond). ``0`` or ``None`` switches the limit off."""

ORCID_PUSH_RATE_BURST = 20
"""Largest burst of requests; at most ORCID's 40."""

ORCID_PUSH_CALL_LOG_RETENTION_DAYS = 90
"""Days the log of ORCID calls is kept; older entries are purged by the
``purge_orcid_call_log`` task (schedule it daily with Celery beat)."""

ORCID_PUSH_UPTAKE_WEEKS = 8
"""Weeks shown in the uptake table over time (new links, works synced per
week), on the administration panel's ORCID sync page and in ``invenio
orcid-push status``."""

ORCID_PUSH_PERMISSION_POLICY = (
    "invenio_orcid_push.permissions:OrcidPushPermissionPolicy"
)
"""Permission policy of every ORCID push service (import path or class): who
may see and change a link and its preferences, a record's ORCID status, the
sync ledger, and run a resync. Subclass ``OrcidPushPermissionPolicy`` to
change one action, e.g. ``can_sync_record``."""

ORCID_PUSH_RECORDS_BY_OTHERS_DEFAULT = "ask"
"""What happens, for a researcher who has not chosen, with public records
deposited by someone else that list their linked iD: ``"automatic"`` (sent
like their own), ``"ask"`` (each waits for their approval on the settings
page) or ``"never"``. Researchers change it on the settings page or with
``PUT /api/user/orcid`` (``records_by_others``)."""

ORCID_PUSH_NOTIFY_UNLINKED = False
"""Invite, through their ORCID inbox, researchers whose iD a public record lists
but whom no user of the repository has linked: one permission notification
(``POST /{iD}/notification-permission``) per iD and record family, asking them
to connect ORCID here. Needs ORCID to enable premium notifications
(``/premium-notification``) for our client, hence off by default."""

ORCID_PUSH_NOTIFY_REASK_DAYS = 60
"""At most one invitation per iD within this many days, whatever the record;
an iD that opted out of our notifications (409/9032) is never invited again."""

ORCID_PUSH_CELERY_QUEUE = None
"""Celery queue of the plugin's tasks; ``None`` uses Celery's default queue.

A queue of their own (e.g. ``"orcid-push"``) lets a worker take one push at a
time without changing other tasks: ``celery -A invenio_app.celery worker
-Q orcid-push --prefetch-multiplier 1`` (see "Celery worker and beat" in
the installation guide, ``docs/installation.md``)."""

ORCID_PUSH_STALE_AFTER = timedelta(minutes=15)
"""A push still owed this long after it was due (its message was lost: broker
down when the record was published, worker killed before it ran) is sent
again by the sweep (``timedelta`` or seconds)."""

ORCID_PUSH_SWEEP_INTERVAL = timedelta(minutes=5)
"""How often Celery beat runs the sweep of owed pushes
(``sweep_stale_orcid_pushes``); the plugin adds it to ``CELERY_BEAT_SCHEDULE``.
``None`` leaves the schedule alone (the nightly reconcile still sweeps)."""

ORCID_PUSH_TOKEN_REJECTIONS_PAUSE = 3
"""Pause pushes when ORCID rejects (401) the tokens of this many different
researchers within ``ORCID_PUSH_TOKEN_REJECTIONS_WINDOW``: that is a wrong
host or wrong client credentials, not researchers revoking access. While
paused no link is marked revoked and no researcher is e-mailed, links marked
revoked within the window are active again, pushes wait (retried later) with
a reason naming the settings to check, and administrators are told once
(e-mail, and the ORCID sync page of the administration panel). A researcher is
e-mailed about a revoked link only after it stayed revoked for a whole window
without a pause. ``0`` or ``None`` switches the pause off (one 401 revokes the
link and e-mails its researcher at once)."""

ORCID_PUSH_TOKEN_REJECTIONS_WINDOW = 600
"""Seconds over which token rejections of different researchers are counted
(see ``ORCID_PUSH_TOKEN_REJECTIONS_PAUSE``); a pause lifts by itself one window
after the last rejection, and the waiting pushes are tried again."""

ORCID_PUSH_ON_USER_DELETION = "keep"
"""What happens to the works this repository added to a researcher's ORCID
record when an administrator blocks (or deletes) their account: ``"keep"``
leaves them on ORCID, ``"remove"`` deletes them first. Either way the
researcher's ORCID token is revoked at ORCID and their link is no longer used
(``suspended``); they connect ORCID again if their account is restored.
Checked at start-up: any other value stops the app with an error naming it."""
