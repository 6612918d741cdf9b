"""Facts of the ORCID 3.0 message model shared by the converter and the simulator.

Sources: ORCID's orcid-model XSDs (record_3.0/work-3.0.xsd,
common_3.0/common-3.0.xsd, notification_3.0/notification-permission-3.0.xsd) and its ``WorkType`` enumeration; see
``docs/orcid-work-mapping.md``.
"""

import re

WORK_NS = "http://www.orcid.org/ns/work"
COMMON_NS = "http://www.orcid.org/ns/common"
ERROR_NS = "http://www.orcid.org/ns/error"
ACTIVITIES_NS = "http://www.orcid.org/ns/activities"
NOTIFICATION_NS = "http://www.orcid.org/ns/notification"
NSMAP = {"work": WORK_NS, "common": COMMON_NS}

ORCID_XML = "application/vnd.orcid+xml"
ORCID_JSON = "application/vnd.orcid+json"

WORK_TYPES = frozenset("""
    annotation artistic-performance blog-post book-chapter book-review book
    cartographic-material clinical-study conference-abstract conference-output
    conference-paper conference-poster conference-presentation
    conference-proceedings data-management-plan data-set design dictionary-entry
    disclosure dissertation-thesis edited-book encyclopedia-entry image invention
    journal-article journal-issue learning-object lecture-speech license
    magazine-article manual moving-image musical-composition newsletter-article
    newspaper-article online-resource other patent physical-object preprint
    registered-copyright report research-technique research-tool review software
    sound spin-off-company standards-and-policy supervised-student-publication
    technical-standard test trademark transcription translation website
    working-paper
    """.split())
"""Work types ORCID accepts on write (3.0); anything else is 400/9037."""

EXTERNAL_ID_TYPES = frozenset("""
    agr ark arxiv asin asin-tld authenticusid bibcode cba cienciaiul cit ctx dnb
    doi eid emdb empiar ethos grant_number hal handle hir isbn ismn issn jfm jstor
    k10 kuid lccn lensid mr oclc ol osti other-id pat pdb pmc pmid ppr proposal-id
    rfc rrid source-work-id ssrn swh uri urn wosuid zbl
    """.split())
"""Identifier types ORCID knows (``/v3.0/identifiers``); others are 400/9023."""

RELATIONSHIPS = frozenset({"self", "part-of", "version-of", "funded-by"})
"""Values of ``external-id-relationship``."""

DUPLICATE_RELATIONSHIPS = frozenset({"self"})
"""Relationships whose identifiers make two works of one source duplicates
(409/9021). Only ``self`` with ``self``: ORCID dropped ``version-of`` from the
check in November 2018 (``ActivityValidator.areRelationshipsSameAndSelf``), so
works can share the id of the work they are versions of; ``part-of`` and
``funded-by`` never conflicted."""

GROUPING_RELATIONSHIPS = frozenset({"self", "version-of"})
"""Relationships whose identifiers group works on the record (any source)."""

FUNDED_BY_TYPES = frozenset({"grant_number", "proposal-id", "uri", "doi"})
"""Identifier types ORCID accepts with ``funded-by`` (others are refused:
``ExternalIdentifierFundedByHelper``)."""

CASE_SENSITIVE_ID_TYPES = frozenset(
    {"ark", "bibcode", "cgn", "emdb", "empiar", "ethos", "k10", "ol", "rrid", "uri"}
)
"""Identifier types whose values ORCID compares case-sensitively; the others
it compares in lower case."""

