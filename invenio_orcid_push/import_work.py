"""Turn an ORCID work back into InvenioRDM draft data; find a work's record here.

The inverse of :mod:`.work`, and like it knows nothing about HTTP or the
database: it takes a work as :func:`.client.parse_work` reads it and returns
the draft's data for the record service, with notes for what could not be
carried over. :func:`match_record` tells which of a user's records is the same
work as an ORCID work (a summary or a full work).
"""

import re
import unicodedata
from dataclasses import dataclass, field

import pycountry

from .identifiers import normalize_orcid
from .orcid_model import normalized_id_value
from .work import RESOURCE_TYPE_TO_WORK_TYPE, ROLE_TO_CONTRIBUTOR_ROLE

GENERIC_RESOURCE_TYPE = "publication"
"""The resource type of a work whose ORCID type has no mapping here."""

_PREFERRED = {
    "other": GENERIC_RESOURCE_TYPE,
    "image": "image",
    "report": "publication-report",
    "journal-article": "publication-article",
    "dissertation-thesis": "publication-thesis",
    "software": "software",
}
_EXTRA = {
    "edited-book": "publication-book",
    "book-review": "publication-peerreview",
    "conference-abstract": "publication-conferencepaper",
    "conference-proceedings": "publication-conferenceproceeding",
    "magazine-article": "publication-article",
    "newspaper-article": "publication-article",
    "newsletter-article": "publication-article",
    "encyclopedia-entry": "publication-section",
    "dictionary-entry": "publication-section",
    "supervised-student-publication": "publication-thesis",
    "lecture-speech": "presentation",
    "online-resource": "other",
    "website": "other",
}


def _reverse_types():
    reverse = {}
    for resource_type, work_type in RESOURCE_TYPE_TO_WORK_TYPE.items():
        reverse.setdefault(work_type, resource_type)
    return {**reverse, **_EXTRA, **_PREFERRED}


WORK_TYPE_TO_RESOURCE_TYPE = _reverse_types()
"""ORCID work type -> InvenioRDM resource type id (the inverse of
``work.RESOURCE_TYPE_TO_WORK_TYPE``, its first entry per work type unless
preferred otherwise, plus ORCID types the push never sends)."""

CONTRIBUTOR_ROLE_TO_ROLE = {
    **{orcid: rdm for rdm, orcid in reversed(ROLE_TO_CONTRIBUTOR_ROLE.items())},
    "principal-investigator": "projectleader",
    "editor": "editor",
    "chair-or-translator": "translator",
    "support-staff": "other",
}
"""ORCID contributor role -> InvenioRDM role (the inverse of
``work.ROLE_TO_CONTRIBUTOR_ROLE``); ``author`` and no role make creators."""

CREATOR_ROLES = frozenset({None, "", "author", "co-inventor", "other-inventor"})
"""ORCID roles of the people who become the draft's creators."""

OTHER_ROLE = "other"

ID_SCHEMES = {
    "ark": "ark",
    "arxiv": "arxiv",
    "bibcode": "ads",
    "doi": "doi",
    "handle": "handle",
    "isbn": "isbn",
    "issn": "issn",
    "pmid": "pmid",
    "uri": "url",
    "urn": "urn",
}
"""ORCID external id type -> InvenioRDM identifier scheme; others become notes."""

RELATION_OF = {"version-of": "isversionof", "part-of": "ispartof"}
"""ORCID relationship -> related identifier relation type (``self`` ids are
the work's own identifiers)."""

LANDING_PAGE_RELATION = "isidenticalto"

JOURNAL_TYPES = frozenset(
    {
        "journal-article",
        "journal-issue",
        "magazine-article",
        "newspaper-article",
        "newsletter-article",
    }
)
"""Work types whose ``journal-title`` names a journal (host), not a publisher."""

_DOI_PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi:",
)


def normalize_doi(value):
    """A DOI as compared here: lower case, without resolver prefix or ``doi:``."""
    value = (value or "").strip().lower()
    for prefix in _DOI_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def id_key(id_type, value):
    """A comparable ``(type, value)`` of an identifier, or ``None``."""
    id_type = (id_type or "").strip().lower()
    if id_type == "url":
        id_type = "uri"
    if id_type == "doi":
        value = normalize_doi(value)
    else:
        value = normalized_id_value(id_type, value).rstrip("/")
    return (id_type, value) if id_type and value else None


def normalize_title(title):
    """A title as compared here: case, accents, punctuation and spaces ignored."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def year_of(date):
    """The year of an ORCID date (``{"year": ...}``) or an EDTF string."""
    if isinstance(date, dict):
        date = date.get("year")
    match = re.match(r"^\s*([0-9]{4})", date or "")
    return match.group(1) if match else None


@dataclass
class Candidate:
    """One of the user's records (or drafts), as matching sees it."""

    record_id: str
    keys: set = field(default_factory=set)
    title: str = ""
    year: str = None


