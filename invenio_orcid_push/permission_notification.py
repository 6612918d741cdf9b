"""The ORCID inbox invitation: a permission notification in ORCID's XML.

Schema: ``notification_3.0/notification-permission-3.0.xsd`` of orcid-model.
What the researcher reads (subject, intro, item name) is plain text in the
repository's language; the authorization URL starts our own OAuth flow
(invenio-oauthclient's login), not ORCID's authorize page: only a flow that
starts here carries the state invenio-oauthclient checks when ORCID sends the
researcher back, so only it ends with a linked account.
"""

from urllib.parse import urlencode

from flask import current_app
from invenio_i18n import gettext as _
from lxml import etree

from . import orcid_model as om
from .work import WorkConversionError, clean_text, external_ids_of, truncate

_N, _C = "{%s}" % om.NOTIFICATION_NS, "{%s}" % om.COMMON_NS
SETTINGS_PATH = "/account/settings/orcid/"


def _sub(parent, tag, text=None):
    node = etree.SubElement(parent, tag)
    if text is not None:
        node.text = text
    return node


def authorization_url(config=None):
    """Where the researcher goes to connect ORCID: our OAuth login for the
    ORCID remote app, back to the ORCID settings page afterwards."""
    config = config or current_app.config
    site = config["SITE_UI_URL"].rstrip("/")
    remote = config["ORCID_PUSH_REMOTE_APP"]
    return f"{site}/oauth/login/{remote}/?" + urlencode({"next": SETTINGS_PATH})


def subject():
    """Short, as ORCID shows it inside a sentence ("Add ... to your record")."""
    return _("your research records")


def intro(sitename):
    """Why the researcher gets this, and what connecting does, in plain words."""
    text = _(
        "%(sitename)s lists you, with your ORCID iD, among the creators of the "
        "record below. Connect your ORCID record to %(sitename)s and it will add "
        "this record, and later ones that list you, to your ORCID record for "
        "you. You can stop this at any time in your %(sitename)s settings or "
        "on ORCID.",
        sitename=sitename,
    )
    return truncate(clean_text(text), om.NOTIFICATION_INTRO_MAX)


def _item_id(record):
    """The record's own identifier (concept DOI, DOI or landing page), if any."""
    try:
        return external_ids_of(record)[0]
    except WorkConversionError:
        return None


def _add_item(items, record):
    item = _sub(items, _N + "item")
    _sub(item, _N + "item-type", "work")
    title = clean_text((record.get("metadata") or {}).get("title")) or record["id"]
    _sub(item, _N + "item-name", truncate(title, om.NOTIFICATION_ITEM_NAME_MAX))
    ext = _item_id(record)
    if ext is not None:
        node = _sub(item, _C + "external-id")
        _sub(node, _C + "external-id-type", ext.type)
        _sub(node, _C + "external-id-value", ext.value)
        if ext.url:
            _sub(node, _C + "external-id-url", ext.url)
        _sub(node, _C + "external-id-relationship", "self")


def permission_notification_xml(record, config=None):
    """The notification inviting a listed creator to connect ORCID, as bytes.

    ``record`` is the service dump of the public version the invitation is
    about; it is the one item of the notification.
    """
    config = config or current_app.config
    root = etree.Element(
        _N + "notification",
        nsmap={"notification": om.NOTIFICATION_NS, "common": om.COMMON_NS},
    )
    _sub(root, _N + "notification-type", "permission")
    url = _sub(root, _N + "authorization-url")
    _sub(url, _N + "uri", authorization_url(config))
    _sub(root, _N + "notification-subject", subject())
    _sub(
        root,
        _N + "notification-intro",
        intro(config.get("THEME_SITENAME") or "The repository"),
    )
    _add_item(_sub(root, _N + "items"), record)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
