"""news-please as its users run it against our URLs: runs INSIDE the peer's own virtual
environment (bench/peers/news_please.py creates it and starts this script).

For each story URL of a file: the page fetched (urllib), `NewsPlease.from_html` (its
whole extraction: newspaper, readability, its heuristics, the date extractor) and the
article stored the way news-please's PostgreSQL storage does: look the URL up, INSERT the
article, commit (one transaction per article). Prints a JSON summary.

    python newsplease_peer.py URLS_FILE DATABASE_URL
"""

import json
import sys
import urllib.request

import psycopg
from newsplease import NewsPlease

TABLE = """CREATE TABLE IF NOT EXISTS current_versions (
    id serial PRIMARY KEY, date_modify timestamp, date_download timestamp, localpath text,
    filename text, source_domain text, url text, image_url text, title text, title_page text,
    title_rss text, maintext text, description text, date_publish timestamp, authors text[],
    language text)"""
INSERT = """INSERT INTO current_versions (date_modify, date_download, localpath, filename,
    source_domain, url, image_url, title, title_page, title_rss, maintext, description,
    date_publish, authors, language)
    VALUES (now(), %s, NULL, NULL, %s, %s, %s, %s, NULL, NULL, %s, %s, %s, %s, %s)"""


def main(urls_file: str, database_url: str) -> int:
    urls = [u.strip() for u in open(urls_file, encoding="utf-8") if u.strip()]
    stored = failed = 0
    with psycopg.connect(database_url) as conn:
        conn.execute(TABLE)
        conn.commit()
        for url in urls:
            try:
                with urllib.request.urlopen(url, timeout=30) as resp:
                    html = resp.read().decode(resp.headers.get_content_charset() or "utf-8", "replace")
                a = NewsPlease.from_html(html, url=url, fetch_images=False)
            except Exception as exc:  # a peer's failure is counted, not fatal
                failed += 1
                print(f"{url}: {exc!r}", file=sys.stderr)
                continue
            conn.execute("SELECT id FROM current_versions WHERE url = %s", [url]).fetchall()
            conn.execute(INSERT, [a.date_download, a.source_domain, a.url, a.image_url, a.title, a.maintext,
                                  a.description, a.date_publish, a.authors or [], a.language])
            conn.commit()
            stored += 1
    print(json.dumps({"urls": len(urls), "stored": stored, "failed": failed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
