"""Extraction stays cheap: the page is parsed once, whatever the layers look at, and
only as far as anything is read (never with another result than the whole page's).

How fast extraction is beside plain lxml parsing is a figure of the benchmark
(`python -m bench.extract`), not of a timed unit test; this guards its main causes.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import asdict

import pytest

import crawler.extract.story as story
from crawler.extract._html import page_bytes
from crawler.extract.regen import load_fixture
from tests.extract.helpers import FIXTURES, REFERENCE_URL, reference_html
from tests.extract.mutations import mutate
from tests.helpers import ROOT
from tests.replica import render
from tests.replica.corpus import Corpus


def test_the_page_is_parsed_once(monkeypatch) -> None:
    calls = []
    real = story.parse_html

    def counting(html, **how):
        calls.append(len(html))
        return real(html, **how)

    monkeypatch.setattr(story, "parse_html", counting)
    page = story.extract_story(reference_html(), REFERENCE_URL)
    assert page.title and page.body
    assert len(calls) == 1, f"extract_story parsed the page {len(calls)} times: one parse must serve every layer"


# run in a fresh interpreter: in the test process, other threads (pytest-xdist's channel)
# make cyclic garbage of their own while the collector is off, and a loaded machine gives
# them the time to
_CYCLES = """
import gc, json, sys
import crawler.extract.story as story
from crawler.extract.regen import load_fixture
from tests.extract.helpers import FIXTURES

pages = [load_fixture(page) for page in sorted((FIXTURES / "story").glob("*.html"))]
assert pages
for html, meta in pages:  # warm up: imports, compiled patterns, caches
    story.extract_story(html, meta["url"])
gc.collect()
gc.disable()
gc.set_debug(gc.DEBUG_SAVEALL)
for html, meta in pages:
    story.extract_story(html, meta["url"])
gc.collect()
print(json.dumps(sorted({type(obj).__name__ for obj in gc.garbage})))
"""


def test_extraction_leaves_no_reference_cycles() -> None:
    """The parsed page is freed as soon as its record is made: nothing extraction builds
    refers back to itself, so the page's tree never waits for the garbage collector
    (a recursive closure once kept every page's tree alive until a full collection,
    a fifth of extraction time spent freeing hundreds of cold trees at once)."""
    done = subprocess.run([sys.executable, "-c", _CYCLES], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    cyclic = json.loads(done.stdout.splitlines()[-1])
    assert cyclic == [], f"extraction left reference cycles holding: {cyclic}"


# --- the cut parse: the page up to the "Weitere Storys" teasers --------------------------

STORY_URL = "https://www.presseportal.de/pm/103258/2930232"


def _release(html: str, url: str) -> dict | str:
    """The release as a dict, or the error's text: what a caller gets from the page."""
    try:
        return asdict(story.extract_story(html, url))
    except story.ExtractionError as exc:
        return f"ExtractionError: {exc}"


def _both(html: str, url: str, monkeypatch) -> tuple[dict | str, dict | str]:
    """(the release as extracted, the release from the whole page parsed)."""
    as_extracted = _release(html, url)
    with monkeypatch.context() as m:
        m.setattr(story, "_teaser_cut", lambda page: None)
        whole = _release(html, url)
    return as_extracted, whole


def _replica_pages() -> list[tuple[str, str]]:
    """(html, url): one replica story page of every kind, of every newsroom."""
    corpus = Corpus(releases=160, seed=5, base_url="https://www.presseportal.de")
    sids = [sid for newsroom in corpus.newsrooms for sid in corpus.stories(newsroom)]
    pages, kinds = [], set()
    for sid in sids:
        doc = corpus.doc(sid)
        if doc.kinds - kinds or not pages:
            kinds |= doc.kinds
            url = corpus.base_url + corpus.entry(sid).newsroom.story_path(sid)
            pages.append((render.story_page(corpus, doc), url))
    return pages


def test_the_real_page_is_cut_before_its_teasers_and_gives_the_same_release(monkeypatch) -> None:
    html = reference_html()
    assert story._Doc(html, REFERENCE_URL).cut, "the real page's teasers follow the story: it is parsed up to them"
    as_extracted, whole = _both(html, REFERENCE_URL, monkeypatch)
    assert as_extracted == whole


def test_every_fixture_and_every_kind_of_replica_page_gives_the_release_of_the_whole_page(monkeypatch) -> None:
    pages = [(html, meta["url"]) for html, meta in map(load_fixture, sorted((FIXTURES / "story").glob("*.html")))]
    pages += _replica_pages()
    cut = 0
    for html, url in pages:
        cut += story._Doc(html, url).cut
        as_extracted, whole = _both(html, url, monkeypatch)
        assert as_extracted == whole, url
    assert cut >= len(pages) // 2, "most of these pages have teasers after the story: they are cut"


