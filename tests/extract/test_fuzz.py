"""Damaged pages cost at most the page, never the crawl: extraction and normalisation raise
nothing but their documented errors on mutated stored pages (the long run with timings:
python -m bench.fuzz)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract._html import absolute, story_ids
from crawler.extract.story import extract_story
from tests.extract.mutations import DOCUMENTED, MUTATIONS, STORY_URL, extract, mutate, seed_pages


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(page=st.integers(min_value=0), rng=st.randoms(use_true_random=False), times=st.integers(1, 4))
def test_mutated_pages_raise_nothing_but_the_documented_errors(page, rng, times):
    kind, name, html = seed_pages()[page % len(seed_pages())]
    damaged = mutate(rng, html, times)
    try:
        extract(kind, damaged)
    except DOCUMENTED:
        pass  # the page is recorded as failed, the crawl goes on


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_each_mutation_on_each_stored_page(mutation):
    rng = random.Random(12)
    for kind, name, html in seed_pages():
        try:
            extract(kind, mutation(rng, html))
        except DOCUMENTED:
            pass


@pytest.mark.parametrize("href", ["http://[broken/x", "http://[::1", "//[oops"])
def test_a_link_url_parsing_refuses_is_kept_as_written(href):
    assert absolute("https://www.presseportal.de/pm/1/2", f" {href} ") == href
    assert story_ids(href) is None


def test_a_release_with_a_broken_body_link_keeps_it_as_written_and_everything_else():
    kind, name, html = next(p for p in seed_pages() if p[1] == "replica-url_link")
    whole = extract_story(html, STORY_URL)
    target = whole.links[0]["url"]
    assert f'href="{target}"' in html
    page = extract_story(html.replace(f'href="{target}"', 'href="http://[broken/x"', 1), STORY_URL)
    assert page.body == whole.body, "the text is the same"
    assert page.links[0] == {"url": "http://[broken/x", "text": whole.links[0]["text"]}
    assert page.links[1:] == whole.links[1:]
