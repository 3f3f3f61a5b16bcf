"""Signals of this project (Scrapy's own are in scrapy.signals)."""

# A page could not be fetched or parsed. Arguments: url, stage ("fetch", "listing",
# "extract", "normalize", "validate"), reason, snippet (the start of the raw input).
page_failed = object()
