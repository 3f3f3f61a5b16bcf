"""Pure extraction: (html, url) in, raw fields out; no I/O, no Scrapy engine.

- `story.extract_story(html, url, *, listing_date="") -> StoryPage` (raises `ExtractionError`)
- `story.story_page_to_release(page, *, html, fetched_at, status=200) -> Release`
- `listing.extract_listing(html, url) -> Listing(cards, next_url)`
- `feed.extract_feed(xml, url) -> list[FeedEntry]`
- `encoding.decode_html(body, declared) -> str`
- `python -m crawler.extract.regen <fixture.html>` rewrites a fixture's expected json
"""
