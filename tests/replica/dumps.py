"""The replica's releases as other scrapers' dumps and the official API hold them, built from
the ground truth (see "Text renderings and dumps" in ../shared/reference/SITE.md).

- `flattened(truth)`: one string, paragraphs and sections glued without a space, contact
  lines run together, the originator line and `Originalmeldung: URL` at the end;
- `line(truth, precision)`: `flattened` as a line of a `lines` dump, opening with
  `date YYYY-MM ` ("month") or `date YYYY-MM-DD ` ("day"), or with no date (None);
- `plain_text(truth)`: the same sections as plain text, paragraphs apart by a blank line
  and contact lines by a line break (what a careful scraper or the API keeps);
- `api_story(truth)`: a story of an API answer (every scalar a string).

What a dump cannot carry (title, teaser, keywords, ... in a flattened line; a paragraph
end without a full stop when glued) is listed per rendering in `CARRIED_BY_LINE`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
ORIGINATOR = "Original-Content von: {}, übermittelt durch news aktuell"

# the fields a flattened line still carries (published_at: its day or month)
CARRIED_BY_LINE = ("story_id", "publisher_id", "url", "dateline", "body", "about", "contact", "originator")


def local(truth: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(truth["published_at"]).astimezone(BERLIN)


def _sections(truth: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    paragraphs = truth["body"].split("\n\n")
    paragraphs[0] = f"{truth['dateline']} (ots) - {paragraphs[0]}"
    about = truth["about"].split("\n\n") if truth["about"] else []
    return paragraphs, about, truth["contact"].split("\n")


def flattened(truth: dict[str, Any]) -> str:
    body, about, contact = _sections(truth)
    return ("".join(body) + "".join(about) + "Pressekontakt:" + "".join(contact)
            + ORIGINATOR.format(truth["originator"]) + f"Originalmeldung: {truth['url']}")


def line(truth: dict[str, Any], precision: str | None = "day") -> str:
    when = local(truth)
    prefix = {"month": f"date {when:%Y-%m} ", "day": f"date {when:%Y-%m-%d} ", None: ""}[precision]
    return prefix + flattened(truth)


def plain_text(truth: dict[str, Any]) -> str:
    body, about, contact = _sections(truth)
    return "\n\n".join([*body, *about, "Pressekontakt:\n" + "\n".join(contact),
                        ORIGINATOR.format(truth["originator"])])


def api_story(truth: dict[str, Any]) -> dict[str, Any]:
    when = local(truth)
    return {
        "id": str(truth["story_id"]),
        "url": truth["url"],
        "title": truth["title"],
        "body": plain_text(truth),
        "teaser": truth["teaser"],
        "published": when.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "language": truth["language"],
        "ressort": "Medien",
        "company": {"id": str(truth["publisher_id"]), "url": f"https://www.presseportal.de/nr/{truth['publisher_id']}",
                    "name": truth["publisher"]},
        "keywords": {"keyword": list(truth["keywords"])} if truth["keywords"] else "",
        "media": {"image": [{"url": i["url"], "caption": i["caption"], "type": "image"} for i in truth["images"]]}
        if truth["images"] else "",
        "short": f"https://ots.de/{truth['story_id']}",
    }
