"""Normalisation figures: dates/s of the fast path vs dateparser, MB/s of text cleaning.

Dates: the same 10,000 site-format strings (story-page ``21.01.2021 – 10:30`` with
en dash, ``&ndash;``, ASCII hyphen, ``Uhr``; JSON-LD ``2021-01-21T10:30:00``; API
``2020-07-02T04:30:00+0200``; RSS RFC 822) go through `parse_published` and through
``dateparser.parse`` alone with the same settings (languages de+en, Europe/Berlin,
aware, dates from the past). Target: the fast path at least 100 times faster.

Text: raw release bodies -- the replica's clean truth with the replica's own
corruptions (NFD, soft hyphens, NBSP, ZWSP/BOM, windows-1252 mojibake, double
spaces) plus a dateline, the "Über X:" section, the contact and the originator --
through what a story's paragraphs go through: the release grammar on the raw paragraphs
(`crawler.grammar.read_release`, in extraction) and the cleaning of each part
(`clean_paragraphs`, `clean_block`, `clean_inline`, in normalisation), in MB (UTF-8 bytes
of the raw input) per second. Beside it, for scale, ftfy's `fix_text` alone on the same
paragraphs, and the path of a flattened body string (`split_flat_text` + `split_release`,
then the same cleaning).

Each contender keeps its best of a few rounds (the machine is shared).

    python -m bench.normalize
"""

from __future__ import annotations

import gc
import random
import sys
import time
from datetime import datetime, timedelta
from typing import Any, Callable

DATES = 10_000
DATE_ROUNDS = 3
BODIES = 400
TEXT_ROUNDS = 3
TARGET_DATE_FACTOR = 100.0


def site_date_strings(n: int = DATES, seed: int = 4) -> list[str]:
    """n date strings in the site's formats, spread over 2015-2026 (DST edges included)."""
    rng = random.Random(seed)
    start = datetime(2015, 1, 1)
    span = (datetime(2026, 12, 31) - start).total_seconds()
    out = []
    for i in range(n):
        local = start + timedelta(seconds=rng.random() * span)
        local = local.replace(second=0, microsecond=0)
        if i % 97 == 0:  # a DST gap or overlap now and then
            local = datetime(local.year, 3 if i % 2 else 10, 28 if i % 2 else 30, 2, 30)
        kind = i % 10
        if kind < 4:
            s = f"{local:%d.%m.%Y} \u2013 {local:%H:%M}"
        elif kind == 4:
            s = f"{local:%d.%m.%Y} &ndash; {local:%H:%M}"
        elif kind == 5:
            s = f"{local:%d.%m.%Y} - {local:%H:%M} Uhr"
        elif kind == 6:
            s = f"{local:%Y-%m-%dT%H:%M:%S}"
        elif kind == 7:
            s = f"{local:%Y-%m-%dT%H:%M:%S}+0{1 if local.month in (1, 2, 11, 12) else 2}00"
        elif kind == 8:
            s = f"{local:%a, %d %b %Y %H:%M:%S} +0100"
        else:
            s = f"{local:%d.%m.%Y}\u00a0\u2013\u00a0{local:%H:%M}"
        out.append(s)
    return out