def work_keys(work):
    """The identifier keys of a work's external ids (any relationship) and URL."""
    keys = {id_key(e.get("type"), e.get("value")) for e in work.get("external_ids")}
    if work.get("url"):
        keys.add(id_key("uri", work["url"]))
    keys.discard(None)
    return keys


def match_record(work, candidates):
    """The id of the candidate that is the same work, or ``None``.

    A shared identifier wins (any DOI, concept or version, landing page or
    other id); else the same normalized title and year.
    """
    keys = work_keys(work)
    for candidate in candidates:
        if keys & candidate.keys:
            return candidate.record_id
    title = normalize_title(work.get("title"))
    year = year_of(work.get("publication_date"))
    for candidate in candidates:
        if title and year and (candidate.title, candidate.year) == (title, year):
            return candidate.record_id
    return None


# -- Work -> draft ----------------------------------------------------------------


@dataclass
class DraftData:
    """The draft's data and what could not be carried over (sentences' codes)."""

    data: dict
    notes: list = field(default_factory=list)
    """``(code, parameters)``: ``untyped`` (``type``), ``ids-left-out`` (``ids``)."""


def publication_date_of(date):
    """An EDTF date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) or ``None``."""
    if not isinstance(date, dict) or not year_of(date):
        return None
    parts = [year_of(date)]
    for part in ("month", "day"):
        value = (date.get(part) or "").strip()
        if not value.isdigit():
            break
        parts.append(value.zfill(2))
    return "-".join(parts)


def language_of(code):
    """The ISO 639-3 id of an ORCID language code (``en``, ``zh_CN``, ``iw``)."""
    code = (code or "").split("_")[0].lower()
    code = {"iw": "he", "in": "id", "ji": "yi"}.get(code, code)
    language = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    return getattr(language, "alpha_3", None)


def person_of(contributor):
    """A personal ``person_or_org`` from an ORCID contributor, or ``None``."""
    name = (contributor.get("credit_name") or "").strip()
    orcid = normalize_orcid(contributor.get("orcid"))
    if not name:
        return None
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
    else:
        given, _, family = name.rpartition(" ")
    person = {"type": "personal", "family_name": family or name}
    if given:
        person["given_name"] = given
    if orcid:
        person["identifiers"] = [{"scheme": "orcid", "identifier": orcid}]
    return person


def people_of(contributors):
    """``(creators, contributors)`` of the draft."""
    creators, others = [], []
    for contributor in contributors or []:
        person = person_of(contributor)
        if person is None:
            continue
        role = contributor.get("role")
        if role in CREATOR_ROLES:
            creators.append({"person_or_org": person})
        else:
            mapped = CONTRIBUTOR_ROLE_TO_ROLE.get(role, OTHER_ROLE)
            others.append({"person_or_org": person, "role": {"id": mapped}})
    return creators, others


def _place(ext):
    """``(where, entry)`` of one external id: ``left-out``, ``doi``, ``own`` or
    ``related``."""
    scheme = ID_SCHEMES.get((ext.get("type") or "").lower())
    value = (ext.get("value") or "").strip()
    relationship = ext.get("relationship") or "self"
    if scheme is None or not value:
        return "left-out", f"{ext.get('type')}: {value}"
    if relationship != "self":
        relation = RELATION_OF.get(relationship, "references")
        entry = {"scheme": scheme, "identifier": value}
        return "related", {**entry, "relation_type": {"id": relation}}
    if scheme == "doi":
        return "doi", normalize_doi(value)
    return "own", {"scheme": scheme, "identifier": value}


def _identifiers_of(work, notes):
    """``(DOI, identifiers, related identifiers)`` of the work's external ids.

    The first ``self`` DOI is the draft's DOI; further ones are identifiers.
    """
    placed = {"left-out": [], "doi": [], "own": [], "related": []}
    for ext in work.get("external_ids") or []:
        where, entry = _place(ext)
        placed[where].append(entry)
    dois = placed["doi"]
    own = [{"scheme": "doi", "identifier": doi} for doi in dois[1:]] + placed["own"]
    if placed["left-out"]:
        notes.append(("ids-left-out", {"ids": ", ".join(placed["left-out"])}))
    return (dois[0] if dois else None), own, placed["related"]


def _resource_type_of(work, notes):
    resource_type = WORK_TYPE_TO_RESOURCE_TYPE.get(work.get("type"))
    if resource_type is None:
        notes.append(("untyped", {"type": work.get("type") or "-"}))
        resource_type = GENERIC_RESOURCE_TYPE
    return resource_type


