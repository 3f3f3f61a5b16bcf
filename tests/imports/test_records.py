"""A dump's release becomes the raw record a page would give: the grammar splits its text,
ids come from its URL or its Originalmeldung line, else a derived id."""

from __future__ import annotations

import pytest

from crawler.grammar import split_flat_text, split_release
from crawler.imports.records import Record, RecordError, derived_story_id, raw_release
from crawler.items import OFFICE, PUBLISHER, Newsroom

ISSUE_LINE = (
    "Musterstadt (ots) - Erster Absatz.Zweiter Absatz.Über Beispiel GmbH:Beispiel GmbH ist …"
    "Pressekontakt:Erika Musterfrau+49 (40) 12 34 56 - 78erika@example.deOriginal-Content von: "
    "Beispiel GmbH, übermittelt durch news aktuellOriginalmeldung: https://www.presseportal.de/pm/12345/6789012"
)
BASE = "https://www.presseportal.de"


def read(text: str = ISSUE_LINE, *, default_newsroom: Newsroom | None = None, **fields):
    return raw_release(Record("dump.txt:1", "lines", text=text, **fields),
                       default_newsroom=default_newsroom, base_url=BASE)


def test_the_flattened_line_of_the_issue():
    raw = read(date="2021-01")
    assert (raw.story_id, raw.publisher_id) == (6789012, 12345), "ids from the Originalmeldung URL"
    assert raw.url == "https://www.presseportal.de/pm/12345/6789012"
    assert raw.story_id_derived is False and raw.origin == "import"
    assert raw.dateline == "Musterstadt"
    assert raw.body == ["Erster Absatz.", "Zweiter Absatz."]
    assert raw.about == ["Über Beispiel GmbH:", "Beispiel GmbH ist …"]
    assert raw.originator == "Beispiel GmbH"
    assert raw.published_raw == "2021-01" and raw.title == ""
    assert raw.location == "dump.txt:1"
    assert not any("Originalmeldung" in p for p in raw.body + raw.about + raw.contact)
    assert raw.sources["body"] == "lines" and "title" not in raw.sources


def test_the_glued_contact_lines_of_the_issue():
    assert read().contact == ["Erika Musterfrau", "+49 (40) 12 34 56 - 78", "erika@example.de"]


def test_a_line_whose_scraper_joined_the_paragraphs_with_one_space():
    # BeautifulSoup's get_text(" "): the contact heading after the body's last sentence
    raw = read("Kleinstadt (ots) - Der Gemeinderat tagt im neuen Rathaus. Pressekontakt: Gerda Gemeinde "
               "Original-Content von: Stadt Kleinstadt, übermittelt durch news aktuell",
               default_newsroom=Newsroom(PUBLISHER, 73811), date="2018-03-05")
    assert raw.body == ["Der Gemeinderat tagt im neuen Rathaus."]
    assert raw.contact == ["Gerda Gemeinde"]
    assert raw.originator == "Stadt Kleinstadt"


def test_a_url_column_wins_over_the_text():
    raw = read(url="http://127.0.0.1:8000/pm/73811/5000000/some-slug")
    assert (raw.publisher_id, raw.story_id) == (73811, 5000000)
    assert raw.url == "http://127.0.0.1:8000/pm/73811/5000000", "canonical, on the URL's site"


def test_an_office_story_url_makes_an_office_release_with_its_code():
    text = ("Musterkreis: (ots) - Ein Fahrrad wurde gestohlen.Rückfragen bitte an:Polizeipräsidium Musterstadt"
            "Original-Content von: Polizeipräsidium Musterstadt, übermittelt durch news aktuell"
            "Originalmeldung: https://www.presseportal.de/blaulicht/pm/99001/6789012")
    raw = read(text, title="POL-MS: 231107 - 1024 Beispielort-Süd: Kiosk aufgebrochen")
    assert (raw.newsroom_kind, raw.publisher_id, raw.story_id) == ("office", 99001, 6789012)
    assert raw.url == "https://www.presseportal.de/blaulicht/pm/99001/6789012"
    assert raw.office_code == "POL-MS" and raw.dateline == "Musterkreis"
    company = read(title="ACME: Neue Produkte")
    assert (company.newsroom_kind, company.office_code) == ("publisher", ""), "a company title has no code"


