"""Turn an InvenioRDM record into an ORCID work (record_3.0/work-3.0.xsd).

Knows nothing about HTTP or the database: it takes the record as the record
service shows it (``RecordItem.to_dict()``) and returns a :class:`Work`, or
raises :class:`WorkConversionError` with a reason a person can read.
"""

import calendar
import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Optional

import pycountry
from lxml import etree, html

from . import orcid_model as om
from .identifiers import listed_orcid, normalize_orcid
from .reasons import Reason
from .uris import as_uri, resolver_url

logger = logging.getLogger(__name__)

RESOURCE_TYPE_TO_WORK_TYPE = {
    "publication": "other",
    "publication-annotationcollection": "annotation",
    "publication-article": "journal-article",
    "publication-book": "book",
    "publication-conferencepaper": "conference-paper",
    "publication-conferenceproceeding": "conference-proceedings",
    "publication-datamanagementplan": "data-management-plan",
    "publication-datapaper": "journal-article",
    "publication-deliverable": "report",
    "publication-dissertation": "dissertation-thesis",
    "publication-journal": "journal-issue",
    "publication-milestone": "report",
    "publication-other": "other",
    "publication-patent": "patent",
    "publication-peerreview": "review",
    "publication-preprint": "preprint",
    "publication-proposal": "other",
    "publication-report": "report",
    "publication-section": "book-chapter",
    "publication-softwaredocumentation": "manual",
    "publication-standard": "technical-standard",
    "publication-studyregistration": "other",
    "publication-taxonomictreatment": "other",
    "publication-technicalnote": "report",
    "publication-thesis": "dissertation-thesis",
    "publication-workingpaper": "working-paper",
    "poster": "conference-poster",
    "presentation": "conference-presentation",
    "event": "conference-output",
    "dataset": "data-set",
    "image": "image",
    "image-diagram": "image",
    "image-drawing": "image",
    "image-figure": "image",
    "image-other": "image",
    "image-photo": "image",
    "image-plot": "image",
    "model": "other",
    "video": "moving-image",
    "audio": "sound",
    "software": "software",
    "software-computationalnotebook": "software",
    "lesson": "learning-object",
    "physicalobject": "physical-object",
    "workflow": "research-technique",
    "project": "other",
    "instrument": "research-tool",
    "other": "other",
}
"""InvenioRDM resource type id -> ORCID work type (see docs/orcid-work-mapping.md)."""

_CREDIT = om.CREDIT_ROLE_URI.format
ROLE_TO_CONTRIBUTOR_ROLE = {
    "datacollector": _CREDIT("investigation"),
    "datacurator": _CREDIT("data-curation"),
    "datamanager": _CREDIT("data-curation"),
    "editor": "editor",
    "hostinginstitution": _CREDIT("resources"),
    "projectleader": "principal-investigator",
    "projectmanager": _CREDIT("project-administration"),
    "projectmember": _CREDIT("investigation"),
    "researcher": _CREDIT("investigation"),
    "researchgroup": _CREDIT("investigation"),
    "sponsor": _CREDIT("funding-acquisition"),
    "supervisor": _CREDIT("supervision"),
    "translator": "chair-or-translator",
    "workpackageleader": _CREDIT("project-administration"),
}
"""InvenioRDM creator/contributor role -> ORCID contributor role (CRediT where it maps).

Roles not listed (contact person, distributor, rights holder, ...) are sent
without a role. Creators without a role are authors.
"""

# ISO 639-1 codes that ORCID spells its own (older) way.
_ORCID_LANGUAGE_SPELLING = {"he": "iw", "id": "in", "yi": "ji", "zh": "zh_CN"}

ELLIPSIS = "\u2026"
_EDTF_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?")


_W, _C = "{%s}" % om.WORK_NS, "{%s}" % om.COMMON_NS


def _sub(parent, tag, text=None, **attrs):
    """Append a ``tag`` element (with ``text`` unless it is ``None``) to ``parent``."""
    node = etree.SubElement(parent, tag, attrs)
    if text is not None:
        node.text = text
    return node