_ID_VALUE_PATTERNS = {
    "arxiv": (
        re.compile(
            r"(?:arxiv:)?(\d{4}\.\d{4,5}(?:v\d+)?|[\w.-]+/\d{7}(?:v\d+)?)\b", re.I
        ),
        "arxiv:{}",
    ),
    "doi": (re.compile(r"(10\.\d[\d.]*/\S+)", re.I), "{}"),
    "isbn": (re.compile(r"([0-9][-0-9 ]{8,15}[0-9xX])(?:$|[^0-9])"), "{}"),
    "pmc": (re.compile(r"(?:^|pmc-?/?)\s*(\d{5,9})(?:$|\b)", re.I), "{}"),
    "pmid": (
        re.compile(r"(?:^\s*|pmid:?\s*|pubmed/|med/)(\d+)(?:$|[^a-z0-9.-])", re.I),
        "{}",
    ),
}
"""What ORCID keeps of a value when it compares identifiers (its normalizers:
an arXiv id with or without ``arXiv:``, a DOI without its resolver, an ISBN
without hyphens, a PMID or PMCID as digits)."""


def normalized_id_value(id_type, value):
    """``value`` as ORCID compares it for ``id_type`` (duplicates, grouping).

    A value its normalizer does not recognise is compared as written (in
    lower case unless the type is case-sensitive).
    """
    value = (value or "").strip()
    if id_type not in CASE_SENSITIVE_ID_TYPES:
        value = value.lower()
    pattern, form = _ID_VALUE_PATTERNS.get(id_type, (None, None))
    match = pattern.search(value) if pattern else None
    if match is None:
        return value
    found = match.group(1)
    if id_type == "isbn":
        found = found.replace("-", "").replace(" ", "")
    return form.format(found)


CONTRIBUTOR_ROLES = frozenset("""
    author assignee editor chair-or-translator co-investigator co-inventor
    graduate-student other-inventor principal-investigator
    postdoctoral-researcher support-staff
    """.split())
"""Legacy ``contributor-role`` values (CRediT role URIs are accepted too)."""

CREDIT_ROLE_URI = "http://credit.niso.org/contributor-roles/{}/"
CREDIT_ROLES = frozenset(CREDIT_ROLE_URI.format(role) for role in """
    conceptualization data-curation formal-analysis funding-acquisition
    investigation methodology project-administration resources software
    supervision validation visualization writing-original-draft
    writing-review-editing
    """.split())
"""CRediT ``contributor-role`` values, as ORCID writes them."""

LANGUAGE_CODES = frozenset("""
    ab aa af ak sq am ar an hy as av ae ay az bm ba eu be bn bh bi bs br bg my
    ca ch ce zh_CN zh_TW cu cv kw co cr hr cs da dv nl dz en eo et ee fo fj fi fr
    fy ff gl lg ka de el kl gn gu ht ha iw hz hi ho hu is io ig in ia ie iu ik ga
    it ja jv kn kr ks kk km ki rw ky kv kg ko ku kj lo la lv li ln lt lu lb mk mg
    ms ml mt gv mi mr mh mo mn na nv ng ne nd se no nb nn ny oc oj or om os pi pa
    fa pl pt ps qu rm ro rn ru sm sg sa sc gd sr sn ii sd si sk sl so nr st es su
    sw ss sv tl ty tg ta tt te th bo ti to ts tn tr tk tw ug uk ur uz ve vi vo wa
    cy wo xh ji yo za zu
    """.split())
"""``language-code`` values ORCID accepts (ISO 639-1 with ORCID's legacy codes)."""

TITLE_MAX = 1000
SUBTITLE_MAX = 1000
JOURNAL_TITLE_MAX = 1000
SHORT_DESCRIPTION_MAX = 5000
CREDIT_NAME_MAX = 150
YEAR_MIN, YEAR_MAX = 1900, 2100

WORK_BODY_MAX = 1_000_000
"""Bytes of a work's body ORCID accepts: it refuses bodies around 1 MB (works
with thousands of contributors). The converter stays below it and the
simulator refuses larger bodies (413), as ORCID does."""

NOTIFICATION_INTRO_MAX = 1000
NOTIFICATION_ITEM_NAME_MAX = 1000
PREMIUM_NOTIFICATION_SCOPE = "/premium-notification"
"""Client-credentials scope that lets a client post to researchers' inboxes
(ORCID enables it per client)."""
