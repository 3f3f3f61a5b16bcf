"""`scrapy crawl presseportal` against the replica, exported through Scrapy's feed exports.

These are whole crawls over real HTTP on loopback, with the project's settings,
middlewares and pipelines (STORE_RELEASES=0: no database).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from crawler.items import EXPORT_FIELDS, STORED_EXPORT_FIELDS, Newsroom
from tests.helpers import field_differences, read_jsonl, run_scrapy

COMPARED = [
    "story_id", "publisher_id", "publisher", "url", "title", "published_at", "published_raw",
    "published_ambiguous", "dateline", "teaser", "body", "about", "contact", "originator",
    "keywords", "places", "images", "links", "language",
]


def export(replica, tmp_path, *args: str, name: str = "items.jsonl") -> tuple[list[dict], str]:
    out = tmp_path / name
    done = run_scrapy(replica, "-s", "STORE_RELEASES=0", "-O", str(out), *args)
    assert done.returncode == 0, done.stderr[-3000:]
    return read_jsonl(out), done.stderr


@pytest.fixture(scope="module")
def full_crawl(tmp_path_factory):
    from tests.replica import Replica

    with Replica(releases=300, seed=1) as replica:
        items, log = export(replica, tmp_path_factory.mktemp("full"))
        yield replica, items, log


def test_every_release_of_the_publisher_is_extracted(full_crawl):
    replica, items, _ = full_crawl
    expected = set(replica.corpus.story_ids(publisher_id=73811))
    got = [item["story_id"] for item in items]
    assert len(got) == len(set(got)), f"stories exported twice: {[s for s, n in Counter(got).items() if n > 1]}"
    assert set(got) == expected, f"missing {sorted(expected - set(got))[:10]}, extra {sorted(set(got) - expected)[:10]}"


def test_other_publishers_stories_never_appear(full_crawl):
    _, items, _ = full_crawl
    assert {item["publisher_id"] for item in items} == {73811}


def test_each_field_equals_the_ground_truth(full_crawl):
    replica, items, _ = full_crawl
    differences = []
    for item in items:
        differences += field_differences(item, replica.corpus.truth(item["story_id"]), COMPARED)
    assert not differences, f"{len(differences)} differences, first ones:\n" + "\n".join(differences[:15])


@pytest.mark.parametrize("case", [
    "nfd", "mojibake", "soft_hyphen", "nbsp", "zwsp", "quotes", "link_text", "about", "multi_contact",
    "image", "no_image", "no_keywords", "long", "english", "cp1252", "no_jsonld", "no_pdate",
    "dateline_own_paragraph", "dateline_inline", "ascii_hyphen_date", "dst_spring", "dst_fall", "nye",
])
def test_every_variety_comes_out_right(full_crawl, case):
    replica, items, _ = full_crawl
    by_id = {item["story_id"]: item for item in items}
    story_ids = [sid for sid in replica.corpus.cases(case) if replica.corpus.truth(sid)["publisher_id"] == 73811]
    assert story_ids, f"the replica has no {case!r} release of 73811"
    for sid in story_ids:
        assert sid in by_id, f"{case}: story {sid} not exported"
        assert not field_differences(by_id[sid], replica.corpus.truth(sid), COMPARED)


def test_dst_edges_are_flagged(full_crawl):
    replica, items, _ = full_crawl
    by_id = {item["story_id"]: item for item in items}
    for case in ("dst_spring", "dst_fall"):
        for sid in replica.corpus.cases(case):
            if sid in by_id:
                assert by_id[sid]["published_ambiguous"] is True, (case, sid)


def test_exported_dates_carry_their_offset(full_crawl):
    _, items, _ = full_crawl
    for item in items:
        assert item["published_at"].endswith("+00:00"), item["published_at"]
        assert "raw_html" not in item and "field_sources" not in item


def test_the_feed_export_writes_the_fields_of_presseportal_export_and_the_fetch_time(full_crawl):
    # one declaration (crawler.items.FIELDS) for both: a crawled page says it is one
    _, items, _ = full_crawl
    assert [f for f in EXPORT_FIELDS if f != "fetched_at"] == STORED_EXPORT_FIELDS
    for item in items:
        assert list(item) == EXPORT_FIELDS, "the feed's keys: every exported field, in FIELDS order"
        assert (item["origin"], item["imported_from"]) == ("page", ""), item["story_id"]
        assert item["fetched_at"], "a crawl's feed export keeps the fetch time presseportal export leaves out"


def test_a_feed_export_of_an_import_names_the_file_and_line_of_each_release(replica, tmp_path):
    dump = tmp_path / "bare.jsonl"
    dump.write_text(json.dumps({"text": "Musterstadt (ots) - Ein Absatz ohne Titel und URL.",
                                "date": "2021-02-15"}, ensure_ascii=False) + "\n"
                    + json.dumps({"text": "Beispielburg (ots) - Noch einer.", "date": "2021-02-16"}) + "\n",
                    encoding="utf-8")
    out = tmp_path / "items.jsonl"
    done = run_scrapy(replica, "-a", f"files={dump}", "-a", "publisher=12345", "-s", "STORE_RELEASES=0",
                      "-O", str(out), spider="import")
    assert done.returncode == 0, done.stderr[-3000:]
    items = read_jsonl(out)
    assert [(i["url"], i["origin"], i["imported_from"]) for i in items] == [
        ("", "import", f"{dump}:1"), ("", "import", f"{dump}:2")]
    assert all(list(i) == EXPORT_FIELDS for i in items)


def test_crawl_reports_which_layer_gave_each_field(full_crawl):
    _, _, log = full_crawl
    assert "'layer/title/" in log
    assert "'coverage/items':" in log


def test_robots_txt_is_fetched_and_obeyed(full_crawl):
    replica, _, _ = full_crawl
    paths = [entry.path for entry in replica.log]
    assert paths and paths[0] == "/robots.txt"
    assert not any(p.startswith(("/images/", "/text/")) for p in paths)


def test_several_publishers_in_one_crawl(replica, tmp_path):
    others = [pid for pid in replica.corpus.publishers if pid != 73811][:1]
    items, _ = export(replica, tmp_path, "-a", f"publisher=73811,{others[0]}")
    got = Counter(item["publisher_id"] for item in items)
    assert got[73811] == len(replica.corpus.story_ids(publisher_id=73811))
    assert got[others[0]] == len(replica.corpus.story_ids(publisher_id=others[0]))


def test_a_missing_h1_is_taken_from_another_layer(replica, tmp_path):
    victim = replica.corpus.story_ids(publisher_id=73811)[3]
    replica.faults.add(rf"^/pm/73811/{victim}$", "no_h1")
    items, log = export(replica, tmp_path)
    by_id = {item["story_id"]: item for item in items}
    assert by_id[victim]["title"] == replica.corpus.truth(victim)["title"]
    assert "'layer/title/jsonld': 1" in log or "'layer/title/meta': 1" in log


def test_a_page_with_an_unreadable_date_is_logged_and_the_crawl_goes_on(replica, tmp_path):
    victim = replica.corpus.story_ids(publisher_id=73811)[4]
    replica.faults.add(rf"^/pm/73811/{victim}$", "bad_date")
    items, log = export(replica, tmp_path)
    ids = {item["story_id"] for item in items}
    assert victim not in ids, "a page without a usable date must not become a half record"
    assert len(ids) == len(replica.corpus.story_ids(publisher_id=73811)) - 1
    assert f"/pm/73811/{victim}" in log and "32.13." in log, "the log names the URL and the raw date"
    assert "'normalize/date_error': 1" in log


def test_429_with_retry_after_is_honoured(replica, tmp_path):
    victim = replica.corpus.story_ids(publisher_id=73811)[5]
    replica.faults.add(rf"^/pm/73811/{victim}$", "429", retry_after=1, times=1)
    items, log = export(replica, tmp_path)
    assert victim in {item["story_id"] for item in items}
    hits = [e for e in replica.log if e.path == f"/pm/73811/{victim}"]
    assert [e.status for e in hits] == [429, 200]
    assert hits[1].time - hits[0].time >= 0.9, "the retry came before Retry-After had passed"
    assert "'retry/retry_after_honoured': 1" in log


def test_server_errors_are_retried(replica, tmp_path):
    victim = replica.corpus.story_ids(publisher_id=73811)[7]
    replica.faults.add(rf"^/pm/73811/{victim}$", "503", times=2)
    items, _ = export(replica, tmp_path)
    assert victim in {item["story_id"] for item in items}


def test_the_same_card_on_two_pages_is_fetched_once(replica, tmp_path):
    replica.faults.add(r"^/nr/73811", "duplicate_card")
    items, _ = export(replica, tmp_path)
    ids = [item["story_id"] for item in items]
    assert len(ids) == len(set(ids)) == len(replica.corpus.story_ids(publisher_id=73811))
    fetched = Counter(e.path for e in replica.log if e.path.startswith("/pm/"))
    assert max(fetched.values()) == 1


def test_a_date_window_uses_the_sites_filter(replica, tmp_path):
    truth = list(replica.corpus.all_truth(publisher_id=73811))
    days = sorted({t["published_at"][:10] for t in truth})
    since, until = days[len(days) // 4], days[len(days) // 2]
    items, _ = export(replica, tmp_path, "-a", "mode=backfill", "-a", f"since={since}", "-a", f"until={until}")
    from crawler.normalize.dates import parse_published
    from zoneinfo import ZoneInfo

    def berlin_day(t):
        return parse_published(t["published_at"]).instant.astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()

    expected = {t["story_id"] for t in truth if since <= berlin_day(t) <= until}
    assert {item["story_id"] for item in items} == expected
    assert any("startDate=" in e.path for e in replica.log)


# --- every newsroom of the replica: company pages with and without the usual classes,
# --- police and fire offices (issue 13)

NEWSROOM_FIELDS = COMPARED + ["newsroom_kind", "office_code"]


@pytest.fixture(scope="module")
def every_newsroom_crawl(tmp_path_factory):
    from tests.replica import Replica

    with Replica(releases=120, seed=3) as replica:
        c = replica.corpus
        items, log = export(replica, tmp_path_factory.mktemp("every"),
                            "-a", f"publisher={','.join(map(str, c.publishers))}",
                            "-a", f"office={','.join(map(str, c.offices))}")
        yield replica, items, log


def test_a_crawl_of_every_newsroom_matches_the_truth_field_by_field(every_newsroom_crawl):
    replica, items, _ = every_newsroom_crawl
    c = replica.corpus
    expected = {sid for room in c.newsrooms for sid in c.stories(room)}
    got = [item["story_id"] for item in items]
    assert len(got) == len(set(got)) and set(got) == expected, (
        f"missing {sorted(expected - set(got))[:10]}, extra {sorted(set(got) - expected)[:10]}")
    differences = []
    for item in items:
        differences += field_differences(item, c.truth(item["story_id"]), NEWSROOM_FIELDS)
    assert not differences, f"{len(differences)} differences, first ones:\n" + "\n".join(differences[:15])


@pytest.mark.parametrize("office_id", [99001, 99002, 97012])
def test_every_office_variety_comes_out_right(every_newsroom_crawl, office_id):
    from tests.replica.corpus import OFFICE_SLOT_KINDS

    replica, items, _ = every_newsroom_crawl
    by_id = {item["story_id"]: item for item in items}
    for kind in OFFICE_SLOT_KINDS.values():
        sids = replica.corpus.cases(kind, office_id=office_id)
        assert sids, f"office {office_id} has no {kind!r} release"
        for sid in sids:
            assert not field_differences(by_id[sid], replica.corpus.truth(sid), NEWSROOM_FIELDS), (kind, sid)
            assert by_id[sid]["newsroom_kind"] == "office" and by_id[sid]["url"].endswith(f"/blaulicht/pm/{office_id}/{sid}")


def test_every_company_markup_variety_comes_out_right(every_newsroom_crawl):
    from tests.replica.corpus import MARKUP_PUBLISHER, MARKUP_SLOT_KINDS

    replica, items, _ = every_newsroom_crawl
    by_id = {item["story_id"]: item for item in items}
    for kind in MARKUP_SLOT_KINDS.values():
        sids = replica.corpus.cases(kind, MARKUP_PUBLISHER)
        assert sids, f"publisher {MARKUP_PUBLISHER} has no {kind!r} release"
        for sid in sids:
            assert not field_differences(by_id[sid], replica.corpus.truth(sid), NEWSROOM_FIELDS), (kind, sid)


def test_an_office_and_a_publisher_of_the_same_number_stay_apart(every_newsroom_crawl):
    replica, items, log = every_newsroom_crawl
    c = replica.corpus
    kinds = Counter((item["newsroom_kind"], item["publisher_id"]) for item in items)
    assert kinds[("office", 97012)] == len(c.stories(Newsroom("office", 97012)))
    assert kinds[("publisher", 97012)] == len(c.stories(Newsroom("publisher", 97012)))
    paths = [e.path for e in replica.log]
    assert "/blaulicht/nr/97012" in paths and "/nr/97012" in paths
    assert all(item["office_code"] == "BPOL-NH" for item in items if item["newsroom_kind"] == "office"
               and item["publisher_id"] == 97012)