def _sub_if(parent, tag, text):
    """Append an optional element: only when ``text`` is not empty."""
    if text:
        _sub(parent, tag, text)


class WorkConversionError(ValueError):
    """The record cannot become a valid ORCID work; the message says why."""

    @property
    def reason(self):
        """Why, as a :class:`~invenio_orcid_push.reasons.Reason` when worded by one."""
        return self.args[0] if self.args else str(self)


@dataclass(frozen=True)
class ExternalId:
    """An ``external-id`` of a work."""

    type: str
    value: str
    relationship: str
    url: Optional[str] = None


@dataclass(frozen=True)
class Contributor:
    """A ``contributor`` of a work."""

    credit_name: str
    orcid: Optional[str] = None
    sequence: Optional[str] = None
    role: Optional[str] = None


@dataclass(frozen=True)
class WorkOptions:
    """Instance-level choices for building works."""

    orcid_host: str = "orcid.org"
    journal_title: Optional[str] = None
    per_version: bool = False
    with_citation: bool = True
    max_contributors: Optional[int] = 100
    """At most this many contributors (``None``: all that fit in ORCID's body limit)."""


@dataclass
class Work:
    """An ORCID work as this plugin writes it."""

    title: str
    type: str
    external_ids: list
    subtitle: Optional[str] = None
    translated_title: Optional[tuple] = None  # (text, language code)
    journal_title: Optional[str] = None
    short_description: Optional[str] = None
    citation: Optional[tuple] = None  # (citation type, value)
    publication_date: Optional[tuple] = None
    url: Optional[str] = None
    contributors: list = field(default_factory=list)
    language_code: Optional[str] = None
    orcid_host: str = "orcid.org"
    contributors_total: Optional[int] = None
    """How many named creators and contributors the record has (``contributors``
    may hold fewer: see :attr:`contributors_left_out`)."""
    ids_left_out: tuple = ()
    """Identifiers of the record left out of the work because another work of
    this repository on the same ORCID record holds them as its own (``self``):
    ORCID answers 409 to a second work claiming them. Not sent; noted on the
    ledger row (see :func:`without_ids`)."""

    @property
    def contributors_left_out(self):
        """How many of the record's contributors the work leaves out (0: none)."""
        total = self.contributors_total or 0
        return max(total - len(self.contributors), 0)

    @property
    def self_id(self):
        """``type:value`` of the work's first ``self`` identifier."""
        ext = next(e for e in self.external_ids if e.relationship == "self")
        return f"{ext.type}:{ext.value}"

    def to_xml(self, put_code=None):
        """Serialize as ORCID 3.0 work XML (UTF-8 bytes).

        Elements come in the order of work-3.0.xsd; optional ones are left out
        when empty. The bytes are hashed (:meth:`payload_hash`), so the same
        content must always give the same bytes.
        """
        root = etree.Element(_W + "work", nsmap=om.NSMAP)
        if put_code is not None:
            root.set("put-code", str(put_code))
        self._add_titles(root)
        _sub_if(root, _W + "journal-title", self.journal_title)
        _sub_if(root, _W + "short-description", self.short_description)
        self._add_citation(root)
        _sub(root, _W + "type", self.type)
        self._add_publication_date(root)
        self._add_external_ids(root)
        _sub_if(root, _C + "url", self.url)
        self._add_contributors(root)
        _sub_if(root, _C + "language-code", self.language_code)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _add_titles(self, root):
        title = _sub(root, _W + "title")
        _sub(title, _C + "title", self.title)
        _sub_if(title, _C + "subtitle", self.subtitle)
        if self.translated_title:
            text, language = self.translated_title
            _sub(title, _C + "translated-title", text, **{"language-code": language})

    def _add_citation(self, root):
        if self.citation:
            citation = _sub(root, _W + "citation")
            _sub(citation, _W + "citation-type", self.citation[0])
            _sub(citation, _W + "citation-value", self.citation[1])

    def _add_publication_date(self, root):
        if not self.publication_date:
            return
        date = _sub(root, _C + "publication-date")
        for name, value in zip(("year", "month", "day"), self.publication_date):
            if value is None:  # a day needs its month, a month its year
                break
            _sub(date, _C + name, value)

    def _add_external_ids(self, root):
        ids = _sub(root, _C + "external-ids")
        for ext in self.external_ids:
            node = _sub(ids, _C + "external-id")
            _sub(node, _C + "external-id-type", ext.type)
            _sub(node, _C + "external-id-value", ext.value)
            _sub_if(node, _C + "external-id-url", ext.url)
            _sub(node, _C + "external-id-relationship", ext.relationship)

    def _add_contributors(self, root):
        if self.contributors:
            contributors = _sub(root, _W + "contributors")
            for person in self.contributors:
                self._add_contributor(contributors, person)

    def _add_contributor(self, contributors, person):
        node = _sub(contributors, _W + "contributor")
        if person.orcid:
            orcid = _sub(node, _C + "contributor-orcid")
            _sub(orcid, _C + "uri", f"https://{self.orcid_host}/{person.orcid}")
            _sub(orcid, _C + "path", person.orcid)
            _sub(orcid, _C + "host", self.orcid_host)
        _sub(node, _W + "credit-name", person.credit_name)
        if person.sequence or person.role:
            attributes = _sub(node, _W + "contributor-attributes")
            _sub_if(attributes, _W + "contributor-sequence", person.sequence)
            _sub_if(attributes, _W + "contributor-role", person.role)

    def payload_hash(self):
        """SHA-256 of the canonical payload: equal content, equal hash."""
        return hashlib.sha256(self.to_xml()).hexdigest()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What XML 1.0 cannot carry at all (lxml refuses it): C0 controls other than
