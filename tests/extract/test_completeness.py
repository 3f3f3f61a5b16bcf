"""A page that arrived cut short is told from a whole one by its closing structure."""

from __future__ import annotations

import pytest

from crawler.extract.completeness import missing_end
from tests.extract.helpers import reference_html
from tests.extract.mutations import seed_pages


def test_every_whole_page_of_the_site_and_the_replica_is_complete():
    html = reference_html()
    assert missing_end(html.encode()) is None
    replica = [(name, html) for kind, name, html in seed_pages() if name.startswith("replica-")]
    assert replica
    for name, page in replica:
        assert missing_end(page) is None, name


@pytest.mark.parametrize("cut_after", ['class="originator"', "</article>", "Themen in dieser", "</footer>"])
def test_a_story_cut_anywhere_before_the_end_is_incomplete(cut_after):
    html = reference_html() if cut_after != "Themen in dieser" else next(
        p for k, n, p in seed_pages() if n == "replica-about")
    cut = html[: html.index(cut_after) + len(cut_after)]
    assert missing_end(cut.encode()) is not None


def test_a_listing_cut_in_its_cards_is_incomplete():
    html = next(p for k, n, p in seed_pages() if n == "replica-listing")
    cut = html[: html.index("</article>", len(html) // 3) + len("</article>")]
    assert "truncated" in missing_end(cut)


def test_the_reasons_say_what_is_missing():
    assert missing_end(b"<html><body><p>x</p>") == "truncated page: neither the page footer nor </html> arrived"
    assert "without </html>" in missing_end(b"<html><body><footer>f</footer>")
    assert "no page footer" in missing_end(b"<html><body><p>x</p></body></html>")
    assert missing_end(b"<HTML><BODY><FOOTER>f</FOOTER></BODY></HTML>\n\n") is None, "case and trailing space"


def test_a_page_with_scripts_after_the_footer_is_read_from_its_tail_only():
    page = b"<html><body>" + b"x" * 1_000_000 + b"<footer>f</footer><script>" + b"y" * 5000 + b"</script></body></html>"
    assert missing_end(page) is None
