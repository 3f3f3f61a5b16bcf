"""NormalizePipeline and ValidatePipeline as Scrapy components, and end to end
against the replica's ground truth (render -> extract -> normalise == truth).

The raw records here are what extraction hands over: sections already told apart (the
release grammar's tests, tests/grammar, take the same paragraphs apart)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.grammar import read_release
from crawler.items import EXPORT_FIELDS, RawRelease, Release
from crawler.normalize.release import normalize_release
from pipelines.normalize import NormalizePipeline
from pipelines.validate import REQUIRED_FIELDS, ValidatePipeline

URL = "https://www.presseportal.de/pm/73811/4806207"

# the page's paragraphs, as extraction reads them (tests/grammar takes them apart)
PARAGRAPHS = [
    "Hamburg (ots) - Rund\u00a075 Prozent der befragten Kommunen planen neue Stellen.",
    " ",
    "Die LÃ¶sung fÃ¼r grÃ¶ÃŸere StÃ¤dte heiÃŸt â€žBÃ¼rgerdialogâ€œ.",
    "Verwaltungs\u00admodernisierung  bleibt\nwichtig.",
    "Über PUBLIC MARKETING:",
    "Public Marketing ist eine feste Größe.",
    "Pressekontakt:",
    "Public Marketing\nRedaktion",
    "Original-Content von: Public Marketing, übermittelt durch news aktuell",
]


def raw_release(**overrides) -> RawRelease:
    """The raw record extraction makes of PARAGRAPHS (sections as the grammar found them)."""
    fields = dict(
        story_id=4806207,
        publisher_id=73811,
        url=URL,
        publisher=" Public\u00a0Marketing ",
        title="Studie: „Kommunen unterschätzen die Pressearbeit“\u200b",
        published_raw="21.01.2021 &ndash; 10:30",
        teaser="Rund\u00a075 Prozent der befragten Kommunen ...",
        dateline="Hamburg",
        body=[
            "Rund 75 Prozent der befragten Kommunen planen neue Stellen.",
            "Die LÃ¶sung fÃ¼r grÃ¶ÃŸere StÃ¤dte heiÃŸt â€žBÃ¼rgerdialogâ€œ.",
            "Verwaltungs\u00admodernisierung  bleibt\nwichtig.",
        ],
        about=["Über PUBLIC MARKETING:", "Public Marketing ist eine feste Größe."],
        contact=["Public Marketing", "Redaktion"],
        originator="Public Marketing",
        keywords=["Kommunen", " Kommunen", "Verwaltung\u00ad", "", "Presse"],
        places=["Hamburg", "Hamburg"],
        images=[{"url": "https://cache.pressmailing.net/x.jpg", "caption": " Foto:\u00a0obs "}],
        links=[{"url": "https://www.public-marketing.de", "text": "www.public-\u200bmarketing.de"}],
        language="DE",
        fetched_at=datetime(2021, 1, 22, 8, 0, tzinfo=UTC),
        sources={"body": "dom"},
    )
    fields.update(overrides)
    return RawRelease(**fields)


def test_raw_release_is_what_the_grammar_makes_of_the_paragraphs() -> None:
    parts = read_release(PARAGRAPHS)
    raw = raw_release()
    assert (parts.dateline, parts.body, parts.about, parts.contact, parts.originator) == (
        raw.dateline, raw.body, raw.about, raw.contact, raw.originator
    )


def make_pipelines():
    crawler = get_crawler()
    return crawler, NormalizePipeline.from_crawler(crawler), ValidatePipeline.from_crawler(crawler)


def test_normalize_makes_a_clean_release() -> None:
    crawler, normalize, _ = make_pipelines()
    raw = raw_release()
    item = normalize.process_item(raw)
    assert isinstance(item, Release) and item is not raw
    assert raw.title.endswith("\u200b") and raw.body[1].startswith("Die LÃ¶sung"), "the raw record is left as it was"
    assert item.title == "Studie: „Kommunen unterschätzen die Pressearbeit“"
    assert item.publisher == "Public Marketing"
    assert item.teaser == "Rund 75 Prozent der befragten Kommunen ..."
    assert item.published_at == datetime(2021, 1, 21, 9, 30, tzinfo=UTC)
    assert item.published_ambiguous is False
    assert item.published_raw == "21.01.2021 &ndash; 10:30", "the raw string stays beside the instant"
    assert item.dateline == "Hamburg"
    assert item.body == (
        "Rund 75 Prozent der befragten Kommunen planen neue Stellen.\n\n"
        "Die Lösung für größere Städte heißt „Bürgerdialog“.\n\n"
        "Verwaltungsmodernisierung bleibt wichtig."
    )
    assert item.about == "Über PUBLIC MARKETING:\n\nPublic Marketing ist eine feste Größe."
    assert item.contact == "Public Marketing\nRedaktion"
    assert item.originator == "Public Marketing"
    assert item.keywords == ["Kommunen", "Verwaltung", "Presse"]
    assert item.places == ["Hamburg"]
    assert item.images == [{"url": "https://cache.pressmailing.net/x.jpg", "caption": "Foto: obs"}]
    assert item.links == [{"url": "https://www.public-marketing.de", "text": "www.public-marketing.de"}]
    assert item.language == "de"
    assert item.field_sources == {"body": "dom"}
    assert item.fetched_at == raw.fetched_at
    assert crawler.stats.get_value("normalize/items") == 1


def test_sections_are_cleaned_not_looked_for() -> None:
    # the DOM layers' sections (tests/extract/test_story_rules.py: the DOM wins over the
    # grammar) arrive raw; normalising cleans them and finds nothing more in them
    item = normalize_release(
        raw_release(
            dateline="Köln",
            contact=["TravelTrex GmbH", "\u00a0", "Tel. 1"],
            originator="TravelTrex GmbH",
            about=["Über TravelTrex:", "TravelTrex\u00adreist."],
        )
    )
    assert item.dateline == "Köln"
    assert item.contact == "TravelTrex GmbH\nTel. 1"
    assert item.originator == "TravelTrex GmbH"
    assert item.about == "Über TravelTrex:\n\nTravelTrexreist."
    assert "Pressekontakt" not in item.body and "Über PUBLIC" not in item.body
    assert not item.body.startswith("Hamburg")
    kept = normalize_release(raw_release(body=["Pressekontakt: im Text", "Hamburg (ots) - bleibt"]))
    assert kept.body == "Pressekontakt: im Text\n\nHamburg (ots) - bleibt", "no section is looked for any more"


def test_br_inside_a_dom_paragraph_is_a_space() -> None:
    # a single newline in a raw paragraph is a <br> inside it (plain text with one
    # paragraph per line is split by the grammar: tests/grammar)
    item = normalize_release(raw_release(body=["Eins\nzwei."]))
    assert item.body == "Eins zwei."
    item = normalize_release(raw_release(body=["Eins", "Zwei."]))
    assert item.body == "Eins\n\nZwei."


@pytest.mark.parametrize(
    ("raw", "instant", "ambiguous"),
    [
        ("28.03.2021 – 02:30", datetime(2021, 3, 28, 1, 30, tzinfo=UTC), True),
        ("31.10.2021 - 02:30", datetime(2021, 10, 31, 0, 30, tzinfo=UTC), True),
        ("2020-12-31T23:30:00", datetime(2020, 12, 31, 22, 30, tzinfo=UTC), False),
        ("Heute, 10:30", datetime(2021, 1, 22, 9, 30, tzinfo=UTC), False),  # the fetch day
    ],
)
def test_dates_in_the_pipeline(raw: str, instant: datetime, ambiguous: bool) -> None:
    item = normalize_release(raw_release(published_raw=raw))
    assert (item.published_at, item.published_ambiguous) == (instant, ambiguous)


def test_unparseable_date_drops_loudly() -> None:
    crawler, normalize, _ = make_pipelines()
    with pytest.raises(DropItem) as err:
        normalize.process_item(raw_release(published_raw="32.13.2021 &ndash; 25:61"))
    # the page is named beside the reason: the log line (tests/spider/test_logformatter.py)
    # and the crawl_errors row (url)
    assert str(err.value).startswith("unparseable published date: ") and URL not in str(err.value)
    assert "32.13.2021 &ndash; 25:61" in str(err.value)
    assert crawler.stats.get_value("normalize/date_error") == 1


def test_validate_passes_and_counts() -> None:
    # which fields are filled is counted by crawler.extensions.FieldCoverage
    # (tests/spider/test_extensions.py); validate counts the records that pass
    crawler, normalize, validate = make_pipelines()
    item = validate.process_item(normalize.process_item(raw_release()))
    assert isinstance(item, Release)
    item2 = normalize.process_item(raw_release(dateline="", body=["Nur Text."], about=[], contact=[]))
    assert validate.process_item(item2) is item2
    assert crawler.stats.get_value("validate/items") == 2


@pytest.mark.parametrize("missing", REQUIRED_FIELDS)
def test_validate_drops_incomplete(missing: str) -> None:
    crawler, normalize, validate = make_pipelines()
    item = normalize.process_item(raw_release())
    setattr(item, missing, 0 if missing.endswith("_id") else (None if missing == "published_at" else ""))
    with pytest.raises(DropItem) as err:
        validate.process_item(item)
    assert missing in str(err.value)
    assert crawler.stats.get_value(f"validate/dropped/{missing}") == 1
    assert crawler.stats.get_value("validate/dropped") == 1
    assert crawler.stats.get_value("validate/items") is None


def test_validate_drops_naive_instant_and_unparsed_body() -> None:
    _, _, validate = make_pipelines()
    item = normalize_release(raw_release())
    item.published_at = datetime(2021, 1, 21, 10, 30)
    with pytest.raises(DropItem, match="published_at"):
        validate.process_item(item)
    # a body that is only a dateline and a contact is no body
    parts = read_release(["Köln (ots)", "Pressekontakt:", "Max"])
    assert (parts.dateline, parts.body, parts.contact) == ("Köln", [], ["Max"])
    raw = raw_release(dateline=parts.dateline, body=parts.body, about=parts.about, contact=parts.contact)
    with pytest.raises(DropItem, match="body"):
        validate.process_item(normalize_release(raw))


def test_validate_refuses_a_raw_record_loudly() -> None:
    crawler, _, validate = make_pipelines()
    with pytest.raises(TypeError, match="NormalizePipeline"):
        validate.process_item(raw_release())
    assert crawler.stats.get_value("validate/items") is None


def test_normalize_passes_other_items_and_keeps_the_raw_date_error_contract() -> None:
    crawler, normalize, _ = make_pipelines()
    clean = normalize_release(raw_release())
    assert normalize.process_item(clean) is clean, "a clean Release is not normalised twice"
    from crawler.normalize.dates import DateParseError

    with pytest.raises(DateParseError, match="32.13.2021"):
        normalize_release(raw_release(published_raw="32.13.2021 – 25:61"))


def test_pipelines_are_enabled_in_settings() -> None:
    from crawler import settings

    assert settings.ITEM_PIPELINES["pipelines.normalize.NormalizePipeline"] == 300
    assert settings.ITEM_PIPELINES["pipelines.validate.ValidatePipeline"] == 400


# --- end to end against the replica's truth -----------------------------------------------


def _replica():
    from crawler.extract.story import extract_story
    from tests.replica import Corpus, render

    return Corpus, render, extract_story


KINDS = [
    "nfd", "mojibake", "soft_hyphen", "nbsp", "zwsp", "quotes", "link_text", "multi_contact",
    "long", "english", "no_jsonld", "no_pdate", "dateline_inline", "ascii_hyphen_date",
    "dst_spring", "dst_fall", "nye", "about", "dateline_own_paragraph", "double_space",
    "empty_paragraph", "image",
]


@pytest.fixture(scope="module")
def corpus():
    Corpus, *_ = _replica()
    return Corpus(releases=200, seed=7)


@pytest.mark.parametrize("kind", KINDS)
def test_replica_truth(corpus, kind: str) -> None:
    _, render, extract_story = _replica()
    sids = corpus.cases(kind)[:3]
    assert sids, f"the replica has no {kind!r} release in 200"
    for sid in sids:
        doc = corpus.doc(sid)
        html = render.story_page(corpus, doc)
        page = extract_story(html, f"{corpus.base_url}/pm/{doc.entry.pid}/{sid}")
        item = normalize_release(page)
        truth = corpus.truth(sid)
        for name in EXPORT_FIELDS:
            if name == "fetched_at":
                continue
            got = getattr(item, name)
            if name == "published_at":
                got = got.isoformat()
            assert got == truth[name], f"{kind} story {sid}: field {name} differs from the replica truth"


REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "story-103258-2930232.html"


def test_real_page() -> None:
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} not present")
    _, _, extract_story = _replica()
    html = REFERENCE.read_text(encoding="utf-8")
    page = extract_story(html, "https://www.presseportal.de/pm/103258/2930232")
    item = normalize_release(page)
    assert item.published_at == datetime(2015, 1, 20, 8, 30, tzinfo=UTC)
    assert item.dateline == "Köln"
    assert item.body.startswith("Deutschlands größter Reiseveranstalter im Bereich Wintersport")
    assert item.body.endswith("http://presse.snowtrex.de/felix-neureuther-interview/")
    assert item.body.count("\n\n") == 2
    assert item.contact == "TravelTrex GmbH\nChristian Neuwerth\npresse-de@traveltrex.com\nTel. +49 (0) 221-33 606-2513"
    assert item.originator == "TravelTrex GmbH"
    assert item.about == ""