tab and line breaks, unpaired surrogates, U+FFFE and U+FFFF."""

_CONTROL = re.compile("[\x7f-\x9f]")
"""Control characters XML carries but nobody means to show (DEL, C1)."""


def xml_text(value):
    """``value`` with what XML cannot carry removed, else as it is; ``""`` when
    it is not text. Identifiers go through this only: their value is kept as
    the record has it."""
    return _NOT_XML.sub("", value) if isinstance(value, str) else ""


def clean_text(text):
    """Text that XML can carry, without control characters, whitespace collapsed."""
    return " ".join(_CONTROL.sub("", xml_text(text)).split())


def _mapping(value):
    """``value`` if it is a dict, else an empty one (a record part of a wrong shape)."""
    return value if isinstance(value, dict) else {}


def _id_of(value):
    """The ``id`` of a vocabulary entry (``{"id": ...}``), when it is text."""
    entry_id = _mapping(value).get("id")
    return entry_id if isinstance(entry_id, str) and entry_id else None


def truncate(text, limit):
    """Cut ``text`` to ``limit`` characters, ending with an ellipsis if cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def plain_text(markup):
    """The text of an HTML fragment, whitespace collapsed."""
    markup = xml_text(markup)
    if not markup.strip():
        return ""
    try:
        text = html.fragment_fromstring(markup, create_parent="div").text_content()
    except (etree.ParserError, ValueError):
        text = markup
    return clean_text(text)


def publication_date_parts(edtf):
    """``(year, month, day)`` strings of an EDTF date or range start, or ``None``.

    Parts that are unknown are ``None``; years outside ORCID's 1900-2100 give
    ``None`` (the date is optional in a work, a wrong one is rejected).
    """
    match = _EDTF_DATE_RE.match(edtf.strip()) if isinstance(edtf, str) else None
    if not match:
        return None
    year, month, day = match.groups()
    if not om.YEAR_MIN <= int(year) <= om.YEAR_MAX:
        return None
    if month and not 1 <= int(month) <= 12:
        return (year, None, None)
    return (year, month, _day_in_month(year, month, day) if month else None)


def _day_in_month(year, month, day):
    """``day`` if that month has it (a wrong day is dropped, not the date)."""
    if day and not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        return None
    return day


def work_type_of(record):
    """The ORCID work type of a record, from its resource type."""
    type_id = _id_of(_mapping(record.get("metadata")).get("resource_type"))
    if not type_id:
        raise WorkConversionError(Reason("no-resource-type"))
    work_type = RESOURCE_TYPE_TO_WORK_TYPE.get(type_id)
    if work_type is None:
        raise WorkConversionError(
            Reason("unmapped-resource-type", type=truncate(clean_text(type_id), 100))
        )
    return work_type


