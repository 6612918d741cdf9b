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

from .identifiers import normalize_orcid
from .links import orcid_client_id, orcid_link_of


def name_words(name):
    """The words of a name, lower-cased, without accents or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return frozenset(re.findall(r"\w+", plain))


def entry_name(entry):
    person = entry.get("person_or_org") or {}
    return person.get("name") or " ".join(
        part for part in (person.get("given_name"), person.get("family_name")) if part
    )


def entry_orcid(entry):
    for identifier in (entry.get("person_or_org") or {}).get("identifiers") or []:
        if identifier.get("scheme") == "orcid":
            return normalize_orcid(identifier.get("identifier")) or identifier.get("identifier")
    return None


def add_linked_orcid(metadata, user_id):
    """Add the user's linked iD to their entry in ``metadata`` (in place).

    Returns the paths it changed, e.g. ``["creators.0"]``.
    """
    link = orcid_link_of(user_id)
    if link is None:
        return []
    account = RemoteAccount.get(user_id, orcid_client_id())
    orcid_name = name_words((account.extra_data or {}).get("full_name") if account else "")
    if not orcid_name:
        return []
    lists = {key: metadata.get(key) or [] for key in ("creators", "contributors")}
    if any(entry_orcid(entry) == link.orcid for entries in lists.values() for entry in entries):
        return []
    changed = []
    for key, entries in lists.items():
        matches = [
            index for index, entry in enumerate(entries)
            if (entry.get("person_or_org") or {}).get("type") == "personal"
            and entry_orcid(entry) is None
            and name_words(entry_name(entry)) == orcid_name
        ]
        if len(matches) == 1:
            person = entries[matches[0]]["person_or_org"]
            person.setdefault("identifiers", []).append(
                {"scheme": "orcid", "identifier": link.orcid}
            )
            changed.append(f"{key}.{matches[0]}")
    return changed