def _host_of(work, metadata, custom_fields):
    journal = (work.get("journal_title") or "").strip()
    if not journal:
        return
    if work.get("type") in JOURNAL_TYPES:
        custom_fields["journal:journal"] = {"title": journal}
    else:
        metadata["publisher"] = journal


def _subtitle_of(work):
    subtitle = (work.get("subtitle") or "").strip()
    return [{"title": subtitle, "type": {"id": "subtitle"}}] if subtitle else []


def _languages_of(work):
    language = language_of(work.get("language_code"))
    return [{"id": language}] if language else []


def _landing_page_of(work):
    url = (work.get("url") or "").strip()
    if not url:
        return []
    return [
        {
            "scheme": "url",
            "identifier": url,
            "relation_type": {"id": LANDING_PAGE_RELATION},
        }
    ]


def draft_from_work(work):
    """The draft data (:class:`DraftData`) of a full ORCID work.

    Title, subtitle, resource type (the generic one, with a note, when the
    work type has no mapping), publication date, description, creators and
    contributors with iDs and roles, language, journal title (the journal of
    an article, else the publisher), the work's ``self`` DOI as an external
    DOI, its other identifiers, and its landing page as a related identifier.
    """
    notes = []
    creators, contributors = people_of(work.get("contributors"))
    metadata = {
        "title": (work.get("title") or "").strip(),
        "resource_type": {"id": _resource_type_of(work, notes)},
        "creators": creators,
    }
    optional = {
        "publication_date": publication_date_of(work.get("publication_date")),
        "description": (work.get("short_description") or "").strip(),
        "contributors": contributors,
    }
    metadata.update({key: value for key, value in optional.items() if value})
    doi, own, related = _identifiers_of(work, notes)
    optional = {
        "additional_titles": _subtitle_of(work),
        "languages": _languages_of(work),
        "identifiers": own,
        "related_identifiers": related + _landing_page_of(work),
    }
    metadata.update({key: value for key, value in optional.items() if value})
    data = {"metadata": metadata, "custom_fields": {}}
    _host_of(work, metadata, data["custom_fields"])
    if doi:
        data["pids"] = {"doi": {"identifier": doi, "provider": "external"}}
    return DraftData(data=data, notes=notes)


# -- Fitting the draft to the instance's vocabularies --------------------------------


def _fit_list(entries, vocabulary, attribute, replacement, exists):
    """The entries whose ``attribute`` (the entry itself when ``None``) names an
    id of ``vocabulary`` the instance has; others get ``replacement`` (when the
    instance has it) or are left out."""
    kept = []
    for entry in entries:
        held = entry.get(attribute) if attribute else entry
        if exists(vocabulary, held["id"]):
            kept.append(entry)
        elif replacement and exists(vocabulary, replacement):
            kept.append({**entry, attribute: {"id": replacement}})
    return kept


VOCABULARY_FIELDS = (
    ("languages", "languages", None, None),
    ("additional_titles", "titletypes", "type", None),
    ("contributors", "contributorsroles", "role", OTHER_ROLE),
    ("related_identifiers", "relationtypes", "relation_type", None),
)
"""``(metadata key, vocabulary type, attribute, replacement id)`` checked by
:func:`fit_draft`."""


def fit_draft(draft, exists, custom_fields=()):
    """Make ``draft`` (:class:`DraftData`) use only what the instance has.

    ``exists(vocabulary_type, id)`` says whether a vocabulary entry exists;
    ``custom_fields`` names the instance's custom fields. A resource type the
    instance lacks becomes the generic one (else none: the deposit form asks),
    a journal without the ``journal:journal`` field the publisher, and other
    unknown vocabulary entries are left out.
    """
    metadata = draft.data["metadata"]
    resource_type = metadata["resource_type"]["id"]
    if not exists("resourcetypes", resource_type):
        if exists("resourcetypes", GENERIC_RESOURCE_TYPE):
            metadata["resource_type"] = {"id": GENERIC_RESOURCE_TYPE}
        else:
            del metadata["resource_type"]
        draft.notes.append(("type-not-here", {"type": resource_type}))
    for key, vocabulary, attribute, replacement in VOCABULARY_FIELDS:
        kept = _fit_list(
            metadata.pop(key, []), vocabulary, attribute, replacement, exists
        )
        if kept:
            metadata[key] = kept
    journal = draft.data["custom_fields"].get("journal:journal")
    if journal and "journal:journal" not in custom_fields:
        del draft.data["custom_fields"]["journal:journal"]
        metadata.setdefault("publisher", journal["title"])
    return draft