def _doi(pids):
    """The DOI in ``pids`` as written (XML-safe), or ``None``."""
    doi = xml_text(_mapping(_mapping(pids).get("doi")).get("identifier"))
    return doi if doi.strip() else None


def doi_id(doi, relationship):
    """A DOI as external id: the value as written, its URL a valid URI."""
    return ExternalId("doi", doi, relationship, resolver_url("doi", doi))


def external_ids_of(record, per_version=False, work_type=None):
    """The work's identifiers: the primary ones (:func:`primary_ids_of`, the
    first is the work's ``self`` id), then the record's alternate identifiers,
    its related identifiers ORCID has a relationship for and its funding
    awards (:func:`richer_ids_of`), each identifier once."""
    primary = primary_ids_of(record, per_version)
    richer = richer_ids_of(_mapping(record.get("metadata")), work_type)
    return unique_ids(primary + richer)[: len(primary) + MAX_RICHER_IDS]


def primary_ids_of(record, per_version=False):
    """The identifiers that say which work this is.

    One work per record family: ``self`` is the concept DOI, else the
    version's DOI, else the landing page; the version's DOI is also listed as
    ``version-of`` when it is not the ``self`` id, so works that DataCite or
    Crossref push for that DOI group with ours. In per-version mode each
    version is its own work with its own DOI as ``self``.
    """
    version_doi = _doi(record.get("pids"))
    concept_doi = (
        None if per_version else _doi(_mapping(record.get("parent")).get("pids"))
    )
    landing = landing_page_of(record)
    if concept_doi:
        ids = [doi_id(concept_doi, "self")]
        if version_doi and version_doi.lower() != concept_doi.lower():
            ids.append(doi_id(version_doi, "version-of"))
        return ids
    if version_doi:
        return [doi_id(version_doi, "self")]
    if landing:
        return [ExternalId("uri", landing, "self", resolver_url("uri", landing))]
    raise WorkConversionError(Reason("no-identifier"))


def landing_page_of(record):
    """The record's public landing page URL as written (XML-safe), if the
    service gave one."""
    landing = xml_text(_mapping(record.get("links")).get("self_html"))
    return landing if landing.strip() else None


# -- Richer identifiers: alternate ids, related ids, funding ------------------------

SCHEME_TO_ID_TYPE = {
    "ads": "bibcode",
    "ark": "ark",
    "arxiv": "arxiv",
    "doi": "doi",
    "eissn": "issn",
    "hal": "hal",
    "handle": "handle",
    "isbn": "isbn",
    "issn": "issn",
    "lissn": "issn",
    "pmcid": "pmc",
    "pmid": "pmid",
    "purl": "uri",
    "rrid": "rrid",
    "swh": "swh",
    "url": "uri",
    "urn": "urn",
    "w3id": "uri",
}
"""InvenioRDM identifier scheme -> ORCID identifier type. Schemes ORCID has no
type for (``ean13``, ``upc``, ``istc``, ``lsid``, ``igsn``, ``wikidata``,
``cstr``, ``other``, ...) and those naming people or organisations (``isni``,
``grid``, ``crossreffunderid``) are left out (docs/orcid-work-mapping.md)."""

RELATION_TO_RELATIONSHIP = {
    "hasversion": "version-of",
    "isidenticalto": "version-of",
    "ispartof": "part-of",
    "ispublishedin": "part-of",
    "isversionof": "version-of",
}
"""InvenioRDM relation type -> ORCID relationship, for related identifiers.

Never ``self``: a related identifier names another resource, and ``self``
would claim its id (ORCID groups works by ``self`` ids, and refuses a second
work of ours with the same ``self`` id). ``version-of`` groups our work with
the other versions without claiming them; an identical copy is grouped the
same way. New and previous versions (``isnewversionof``, ...) are other
editions, citations and supplements other works: not sent (``None``)."""