def _best(fn: Callable[[], Any], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_dates(strings: list[str]) -> dict[str, Any]:
    import dateparser

    from crawler.normalize.dates import DATEPARSER_LANGUAGES, DATEPARSER_SETTINGS, parse_published

    now = datetime(2027, 1, 1)
    settings = dict(DATEPARSER_SETTINGS, RELATIVE_BASE=now)
    fast_results = [parse_published(s) for s in strings]  # warm up, and keep for the check

    def fast() -> None:
        for s in strings:
            parse_published(s)

    def slow() -> list:
        return [dateparser.parse(s, languages=DATEPARSER_LANGUAGES, settings=settings) for s in strings]

    dateparser.parse(strings[0], languages=DATEPARSER_LANGUAGES, settings=settings)  # warm up
    t_fast = _best(fast, DATE_ROUNDS)
    slow_results: list = []

    def slow_keep() -> None:
        slow_results[:] = slow()

    t_slow = _best(slow_keep, 1)  # ~1 ms a string: one round is plenty
    failed = sum(r is None for r in slow_results)
    disagree = sum(
        1 for f, d in zip(fast_results, slow_results) if d is not None and f.instant != d.astimezone(f.instant.tzinfo)
    )
    ambiguous = sum(f.ambiguous for f in fast_results)
    fast_rate, slow_rate = len(strings) / t_fast, len(strings) / t_slow
    ratio = fast_rate / slow_rate
    return {
        "name": "dates/s, fast path (parse_published)",
        "value": fast_rate,
        "unit": "dates/s",
        "baseline_name": "dateparser.parse, same settings",
        "baseline_value": slow_rate,
        "ratio": ratio,
        "target": f">= {TARGET_DATE_FACTOR:.0f}x",
        "met": ratio >= TARGET_DATE_FACTOR,
        "notes": (
            f"{len(strings):,} site-format strings; dateparser could not read {failed:,} of them (the undecoded "
            f"&ndash; form) and "
            f"disagreed on {disagree:,} (DST gaps/overlaps: it picks the other side; "
            f"{ambiguous:,} strings are ambiguous)"
        ),
    }


def raw_bodies(n: int = BODIES, seed: int = 1) -> list[list[str]]:
    """Raw paragraphs of n releases: the replica's truth, corrupted the replica's way."""
    try:
        from tests.replica import Corpus
        from tests.replica.render import corrupt
    except ImportError:
        return _generated_bodies(n, seed)
    corpus = Corpus(releases=n, seed=seed)
    rng = random.Random(seed)
    kinds = ["nfd", "soft_hyphen", "nbsp", "zwsp", "mojibake", "double_space", None, None, None]
    out = []
    for sid in corpus.story_ids()[:n]:
        d = corpus.doc(sid)
        paras = [f"{d.city} (ots)", " "]
        for p in d.body:
            paras.append(corrupt(p.text, p.corrupt or rng.choice(kinds)))
        paras += [corrupt(p.text, rng.choice(kinds)) for p in d.about]
        paras.append("Pressekontakt:")
        paras += [s.text for s in d.contact]
        paras.append(f"Original-Content von: {d.publisher.name}, übermittelt durch news aktuell")
        out.append(paras)
    return out


def _generated_bodies(n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    words = (
        "Die Kommunen planen für größere Städte neue Stellen in der Pressearbeit; "
        "der Bürgerdialog „wirkt“, sagt die Jury. Rund 75 Prozent äußern sich positiv."
    ).split()
    out = []
    for _ in range(n):
        paras = ["Hamburg (ots)"]
        for _ in range(rng.randint(3, 6)):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(40, 90)))
            paras.append(text.replace("Städte", "St\u00e4\u00adte").replace(" 75 ", " 75\u00a0"))
        paras += ["Über PUBLIC MARKETING:", "Ein Fachmagazin.", "Pressekontakt:", "Max Mustermann"]
        paras.append("Original-Content von: Public Marketing, übermittelt durch news aktuell")
        out.append(paras)
    return out


def bench_text(bodies: list[list[str]]) -> list[dict[str, Any]]:
    import ftfy

    from crawler.grammar import ReleaseParts, read_release, split_flat_text, split_release
    from crawler.normalize.text import FTFY_CONFIG, clean_block, clean_inline, clean_paragraphs

    megabytes = sum(len(p.encode("utf-8")) for body in bodies for p in body) / 1e6
    joined = ["\n\n".join(body) for body in bodies]
    plain_config = FTFY_CONFIG._replace(explain=False)

    def clean(parts: ReleaseParts) -> None:
        clean_paragraphs(parts.body)
        clean_paragraphs(parts.about)
        clean_block("\n".join(parts.contact))
        clean_inline(parts.dateline)
        clean_inline(parts.originator)

    def ours() -> None:
        for body in bodies:
            clean(read_release(body))

    def pipeline_path() -> None:
        for text in joined:
            clean(split_release(split_flat_text(text, single_newlines=False)))

    def ftfy_alone() -> None:
        for body in bodies:
            for p in body:
                ftfy.fix_text(p, plain_config)

    ours()  # warm up
    t_ours = _best(ours, TEXT_ROUNDS)
    t_flat = _best(pipeline_path, TEXT_ROUNDS)
    t_ftfy = _best(ftfy_alone, TEXT_ROUNDS)
    rate, flat_rate, ftfy_rate = megabytes / t_ours, megabytes / t_flat, megabytes / t_ftfy
    note = f"{len(bodies)} release bodies, {megabytes:.2f} MB of raw UTF-8"
    return [
        {
            "name": "text MB/s, read_release + cleaning (a story's paragraphs)",
            "value": rate,
            "unit": "MB/s",
            "baseline_name": "ftfy.fix_text alone, same paragraphs",
            "baseline_value": ftfy_rate,
            "ratio": rate / ftfy_rate,
            "target": None,
            "met": None,
            "notes": note,
        },
        {
            "name": "text MB/s, split_flat_text + split_release + cleaning (a body string)",
            "value": flat_rate,
            "unit": "MB/s",
            "baseline_name": "read_release + cleaning",
            "baseline_value": rate,
            "ratio": flat_rate / rate,
            "target": None,
            "met": None,
            "notes": note + "; flattened text, with glue detection",
        },
    ]


def run() -> list[dict[str, Any]]:
    rows = [bench_dates(site_date_strings())]
    rows += bench_text(raw_bodies())
    return rows


def main() -> int:
    rows = run()
    for r in rows:
        print(
            f"{r['name']}: {r['value']:,.1f} {r['unit']} | {r['baseline_name']}: {r['baseline_value']:,.1f} "
            f"| ratio {r['ratio']:,.1f} | target {r['target'] or '-'} | met {r['met']}"
        )
        if r.get("notes"):
            print(f"    {r['notes']}")
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
