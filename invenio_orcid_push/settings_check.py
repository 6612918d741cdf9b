"""Settings that cannot hurt: the ORCID URLs are checked when the app starts.

A wrong URL does harm silently: researchers' tokens travel over plain http or
to another host, an http URL that ORCID redirects to https looks like a merged
iD, and a host or client that is not ORCID's makes every link look revoked.
So, when ``ORCID_PUSH_ENABLED``, the extension refuses to start unless every
ORCID URL uses https on one of ORCID's hosts (a loopback address is allowed
over http: the ORCID simulator of tests and the demo), and all of them name
the same ORCID environment (production ``orcid.org``, the sandbox
``sandbox.orcid.org``, or one loopback ``host:port``). A setting with a fixed
set of choices (``ORCID_PUSH_ON_USER_DELETION``) must be one of them.
"""

import ipaddress
from urllib.parse import urlsplit

import click

REMOTE_APP_URLS = ("base_url", "access_token_url", "authorize_url")
"""The ORCID URLs of an invenio-oauthclient remote app (``None``: ours derive
them from ``ORCID_PUSH_OAUTH_URL`` and ``ORCID_PUSH_API_URL``)."""

_ORCID_SUBDOMAINS = ("api.", "pub.", "www.")
"""Hosts of one ORCID environment: ``api.sandbox.orcid.org`` is ``sandbox.orcid.org``."""


class OrcidSettingsError(click.ClickException, RuntimeError):
    """An ORCID setting that would send tokens where they must not go.

    A ``ClickException`` too, so that the ``invenio`` command, which builds
    the app before running any command, says it in one line, not a traceback.
    """

    def __init__(self, setting, value, problem):
        """Name the setting, its value and what is wrong with it."""
        super().__init__(
            f"{setting} = {value!r}: {problem} Fix it in invenio.cfg, or set "
            "ORCID_PUSH_ENABLED = False to run without pushing to ORCID."
        )
        self.setting = setting


def is_loopback(host):
    """Whether ``host`` is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def orcid_environment(host):
    """``orcid.org``, ``sandbox.orcid.org``...: the ORCID site a host belongs to,
    or ``None`` when the host is not ORCID's."""
    host = (host or "").lower().rstrip(".")
    for prefix in _ORCID_SUBDOMAINS:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    if host == "orcid.org" or host.endswith(".orcid.org"):
        return host
    return None


def url_environment(setting, url):
    """The environment a URL setting points at; raises when it must not be used."""
    try:
        parts = urlsplit(url or "")
        host, port = (parts.hostname or "").lower(), parts.port
    except (ValueError, TypeError, AttributeError):
        raise OrcidSettingsError(setting, url, "is not a URL.") from None
    if is_loopback(host) and parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{host}:{port}"
    if parts.scheme != "https":
        raise OrcidSettingsError(
            setting,
            url,
            "ORCID URLs must use https (tokens would travel in clear text); "
            "only a loopback address (127.0.0.1, ::1, localhost) may use http.",
        )
    environment = orcid_environment(host)
    if environment is None:
        raise OrcidSettingsError(
            setting,
            url,
            f"'{host}' is not an ORCID host (orcid.org, api.orcid.org, "
            "sandbox.orcid.org, api.sandbox.orcid.org); researchers' tokens "
            "must not go anywhere else.",
        )
    return environment


def _url_settings(config):
    """``(setting name, URL)`` of every ORCID URL the plugin or the login uses."""
    yield "ORCID_PUSH_API_URL", config.get("ORCID_PUSH_API_URL")
    yield "ORCID_PUSH_OAUTH_URL", config.get("ORCID_PUSH_OAUTH_URL")
    name = config.get("ORCID_PUSH_REMOTE_APP")
    remote = (config.get("OAUTHCLIENT_REMOTE_APPS") or {}).get(name) or {}
    params = remote.get("params") or {}
    for key in REMOTE_APP_URLS:
        if params.get(key) is not None:
            yield f"OAUTHCLIENT_REMOTE_APPS[{name!r}]['params'][{key!r}]", params[key]


def _check_orcid_host(host, environment):
    """``ORCID_PUSH_ORCID_HOST`` is a bare ORCID host of the same environment."""
    setting = "ORCID_PUSH_ORCID_HOST"
    bare = isinstance(host, str) and host and not any(c in host for c in ":/ @")
    if not bare:
        raise OrcidSettingsError(
            setting, host, "must be a bare host such as 'orcid.org', not a URL."
        )
    if orcid_environment(host) != host.lower():
        raise OrcidSettingsError(
            setting,
            host,
            "must be the host of ORCID iD pages ('orcid.org' or "
            "'sandbox.orcid.org'): ORCID accepts no other host in works.",
        )
    if "://" not in environment and host.lower() != environment:
        raise OrcidSettingsError(
            setting,
            host,
            f"does not match ORCID_PUSH_API_URL, which is ORCID's '{environment}'.",
        )


def check_orcid_settings(config):
    """Raise :class:`OrcidSettingsError` naming the first harmful ORCID setting."""
    first = None
    for setting, url in _url_settings(config):
        environment = url_environment(setting, url)
        if first is None:
            first = (setting, environment)
        elif environment != first[1]:
            raise OrcidSettingsError(
                setting,
                url,
                f"points at '{environment}' but {first[0]} at '{first[1]}'; "
                "every ORCID URL must name the same ORCID environment.",
            )
    _check_orcid_host(config.get("ORCID_PUSH_ORCID_HOST"), first[1])
    _check_choice(config, "ORCID_PUSH_ON_USER_DELETION", USER_DELETION_CHOICES)


USER_DELETION_CHOICES = ("keep", "remove")
"""``ORCID_PUSH_ON_USER_DELETION``: leave or remove a blocked user's works."""


def _check_choice(config, setting, choices):
    value = config.get(setting)
    if value not in choices:
        allowed = " or ".join(repr(choice) for choice in choices)
        raise OrcidSettingsError(setting, value, f"must be {allowed}.")