_PARTS_OF_BOOKS = frozenset(
    {"book-chapter", "conference-paper", "dictionary-entry", "encyclopedia-entry"}
)
"""Work types whose ISBN is the book's (or the proceedings'), not their own."""

MAX_RICHER_IDS = 50
"""At most this many identifiers besides the primary ones (ORCID sets no
number, but the body must stay under its 1 MB limit)."""

RICHER_ID_VALUE_MAX = 1000
"""An identifier longer than this is left out (cutting it would make it wrong)."""

URL_MAX = 2048
"""An identifier's URL longer than this is not sent (the identifier is)."""


def _id_text(value):
    """An identifier as written, without what XML cannot carry, control
    characters or surrounding blanks; ``""`` when there is nothing left."""
    return _CONTROL.sub("", xml_text(value)).strip()


def richer_id(id_type, value, relationship):
    """An external id of ``id_type`` with its resolver URL, or ``None`` if the
    value is empty or longer than ORCID should carry."""
    value = _id_text(value)
    if not value or len(value) > RICHER_ID_VALUE_MAX:
        return None
    url = resolver_url(id_type, value)
    return ExternalId(
        id_type, value, relationship, url if url and len(url) <= URL_MAX else None
    )


def _scheme_id(entry, relationship_of):
    """The external id of an ``{identifier, scheme}`` entry whose scheme ORCID
    has a type for; ``relationship_of(id_type)`` names its relationship."""
    entry = _mapping(entry)
    scheme = entry.get("scheme")
    id_type = SCHEME_TO_ID_TYPE.get(scheme.lower()) if isinstance(scheme, str) else None
    relationship = relationship_of(id_type) if id_type else None
    return (
        richer_id(id_type, entry.get("identifier"), relationship)
        if relationship
        else None
    )


def alternate_relationship(id_type, work_type):
    """The relationship of a record's alternate identifier: ``self`` (it is
    this work's), except a serial's ISSN and a book's ISBN on one of its
    parts: ``part-of``."""
    if id_type == "issn":
        return "self" if work_type == "journal-issue" else "part-of"
    if id_type == "isbn" and work_type in _PARTS_OF_BOOKS:
        return "part-of"
    return "self"


def alternate_ids_of(metadata, work_type=None):
    """The record's alternate identifiers (``metadata.identifiers``)."""
    ids = (
        _scheme_id(entry, lambda id_type: alternate_relationship(id_type, work_type))
        for entry in _entries(metadata, "identifiers")
    )
    return [ext for ext in ids if ext is not None]


def related_ids_of(metadata):
    """Related identifiers whose relation ORCID has a relationship for."""
    ids = []
    for entry in _entries(metadata, "related_identifiers"):
        relationship = RELATION_TO_RELATIONSHIP.get(
            _id_of(_mapping(entry).get("relation_type"))
        )
        if relationship:
            ids.append(_scheme_id(entry, lambda _type, rel=relationship: rel))
    return [ext for ext in ids if ext is not None]


def funding_ids_of(metadata):
    """Each funding award's number as a ``funded-by`` grant number, linked to
    the award's page (its DOI or URL) when the award has one."""
    ids = []
    for entry in _entries(metadata, "funding"):
        award = _mapping(_mapping(entry).get("award"))
        ext = richer_id("grant_number", award.get("number"), "funded-by")
        if ext is not None:
            ids.append(replace(ext, url=_award_url(award)))
    return ids


def _award_url(award):
    """The URL of an award: from its DOI, else its URL identifier."""
    for scheme in ("doi", "url"):
        for entry in _entries(award, "identifiers"):
            ext = _scheme_id(entry, lambda _type: "funded-by")
            if _mapping(entry).get("scheme") == scheme and ext and ext.url:
                return ext.url
    return None


def richer_ids_of(metadata, work_type=None):
    """Alternate, related and funding identifiers, in that order."""
    return (
        alternate_ids_of(metadata, work_type)
        + related_ids_of(metadata)
        + funding_ids_of(metadata)
    )


