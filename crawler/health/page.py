"""The report's HTML page: one file, its style and charts inline, no script, nothing
fetched when it is opened (it works from a file, offline, in any browser).

Every number a reader compares with the store carries its raw value in a `data-value`
attribute beside the formatted text (`data-key` names it), so a test, or a script of
the reader's, can read the page without parsing formatted text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from crawler.health.format import duration, number, when
from crawler.health.gather import KIND_NAMES, ReportData, describe_newsroom, key

STYLE = """
:root { color-scheme: light; --ink: #212121; --muted: #616161; --line: #e0e0e0; --alarm: #c62828; --ok: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #fafafa; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 36px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
p.meta, p.note, figcaption { color: var(--muted); margin: 4px 0 12px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 10px; margin: 16px 0; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile .value { font-size: 20px; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tile .value.small { font-size: 14px; white-space: normal; }
.tile.alarm .value { color: var(--alarm); }
figure { margin: 8px 0 12px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
svg.chart { display: block; width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 8px 0; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f5f5f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.url { word-break: break-all; }
.status { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; }
.alarm { color: var(--alarm); }
"""


def _attrs(key: str | None, value: Any) -> str:
    if key is None:
        return ""
    if isinstance(value, (datetime, date)):
        raw = value.isoformat()
    elif value is None:
        raw = ""
    else:
        raw = str(value)
    return f' data-key="{escape(key)}" data-value="{escape(raw)}"'


def cell(value: Any, key: str | None = None, *, num: bool = False, text: str | None = None,
         cls: str = "") -> str:
    """A table cell: `text` (else the value formatted) with the raw value in data-value."""
    if text is None:
        text = number(value) if isinstance(value, int) and not isinstance(value, bool) else (
            when(value) if isinstance(value, (datetime, date)) or value is None else str(value))
    classes = " ".join(c for c in ("num" if num else "", cls) if c)
    class_attr = f' class="{classes}"' if classes else ""
    return f"<td{class_attr}{_attrs(key, value)}>{escape(text)}</td>"


def table(headers: Iterable[str], rows: Iterable[str], *, table_id: str) -> str:
    """A table; a header starting with "#" is a column of numbers (right-aligned)."""
    head = "".join('<th class="num">' + escape(h[1:]) + "</th>" if h.startswith("#") else f"<th>{escape(h)}</th>"
                   for h in headers)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def tile(label: str, key: str, value: Any, text: str, *, alarm: bool = False, small: bool = False) -> str:
    return (f'<div class="tile{" alarm" if alarm else ""}"><div class="label">{escape(label)}</div>'
            f'<div class="value{" small" if small else ""}"{_attrs(key, value)}>{escape(text)}</div></div>')


def status_badge(status: str | None, colour: str) -> str:
    return f'<span class="status" style="background:{colour}">{escape(status or "running")}</span>'


def figure(svg: str | None, chart_id: str, caption: str, empty: str) -> str:
    if svg is None:
        return f'<p class="note" id="{chart_id}-empty">{escape(empty)}</p>'
    return f'<figure id="{chart_id}">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


def render(data: ReportData, charts: dict[str, str | None], *, status_colour) -> str:
    """The whole page. `charts` maps archive, runs, coverage, failures to an SVG (or None);
    `status_colour(status)` is the colour of a run status, the charts' own."""
    missed = sum(gap["runs"] for gap in data.missed)
    last_success = data.last_success
    tiles = "".join([
        tile("releases", "releases", data.releases, number(data.releases)),
        tile("newsrooms", "newsrooms", len(data.newsrooms), number(len(data.newsrooms))),
        tile("newest release", "newest", data.newest, when(data.newest), small=True),
        tile("last successful run", "last_success", last_success, when(last_success), small=True,
             alarm=last_success is None and bool(data.runs)),
        tile("runs", "runs", len(data.runs), number(len(data.runs))),
        tile("missed cron runs", "missed", missed, number(missed), alarm=missed > 0),
        tile("failed pages", "failed_pages", data.failed_pages, number(data.failed_pages),
             alarm=data.failed_pages > 0),
    ])
    sections = [
        _archive(data, charts.get("archive")),
        _runs(data, charts.get("runs"), status_colour),
        _coverage(data, charts.get("coverage")),
        _failures(data, charts.get("failures")),
    ]
    if data.queue is not None:
        sections.append(_queue(data))
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in data.notes)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="presseportal report">
<title>presseportal-ingest: archive and run health</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>Archive and run health</h1>
<p class="meta">Written {escape(when(data.generated_at))} from {escape(data.store)}; {escape(data.scope.describe())}.
Times are Berlin time.</p>
{notes}
<section id="summary" class="tiles">{tiles}</section>
{"".join(sections)}
</main>
</body>
</html>
"""


def _archive(data: ReportData, svg: str | None) -> str:
    rows = []
    for n in data.newsrooms:
        kind, newsroom_id = newsroom = key(n)
        rhythm = data.rhythm.get(newsroom)
        gaps = data.gaps(newsroom)
        rows.append(
            # a row is found by both: an office may have a publisher's number
            f'<tr data-kind="{escape(kind)}" data-newsroom="{newsroom_id}">'
            + cell(kind, "kind", text=KIND_NAMES.get(kind, kind))
            + cell(newsroom_id, "newsroom_id", num=True, text=str(newsroom_id))
            + cell(n["office_code"], "office_code", text=n["office_code"] or "-")
            + cell(n["name"] or "-")
            + cell(n["releases"], "releases", num=True)
            + cell(n["oldest"], "oldest")
            + cell(n["newest"], "newest")
            + cell(gaps, "gap_months", num=True, cls="alarm" if gaps else "")
            + cell(n["last_success"], "last_success", cls="" if n["last_success"] else "alarm")
            + cell(n["last_run_status"], "last_run_status", text=(
                f"{n['last_run_status']} ({when(n['last_run_started'])})" if n["last_run_status"] else "-"))
            + cell(rhythm["cadence_seconds"] if rhythm else None, "cadence_seconds",
                   text=f"every {duration(rhythm['cadence_seconds'])}" if rhythm else "-")
            + "</tr>")
    shown = len(data.charted_newsrooms)
    caption = ("Releases per month (Berlin time), a band per newsroom (a publisher's or a police/fire "
               "office's) on one time axis, each scaled to its busiest month; red marks on a baseline: "
               "months without a release.")
    if len(data.newsrooms) > shown:
        caption += f" The {shown} biggest newsrooms are drawn; the table lists all {len(data.newsrooms)}."
    return (
        '<section id="archive-section"><h2>The archive</h2>'
        + figure(svg, "archive-chart", caption, "No releases stored in scope yet.")
        + table(["kind", "#id", "office code", "name", "#releases", "oldest", "newest release", "#months without a release",
                 "last successful run", "last run", "cron cadence"], rows, table_id="newsrooms")
        + "</section>")


def _runs(data: ReportData, svg: str | None, status_colour) -> str:
    by_status = Counter(r["status"] for r in data.runs)
    counts = ", ".join(f'{status_badge(s, status_colour(s))} <span data-key="runs_{escape(s)}" '
                       f'data-value="{c}">{number(c)}</span>' for s, c in sorted(by_status.items()))
    gap_rows = [
        "<tr>" + cell(gap["start"], "gap_from") + cell(gap["end"], "gap_to")
        + cell(duration((gap["end"] - gap["start"]).total_seconds())) + cell(gap["runs"], "missed", num=True)
        + cell(" ".join(f"{k}:{i}" for k, i in gap["newsrooms"]), "newsrooms",
               text=", ".join(describe_newsroom(k, i) for k, i in gap["newsrooms"])) + "</tr>"
        for gap in data.missed]
    cadences = sorted({r["cadence_seconds"] for r in data.rhythm.values()})
    if not cadences:
        rhythm_note = "not known yet (it needs four cron runs of a newsroom)"
    elif len(cadences) == 1:
        rhythm_note = f"every {duration(cadences[0])}"
    else:
        rhythm_note = f"from every {duration(cadences[0])} to every {duration(cadences[-1])} (per newsroom above)"
    body = (
        '<section id="runs-section"><h2>Runs</h2>'
        + (f'<p class="meta">{counts}</p>' if counts else "")
        + figure(svg, "runs-chart",
                 "Each dot is a run at its start: duration (log scale) with its status by colour; new, "
                 f"changed and unchanged releases per {duration(data.outcome_bin_seconds)}; failed pages per run. "
                 "The dots' rhythm is the cron cadence; a red band is a gap longer than twice it.",
                 "No runs in scope yet.")
        + f'<p class="meta">Cron cadence (the median interval between incremental runs; stories runs of the refresh follow the news, not the clock, and are left out): {escape(rhythm_note)}.'
        + (" Missed runs:" if gap_rows else " No missed runs.") + "</p>")
    if gap_rows:
        body += table(["from", "to", "gap", "#runs missed", "newsrooms"], gap_rows, table_id="missed-runs")
    return body + "</section>"


def _coverage(data: ReportData, svg: str | None) -> str:
    last = data.measured_runs[-1] if data.measured_runs else None
    rows = []
    if last is not None:
        for name in data.watched_fields:
            ratio = last["coverage"].get(name)
            if ratio is None:
                continue
            ratio = float(ratio)
            low = ratio < data.coverage_min
            rows.append(f'<tr data-field="{escape(name)}">' + cell(name)
                        + cell(ratio, "coverage", num=True, text=f"{100 * ratio:.1f}%", cls="alarm" if low else "")
                        + "</tr>")
    threshold = f"{100 * data.coverage_min:.0f}%"
    return (
        '<section id="coverage-section"><h2>Field coverage</h2>'
        + figure(svg, "coverage-chart",
                 "Share of each crawl's or re-extraction's releases that had the field (an import's dump "
                 f"is not measured against the site); dashed: the alarm threshold ({threshold}). "
                 f"A run of fewer than {data.coverage_min_items} releases (hollow dot) alarms only on a field "
                 "missing from all; an alarm is a red dot. A site change shows as a drop.",
                 "No run has measured field coverage yet.")
        + (f'<p class="meta">The last run that measured it on extracted pages (imports are not counted): '
           f'run #{last["id"]}, {escape(last["mode"])} ({escape(when(last["started_at"]))}), '
           f'<span data-key="coverage_releases" data-value="{last["releases"]}">{number(last["releases"])}</span> '
           f'releases; threshold <span data-key="coverage_min" data-value="{data.coverage_min}">{threshold}'
           '</span>.</p>' + table(["field", "#coverage"], rows, table_id="coverage") if last else "")
        + "</section>")


def _failures(data: ReportData, svg: str | None) -> str:
    rows = [f'<tr data-run="{f["run_id"] or ""}">' + cell(f["at"], "at")
            + cell(f["run_id"], "run_id", num=True, text=f"#{f['run_id']}" if f["run_id"] else "-")
            + cell(f["stage"], "stage") + cell(f["url"] or "-", "url", cls="url") + cell(f["reason"], "reason")
            + "</tr>" for f in data.latest_failures]
    body = ('<section id="failures-section"><h2>Failed pages</h2>'
            + figure(svg, "failures-chart", "Failed pages recorded in scope, per stage.",
                     "No failed pages recorded in scope."))
    if rows:
        body += (f'<p class="meta">The latest {len(rows)}:</p>'
                 + table(["when", "#run", "stage", "URL", "reason"], rows, table_id="latest-failures"))
    return body + "</section>"


def _queue(data: ReportData) -> str:
    rows = [f'<tr data-queue="{escape(q["queue_name"])}">' + cell(q["queue_name"]) + cell(q["status"], "status")
            + cell(q["jobs"], "jobs", num=True) + "</tr>" for q in data.queue or []]
    return ('<section id="queue-section"><h2>Job queue</h2>'
            + (table(["queue", "status", "#jobs"], rows, table_id="queue") if rows
               else '<p class="note">The queue is empty.</p>')
            + "</section>")
