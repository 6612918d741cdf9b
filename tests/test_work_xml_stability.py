"""The XML of a work never changes for the same content.

Its SHA-256 is the payload hash stored in the ledger: a different byte would
make every record look changed and re-send all works. These tests pin the
exact bytes of one full work and the hash of a few thousand varied ones.
"""

import hashlib
import random

from invenio_orcid_push.work import Contributor, ExternalId, Work

FULL_WORK_XML = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<work:work xmlns:work="http://www.orcid.org/ns/work" '
    b'xmlns:common="http://www.orcid.org/ns/common" put-code="12">'
    b"<work:title><common:title>Ocean &amp; sea</common:title>"
    b"<common:subtitle>Hourly</common:subtitle>"
    b'<common:translated-title language-code="fr">Oc\xc3\xa9an</common:translated-title>'
    b"</work:title>"
    b"<work:journal-title>Repo</work:journal-title>"
    b"<work:short-description>About &lt;it&gt;</work:short-description>"
    b"<work:citation><work:citation-type>bibtex</work:citation-type>"
    b"<work:citation-value>@misc{x}</work:citation-value></work:citation>"
    b"<work:type>data-set</work:type>"
    b"<common:publication-date><common:year>2020</common:year>"
    b"<common:month>06</common:month></common:publication-date>"
    b"<common:external-ids><common:external-id>"
    b"<common:external-id-type>doi</common:external-id-type>"
    b"<common:external-id-value>10.5555/c</common:external-id-value>"
    b"<common:external-id-url>https://doi.org/10.5555/c</common:external-id-url>"
    b"<common:external-id-relationship>self</common:external-id-relationship>"
    b"</common:external-id><common:external-id>"
    b"<common:external-id-type>doi</common:external-id-type>"
    b"<common:external-id-value>10.5555/v</common:external-id-value>"
    b"<common:external-id-relationship>version-of</common:external-id-relationship>"
    b"</common:external-id></common:external-ids>"
    b"<common:url>https://repo.example.org/records/1</common:url>"
    b"<work:contributors><work:contributor><common:contributor-orcid>"
    b"<common:uri>https://sandbox.orcid.org/0000-0002-1825-0097</common:uri>"
    b"<common:path>0000-0002-1825-0097</common:path>"
    b"<common:host>sandbox.orcid.org</common:host></common:contributor-orcid>"
    b"<work:credit-name>Doe, Jane</work:credit-name><work:contributor-attributes>"
    b"<work:contributor-sequence>first</work:contributor-sequence>"
    b"<work:contributor-role>author</work:contributor-role>"
    b"</work:contributor-attributes></work:contributor><work:contributor>"
    b"<work:credit-name>Help Desk</work:credit-name></work:contributor>"
    b"<work:contributor><work:credit-name>Ada</work:credit-name>"
    b"<work:contributor-attributes>"
    b"<work:contributor-role>editor</work:contributor-role>"
    b"</work:contributor-attributes></work:contributor></work:contributors>"
    b"<common:language-code>en</common:language-code></work:work>"
)


def test_a_work_with_every_field_gives_the_same_bytes():
    work = Work(
        title="Ocean & sea",
        subtitle="Hourly",
        translated_title=("Océan", "fr"),
        journal_title="Repo",
        short_description="About <it>",
        citation=("bibtex", "@misc{x}"),
        type="data-set",
        publication_date=("2020", "06", None),
        external_ids=[
            ExternalId("doi", "10.5555/c", "self", "https://doi.org/10.5555/c"),
            ExternalId("doi", "10.5555/v", "version-of"),
        ],
        url="https://repo.example.org/records/1",
        contributors=[
            Contributor("Doe, Jane", "0000-0002-1825-0097", "first", "author"),
            Contributor("Help Desk"),
            Contributor("Ada", role="editor"),
        ],
        language_code="en",
        orcid_host="sandbox.orcid.org",
    )
    assert work.to_xml(put_code=12) == FULL_WORK_XML


TEXTS = ["", "a", "Ocean temperatures", "a&b<c>\"d'e", "é中😀", "]]>", " x \t\n"]
DATES = [None, (), ("2020",), ("2020", "06"), ("2020", "06", "01"), ("2020", None, "1")]


def varied_work(rnd):
    """A work whose every optional part is present, empty or absent at random."""

    def text():
        return rnd.choice(TEXTS)

    def maybe(value):
        return rnd.choice([None, "", value])

    return Work(
        title=text(),
        type=rnd.choice(["software", "data-set", "other"]),
        external_ids=[
            ExternalId(
                text(), text(), rnd.choice(["self", "version-of"]), maybe(text())
            )
            for _ in range(rnd.randint(0, 3))
        ],
        subtitle=maybe(text()),
        translated_title=rnd.choice([None, (text(), rnd.choice(["fr", ""]))]),
        journal_title=maybe(text()),
        short_description=maybe(text()),
        citation=rnd.choice([None, ("bibtex", text())]),
        publication_date=rnd.choice(DATES),
        url=maybe(text()),
        contributors=[
            Contributor(
                text(),
                maybe("0000-0002-1825-0097"),
                maybe(rnd.choice(["first", "additional"])),
                maybe(rnd.choice(["author", "editor"])),
            )
            for _ in range(rnd.randint(0, 4))
        ],
        language_code=maybe("en"),
        orcid_host=rnd.choice(["orcid.org", "sandbox.orcid.org"]),
    )


def test_varied_works_give_the_same_bytes():
    rnd = random.Random(1130)
    digest = hashlib.sha256()
    for index in range(3000):
        work = varied_work(rnd)
        digest.update(work.to_xml(put_code=index if index % 2 else None))
        digest.update(work.payload_hash().encode())
    assert digest.hexdigest() == (
        "f9d864b523974055b163bf9a6ec64f056279e672fd9236f1d0bccfa9bb92dd09"
    )