def unique_ids(ids):
    """``ids`` without repeats: an identifier (type and value as ORCID compares
    them) is kept the first time only, so a primary id is never repeated with
    another relationship."""
    seen, unique = set(), []
    for ext in ids:
        key = (ext.type, om.normalized_id_value(ext.type, ext.value))
        if key not in seen:
            seen.add(key)
            unique.append(ext)
    return unique


def without_ids(work, left_out):
    """``work`` without the identifiers ``left_out`` (never its primary ``self``
    id); they are added to :attr:`Work.ids_left_out`."""
    primary = work.external_ids[0]
    dropped = tuple(
        ext for ext in work.external_ids if ext in left_out and ext != primary
    )
    kept = [ext for ext in work.external_ids if ext not in dropped]
    return replace(work, external_ids=kept, ids_left_out=work.ids_left_out + dropped)


def orcid_language(code):
    """ORCID's language code for an ISO 639-3 (or 639-1) code, or ``None``."""
    if not isinstance(code, str) or not code.strip():
        return None
    code = code.strip().lower()
    if len(code) == 3:
        language = pycountry.languages.get(alpha_3=code)
        code = getattr(language, "alpha_2", None)
        if not code:
            return None
    code = _ORCID_LANGUAGE_SPELLING.get(code, code)
    return code if code in om.LANGUAGE_CODES else None


def _role_id(entry):
    return _id_of(entry.get("role"))


def _contributor(entry, sequence, default_role):
    """The contributor of a creator or contributor entry; ``None`` if it has no name."""
    entry = _mapping(entry)
    person = _mapping(entry.get("person_or_org"))
    name = clean_text(_credit_name(person))
    if not name:
        return None
    orcid = normalize_orcid(listed_orcid(person.get("identifiers")))
    role = ROLE_TO_CONTRIBUTOR_ROLE.get(_role_id(entry), default_role)
    return Contributor(
        credit_name=truncate(name, om.CREDIT_NAME_MAX),
        orcid=orcid,
        sequence=sequence,
        role=role,
    )


def _credit_name(person):
    """The name as the record shows it, else "Family, Given"."""
    parts = (person.get("family_name"), person.get("given_name"))
    return clean_text(person.get("name")) or ", ".join(
        clean_text(part) for part in parts if clean_text(part)
    )


def contributors_of(record):
    """Creators (in order, authors unless their role maps) then contributors."""
    metadata = _mapping(record.get("metadata"))
    people = [
        _contributor(entry, "first" if index == 0 else "additional", "author")
        for index, entry in enumerate(_entries(metadata, "creators"))
    ]
    people += [
        _contributor(entry, "additional", None)
        for entry in _entries(metadata, "contributors")
    ]
    return [person for person in people if person is not None]


def _entries(metadata, key):
    """The list under ``key`` (creators, contributors, ...); empty when missing."""
    entries = metadata.get(key)
    return entries if isinstance(entries, list) else []


def titles_of(metadata):
    """(title, subtitle, translated title) from the main and additional titles.

    The first subtitle is taken, and the first translated title in a language
    ORCID knows.
    """
    title = clean_text(metadata.get("title"))
    if not title:
        raise WorkConversionError(Reason("no-title"))
    subtitle = translated = None
    for kind, text, extra in _additional_titles(metadata):
        if kind == "subtitle" and subtitle is None:
            subtitle = truncate(text, om.SUBTITLE_MAX)
        elif kind == "translated-title" and translated is None:
            translated = _translated_title(text, extra)
    return truncate(title, om.TITLE_MAX), subtitle, translated


def _additional_titles(metadata):
    """(type, text, entry) of each additional title that has text, in order."""
    for extra in map(_mapping, _entries(metadata, "additional_titles")):
        text = clean_text(extra.get("title"))
        kind = _id_of(extra.get("type"))
        if text:
            yield kind, text, extra


def _translated_title(text, extra):
    """(text, ORCID language code), or ``None`` if ORCID has no such language."""
    language = orcid_language(_id_of(extra.get("lang")))
    return (truncate(text, om.TITLE_MAX), language) if language else None


