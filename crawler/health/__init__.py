"""The pipeline's health, read from the store: the report (`presseportal report`, one
self-contained HTML page with charts) and the metrics (`presseportal metrics`, the
Prometheus text format).

- `gather`: what the report shows, read through `crawler.db.health` (aggregated in SQL);
- `charts`: the charts, drawn by matplotlib as inline SVG;
- `page`: the HTML page around them;
- `report`: gather, draw, write (the one entry point of `presseportal report`);
- `metrics`: the store's health as Prometheus metric families (prometheus-client).

Reads only; never migrates. May import the base rooms and `crawler.db`.
"""