def test_a_url_that_names_no_story_leaves_the_ids_to_the_text():
    raw = read(url="https://www.example.org/archiv/123")
    assert raw.url == "https://www.presseportal.de/pm/12345/6789012"


def test_an_originalmeldung_glued_to_what_follows_still_gives_the_ids():
    text = "Text.Originalmeldung: https://www.presseportal.de/pm/12345/6789012Musterstadt (ots) - Andere"
    assert (read(text).publisher_id, read(text).story_id) == (12345, 6789012)


def test_the_originalmeldung_line_is_read_by_the_release_grammar():
    # one reader of "Originalmeldung: URL" (crawler/grammar.py), for pages and dumps alike
    text = "Musterstadt (ots) - Text.\nOriginalmeldung: https://www.presseportal.de/blaulicht/pm/99001/6789012"
    original = split_release(split_flat_text(text)).original
    raw = read(text)
    assert (raw.newsroom_kind, raw.publisher_id, raw.story_id, raw.url) == (
        original.newsroom.kind, original.newsroom.id, original.story_id, original.url)
    assert (raw.newsroom_kind, raw.publisher_id, raw.story_id) == ("office", 99001, 6789012)


def test_an_originalmeldung_without_a_story_url_leaves_the_ids_to_the_columns():
    raw = read("Text.\nOriginalmeldung: siehe Archiv", story_id="4806207", publisher_id="73811")
    assert (raw.publisher_id, raw.story_id) == (73811, 4806207)
    assert not any("Originalmeldung" in p for p in raw.body), "no text of the release"


def test_id_columns_give_the_story_on_the_configured_site():
    raw = read("Nur Text.", story_id="4806207", publisher_id="73811")
    assert raw.url == f"{BASE}/pm/73811/4806207" and raw.story_id_derived is False


def test_a_record_without_story_id_gets_a_stable_negative_derived_one():
    raw = read("Hamburg (ots) - Ein Text ohne Adresse.", default_newsroom=Newsroom(PUBLISHER, 73811))
    assert raw.story_id_derived is True and raw.url == ""
    assert -(2**31) < raw.story_id < 0
    assert raw.story_id == derived_story_id(73811, "Hamburg (ots) - Ein Text ohne Adresse.")
    # spaces, NBSP and Unicode forms do not matter; the publisher and the words do
    assert derived_story_id(73811, "Hamburg (ots)\u00a0-  Ein Text ohne Adresse. ") == raw.story_id
    assert derived_story_id(73812, "Hamburg (ots) - Ein Text ohne Adresse.") != raw.story_id
    assert derived_story_id(73811, "Hamburg (ots) - Ein anderer Text.") != raw.story_id


def test_a_police_dump_without_urls_is_filed_under_the_office_it_was_given():
    title = "POL-MS: 231107 - 1024 Beispielort-Süd: Kiosk aufgebrochen"
    raw = read("Musterstadt (ots) - Ein Kiosk wurde aufgebrochen.", title=title,
               default_newsroom=Newsroom(OFFICE, 99001))
    assert (raw.newsroom_kind, raw.publisher_id, raw.office_code) == (OFFICE, 99001, "POL-MS")
    assert raw.story_id == derived_story_id(99001, "Musterstadt (ots) - Ein Kiosk wurde aufgebrochen.")
    # its id column means the kind the importer was given; a story URL wins over both
    raw = read("Text.", story_id="5000001", publisher_id="99002", default_newsroom=Newsroom(OFFICE, 99001))
    assert (raw.newsroom_kind, raw.publisher_id, raw.url) == (OFFICE, 99002, f"{BASE}/blaulicht/pm/99002/5000001")
    raw = read(ISSUE_LINE, default_newsroom=Newsroom(OFFICE, 99001))
    assert (raw.newsroom_kind, raw.publisher_id) == (PUBLISHER, 12345)