def bibtex_of(record):
    """The record's BibTeX citation from InvenioRDM's own serializer, or ``None``."""
    try:
        # Imported when used: the converter itself needs no RDM stack.
        from invenio_rdm_records.resources.serializers import BibtexSerializer

        return (
            _NOT_XML.sub("", BibtexSerializer().serialize_object(record)).strip()
            or None
        )
    except Exception:  # a citation is optional: never lose the work over it
        logger.warning("No BibTeX for record %s", record.get("id"), exc_info=True)
        return None


def work_from_record(record, options=None, orcid_host=None):
    """Build the ORCID work of a record (a ``RecordItem.to_dict()``).

    Parts are read in a fixed order, so that a record with several problems
    is always refused for the same (first) one.
    """
    options = options or WorkOptions(orcid_host=orcid_host or "orcid.org")
    metadata = _mapping(record.get("metadata"))
    title, subtitle, translated = titles_of(metadata)
    short_description = _short_description_of(metadata)
    journal_title = _journal_title_of(options)
    citation = _citation_of(record, options)
    people = contributors_of(record)
    work_type = work_type_of(record)
    work = Work(
        title=title,
        subtitle=subtitle,
        translated_title=translated,
        journal_title=journal_title,
        type=work_type,
        external_ids=external_ids_of(record, options.per_version, work_type),
        short_description=short_description,
        citation=citation,
        publication_date=publication_date_parts(metadata.get("publication_date")),
        url=as_uri(landing_page_of(record)),
        contributors=kept_contributors(people, options.max_contributors),
        language_code=_language_of(metadata),
        orcid_host=options.orcid_host,
        contributors_total=len(people),
    )
    return _within_body_limit(work, people)


BODY_BUDGET = om.WORK_BODY_MAX - 100
"""Bytes a work may take, leaving room for the put-code of an update."""


def kept_contributors(people, limit):
    """At most ``limit`` of ``people``: those with an ORCID iD first, then the
    first ones in record order; they stay in record order.

    ORCID refuses works of thousands of contributors (the body gets too
    large), and the ones with an iD are those ORCID links to their records.
    """
    if limit is None or len(people) <= limit:
        return people
    ranked = sorted(range(len(people)), key=lambda i: (people[i].orcid is None, i))
    return [people[i] for i in sorted(ranked[: max(limit, 0)])]


def _fewer(people, kept, size):
    """Fewer contributors than ``kept``, about as many as fit in the budget."""
    fitting = len(kept) * BODY_BUDGET // size
    return kept_contributors(people, min(fitting, len(kept) - 1))


def _within_body_limit(work, people):
    """``work`` made to fit ORCID's body limit, or a refusal.

    Long texts are already cut to ORCID's limits; what remains unbounded is
    the citation (it lists every author) and the number of contributors:
    the citation goes first, then contributors are left out (by the same
    rule as the cap) until the body fits.
    """
    size = len(work.to_xml())
    if size > BODY_BUDGET and work.citation:
        logger.info("Work of %s bytes sent without its citation", size)
        work = replace(work, citation=None)
        size = len(work.to_xml())
    while size > BODY_BUDGET and work.contributors:
        work = replace(work, contributors=_fewer(people, work.contributors, size))
        size = len(work.to_xml())
    if size > BODY_BUDGET:
        raise WorkConversionError(
            Reason("work-too-large", size=size, max=om.WORK_BODY_MAX)
        )
    return work


def _short_description_of(metadata):
    """The description as plain text within ORCID's limit, or ``None``."""
    description = plain_text(metadata.get("description") or "")
    return truncate(description, om.SHORT_DESCRIPTION_MAX) or None


def _journal_title_of(options):
    """The configured journal title (the repository's name), or ``None``."""
    journal_title = clean_text(options.journal_title)
    return truncate(journal_title, om.JOURNAL_TITLE_MAX) or None


def _citation_of(record, options):
    """``("bibtex", citation)`` when citations are on and one can be made."""
    citation = bibtex_of(record) if options.with_citation else None
    return ("bibtex", citation) if citation else None


def _language_of(metadata):
    """ORCID's code for the record's first language (ORCID takes one), or ``None``."""
    languages = _entries(metadata, "languages")
    return orcid_language(_id_of(languages[0])) if languages else None
