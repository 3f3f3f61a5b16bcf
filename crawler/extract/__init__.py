"""Pure extraction: (html, url) in, raw fields out; no I/O, no Scrapy engine.

- `story.extract_story(html, url, *, listing_date="") -> RawRelease` (raises `ExtractionError`);
  the sections the markup does not mark come from the release grammar (`crawler.grammar`)
- `listing.extract_listing(html, url) -> Listing(cards, next_url)`
- `feed.extract_feed(xml, url) -> list[FeedEntry]`
- `encoding.decode_html(body, declared) -> str`
- `completeness.missing_end(body) -> reason | None`: whether a page arrived whole
- `python -m crawler.extract.regen <fixture.html>` rewrites a fixture's expected json
  (the raw record, and for a story the stored record beside it)
"""
