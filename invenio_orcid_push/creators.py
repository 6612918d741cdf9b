"""Adding a researcher's verified ORCID iD to their entry among a record's creators.

The rule is conservative, so that an iD never lands on the wrong person:
the iD comes from the researcher's own ORCID link (never from typing), and it
is added to an entry only when

- the entry is a person without an ORCID iD,
- the iD is not already on another entry of the record, and
- exactly one person entry of that list (creators, or contributors) has the
  name ORCID gave for the link: the same words, ignoring case, accents,
  punctuation and order ("Carberry, Josiah" matches "Josiah Carberry").

It is switched off with ``ORCID_PUSH_ADD_ORCID_TO_CREATORS = False``.
"""

import re
import unicodedata

from invenio_oauthclient.models import RemoteAccount

from .identifiers import listed_orcid, normalize_orcid
from .links import orcid_client_id, orcid_link_of


def name_words(name):
    """The words of a name, lower-cased, without accents or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return frozenset(re.findall(r"\w+", plain))


def entry_name(entry):
    """The entry's name as written, else "Given Family"."""
    person = entry.get("person_or_org") or {}
    return person.get("name") or " ".join(
        part for part in (person.get("given_name"), person.get("family_name")) if part
    )


def entry_orcid(entry):
    """The entry's ORCID iD (normalized when valid, as written otherwise), or ``None``."""
    listed = listed_orcid((entry.get("person_or_org") or {}).get("identifiers"))
    return normalize_orcid(listed) or listed


def add_linked_orcid(metadata, user_id):
    """Add the user's linked iD to their entry in ``metadata`` (in place).

    Returns the paths it changed, e.g. ``["creators.0"]``.
    """
    link = orcid_link_of(user_id)
    if link is None:
        return []
    orcid_name = _linked_name_words(user_id)
    if not orcid_name:
        return []
    lists = _person_lists(metadata)
    if _lists_have_orcid(lists, link.orcid):
        return []
    changed = []
    for key, entries in lists.items():
        index = _only_entry_named(entries, orcid_name)
        if index is not None:
            entries[index]["person_or_org"].setdefault("identifiers", []).append(
                {"scheme": "orcid", "identifier": link.orcid}
            )
            changed.append(f"{key}.{index}")
    return changed


def _linked_name_words(user_id):
    """The words of the name ORCID gave when the user linked (empty if unknown)."""
    account = RemoteAccount.get(user_id, orcid_client_id())
    return name_words((account.extra_data or {}).get("full_name") if account else "")


def _person_lists(metadata):
    """The creators and contributors lists by key (empty when missing)."""
    return {key: metadata.get(key) or [] for key in ("creators", "contributors")}


def _lists_have_orcid(lists, orcid):
    """Whether some entry already has ``orcid`` (it must not land on a second one)."""
    return any(
        entry_orcid(entry) == orcid for entries in lists.values() for entry in entries
    )


def _only_entry_named(entries, words):
    """The index of the one person entry without iD named ``words``, else ``None``.

    Two such entries (namesakes) give ``None``: guessing could pick the wrong one.
    """
    matches = [
        index
        for index, entry in enumerate(entries)
        if _is_unidentified_person_named(entry, words)
    ]
    return matches[0] if len(matches) == 1 else None


def _is_unidentified_person_named(entry, words):
    """Whether ``entry`` is a person without iD whose name has exactly ``words``."""
    return (
        (entry.get("person_or_org") or {}).get("type") == "personal"
        and entry_orcid(entry) is None
        and name_words(entry_name(entry)) == words
    )