def test_a_record_needs_text_and_a_publisher():
    with pytest.raises(RecordError, match="no text"):
        read(" \u200b ")
    with pytest.raises(RecordError, match="--publisher or --office"):
        read("Ein Text ohne Adresse.")
    with pytest.raises(RecordError, match="not a presseportal id"):
        read("Text.", story_id="abc", publisher_id="1")


def test_an_api_story_with_only_a_teaser_keeps_it_as_its_text():
    raw = raw_release(Record("a.json:1 story 1", "api", teaser="Köln (ots) - Kurz.", url=f"{BASE}/pm/1/2"),
                      default_newsroom=None, base_url=BASE)
    assert raw.teaser == "Köln (ots) - Kurz." and raw.body == ["Kurz."] and raw.dateline == "Köln"


# --- character references: a dump's text never went through an HTML parse -----------------

ESCAPED_LINE = (
    "M&uuml;nchen (ots) - M&uuml;ller &amp; S&ouml;hne sagen &bdquo;Hallo&ldquo; &ndash; "
    "zum &#8222;Tag&#x201C; der T&#xFC;r.Pressekontakt:Erika M&#252;sterfrau"
    "Original-Content von: M&uuml;ller &amp;amp; S&amp;ouml;hne, &uuml;bermittelt durch news aktuell"
    "Originalmeldung: https://www.presseportal.de/pm/12345/6789012"
)


def test_character_references_of_every_field_are_decoded_as_a_browser_would():
    raw = read(ESCAPED_LINE, title="Entities &amp; Co: M&uuml;ller &quot;zitiert&quot;",
               teaser="S&ouml;hne &#8211; kurz", publisher="M&uuml;ller &amp; S&ouml;hne",
               date="21.01.2021 &ndash; 10:30", keywords=["K&ouml;ln", "Gr&#xFC;n"],
               images=[{"url": "https://example.org/i.jpg?w=1&amp;h=2", "caption": "S&ouml;hne &amp; T&ouml;chter"}])
    assert raw.title == 'Entities & Co: Müller "zitiert"'
    assert raw.teaser == "Söhne – kurz" and raw.publisher == "Müller & Söhne"
    assert raw.dateline == "München"
    assert raw.body == ["Müller & Söhne sagen „Hallo“ – zum „Tag“ der Tür."]
    assert raw.contact == ["Erika Müsterfrau"]
    assert raw.originator == "Müller & Söhne", "escaped twice (&amp;amp;, &amp;ouml;): decoded twice"
    assert raw.published_raw == "21.01.2021 – 10:30"
    assert raw.keywords == ["Köln", "Grün"]
    assert raw.images == [{"url": "https://example.org/i.jpg?w=1&h=2", "caption": "Söhne & Töchter"}]
    assert raw.location == "dump.txt:1", "where it was read is ours, not the dump's"


def test_an_escaped_section_heading_still_opens_its_section():
    raw = read("Musterkreis: (ots) - Ein Kiosk.R&uuml;ckfragen bitte an:Polizeipr&auml;sidium Musterstadt",
               default_newsroom=Newsroom(OFFICE, 99001))
    assert raw.body == ["Ein Kiosk."] and raw.contact == ["Polizeipräsidium Musterstadt"]


def test_a_derived_id_is_the_same_for_an_escaped_and_a_plain_dump_of_one_release():
    newsroom = Newsroom(PUBLISHER, 73811)
    escaped = read("Hamburg (ots) - M&uuml;ller &amp; S&ouml;hne.", default_newsroom=newsroom)
    plain = read("Hamburg (ots) - Müller & Söhne.", default_newsroom=newsroom)
    assert escaped.story_id == plain.story_id


def test_an_ampersand_that_opens_no_reference_is_text():
    # plain-text dumps: only references closed by ";" are decoded, unlike html.unescape's
    # legacy names ("&region" would be "®ion", "&not" "¬")
    text = "Hamburg (ots) - Siehe https://example.org/?a=1&region=de&not=2 und AT&T; A & B &unknown;."
    assert read(text, default_newsroom=Newsroom(PUBLISHER, 73811)).body == ["Siehe https://example.org/?a=1&region=de&not=2 und AT&T; A & B &unknown;."]