def test_damaged_pages_give_the_release_of_the_whole_page(monkeypatch) -> None:
    """Truncated, reordered, noisy pages (tests/extract/mutations.py): wherever the cut
    or what follows it lands, the release is the whole page's."""
    rng = random.Random(13)
    seeds = [html for html, _ in _replica_pages()[:6]]
    try:
        seeds.append(reference_html())
    except pytest.skip.Exception:
        pass
    for i in range(160):
        html = mutate(rng, rng.choice(seeds), rng.randint(1, 4))
        as_extracted, whole = _both(html, STORY_URL, monkeypatch)
        assert as_extracted == whole, f"mutated page {i}"


# a story page whose teaser card follows the story; {before} and {after} surround the
# teaser, {story_end} closes the story's article
PAGE = """<html lang="de"><head><title>T</title>{head}</head><body>
<article class="story"><div class="card"><p class="date">21.01.2021 – 10:30</p><h1>Titel</h1>
<p><a class="story-city" href="/regional/Berlin">Berlin</a> (ots) - Erster Absatz.</p>
{inside}</div>{story_end}
<ul class="tags"><li><a href="/st/eins" rel="tag">Eins</a></li>{tags_inside}</ul>
{before}<article class="news"><h3><a href="/pm/1/3">Eine andere Meldung</a></h3></article>{after}
</body></html>"""


def _page(**parts: str) -> str:
    values = {"head": "", "inside": "", "story_end": "</article>", "tags_inside": "", "before": "", "after": ""}
    return PAGE.format(**{**values, **parts})


def test_a_plain_page_is_cut(monkeypatch) -> None:
    html = _page()
    assert story._Doc(html, STORY_URL).cut
    as_extracted, whole = _both(html, STORY_URL, monkeypatch)
    assert as_extracted == whole and as_extracted["body"] == ["Erster Absatz."]


@pytest.mark.parametrize("after", [
    '<meta name="description" content="Berlin (ots) - Aus dem Meta.">',
    '<link rel="canonical" href="https://www.presseportal.de/pm/5/6">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "X", "keywords": "Spät"}</script>',
    '<script type="application/ld&#43;json">{"@type": "NewsArticle", "keywords": "Spät"}</script>',
    '<article class="story"><div class="card" lang="en"><h1>Zweite</h1></div></article>',
    '<article data-x="a>b" class="story"></article>',
    '<ul class="tags"><li><a href="/st/zwei" rel="tag">Zwei</a></li></ul>',
    '<h1>Noch ein Titel</h1>',
    '<META NAME="description" CONTENT="Berlin (ots) - Aus dem Meta.">',
    '<SCRIPT TYPE="application/LD+JSON">{"@type": "NewsArticle", "keywords": "Spät"}</SCRIPT>',
    '<ul\nclass="tags"><li><a href="/st/zwei" rel="tag">Zwei</a></li></ul>',
], ids=["meta", "link", "jsonld", "jsonld-entity", "story", "story-quoted-gt", "tag-list", "h1",
        "meta-upper-case", "jsonld-upper-case", "tag-list-newline"])
def test_what_is_read_after_the_teasers_keeps_the_whole_page(after: str, monkeypatch) -> None:
    html = _page(after=after)
    assert story._teaser_cut(page_bytes(html)) is None
    as_extracted, whole = _both(html, STORY_URL, monkeypatch)
    assert as_extracted == whole


@pytest.mark.parametrize("parts", [
    {"before": '<script>var card = \'', "after": "\';</script>"},
    {"before": "<!-- ", "after": " -->"},
    {"before": "<div data-template='", "after": "'></div>"},
    {"before": "<textarea>", "after": "</textarea>"},
    {"inside": "<div>", "story_end": "", "after": "<p>Zweiter Absatz.</p></div></article>"},
    {"tags_inside": "", "before": "<li><a href='/st/x'>X</a></li>",
     "after": '<li><a href="/st/zwei" rel="tag">Zwei</a></li>'},
], ids=["in-a-script", "in-a-comment", "in-an-attribute", "in-a-textarea", "story-still-open", "tag-list-open"])
def test_a_cut_that_would_lose_what_is_read_parses_the_whole_page(parts: dict, monkeypatch) -> None:
    html = _page(**parts)
    if "tags_inside" in parts:  # the tag list stays open across the teaser
        html = html.replace("</ul>\n", "\n", 1).replace("</body>", "</ul></body>")
    assert story._teaser_cut(page_bytes(html)) is not None, "the teaser is found where the cut would be"
    assert not story._Doc(html, STORY_URL).cut
    as_extracted, whole = _both(html, STORY_URL, monkeypatch)
    assert as_extracted == whole
