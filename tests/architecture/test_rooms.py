"""The shape of the house: dependencies run one way, and SQL lives in one room.

Both tests read the AST of every product module (crawler/, pipelines/); nothing is
imported. A failure names the module, the line and the import or string that broke
the rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("crawler", "pipelines")

# Each room (a module or package of the product) and the rooms of the product it may
# import. Lower rooms never import higher ones; `pipelines` may import all of crawler/,
# nothing in crawler/ imports `pipelines` (Scrapy reaches it through the settings).
BASE = {"crawler.items", "crawler.exitcodes", "crawler.signals", "crawler.state", "crawler.profiles",
        "crawler.environment"}
ALLOWED: dict[str, set[str]] = {
    "crawler": set(),  # the package itself; every module in it belongs to a room below
    "crawler.items": set(),
    "crawler.exitcodes": set(),
    "crawler.signals": set(),
    "crawler.state": {"crawler.items"},  # a newsroom is an items.Newsroom
    "crawler.profiles": set(),
    "crawler.environment": set(),  # numbers from the environment, checked for crawler/settings.py
    "crawler.normalize": BASE,
    "crawler.grammar": BASE | {"crawler.normalize"},
    "crawler.extract": BASE | {"crawler.grammar", "crawler.normalize"},
    "crawler.db": BASE,
    "crawler.middlewares": BASE,
    # the site's request budget, shared through PostgreSQL by every worker
    "crawler.budget": BASE | {"crawler.db", "crawler.middlewares"},
    # the job queue: jobs, tasks, workers; a refresh reads the site-wide feed
    "crawler.queue": BASE | {"crawler.db", "crawler.extract"},
    # releases from outside the site: dumps, API answers (read like the site's text)
    "crawler.imports": BASE | {"crawler.extract", "crawler.grammar", "crawler.normalize"},
    "crawler.spiders": BASE | {"crawler.extract", "crawler.grammar", "crawler.normalize", "crawler.imports"},
    # re-extraction reads the raw pages kept in PostgreSQL instead of the site
    "crawler.spiders.reextract": BASE | {"crawler.extract", "crawler.grammar", "crawler.normalize", "crawler.db",
                                         "crawler.spiders"},
    "crawler.extensions": BASE | {"crawler.db"},
    # the report and the metrics: read the store through crawler.db, draw, export
    "crawler.health": BASE | {"crawler.db"},
    "crawler.settings": BASE,
    # how Scrapy logs a dropped item: one line naming it (LOG_FORMATTER)
    "crawler.logformatter": BASE,
    # the summary line of a crawl, from its stats (the CLI's and the pre-check's)
    "crawler.summary": set(),
    # the cron job's pre-check before Scrapy starts (of the extensions only `_liveness`, which
    # needs no Scrapy: tests/cli/test_precheck.py); the full command when it cannot answer
    "crawler.precheck": BASE | {"crawler.db", "crawler.extensions", "crawler.settings", "crawler.summary",
                                "crawler.cli"},
    "crawler.cli": {"crawler"},
    # `scrapy crawl` checks the spider's arguments before it starts
    "crawler.commands": BASE | {"crawler.spiders"},
    "crawler.demo": {"crawler"},
    "pipelines": {"crawler", "pipelines"},
}


def modules() -> list[tuple[str, Path]]:
    found = []
    for top in PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found.append((".".join(parts), path))
    return found


def room_of(module: str) -> str:
    """The longest key of ALLOWED that `module` is, or is inside of."""
    best = ""
    for room in ALLOWED:
        inside = module == room or (room != "crawler" and module.startswith(room + "."))
        if inside and len(room) > len(best):
            best = room
    return best


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            # `from crawler import db` imports crawler.db: name each imported thing
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def test_every_product_module_belongs_to_a_room():
    homeless = [m for m, _ in modules() if not room_of(m)]
    assert not homeless, f"modules outside every room of ALLOWED (add them to a room): {homeless}"


def test_dependencies_run_one_way():
    broken = []
    for module, path in modules():
        room = room_of(module)
        allowed = ALLOWED[room] | {room}
        for line, name in imports_of(module, path):
            if not name.startswith(PRODUCT):
                continue
            target = room_of(name) or name
            if not any(target == a or target.startswith(a + ".") for a in allowed):
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {name} "
                              f"(room {room} may import {sorted(allowed)})")
    assert not broken, "imports against the direction of the rooms:\n" + "\n".join(broken)


def test_crawler_never_imports_pipelines():
    broken = [f"{path.relative_to(ROOT)}:{line} imports {name}"
              for module, path in modules() if module.startswith("crawler")
              for line, name in imports_of(module, path) if name.split(".")[0] == "pipelines"]
    assert not broken, "crawler/ must not import pipelines/ (Scrapy reaches the pipelines " \
                       "through ITEM_PIPELINES):\n" + "\n".join(broken)


SQL = re.compile(r"^\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|COPY|TRUNCATE)\s")
DRIVER = ("psycopg", "psycopg_pool", "psycopg2", "asyncpg")


def test_sql_and_the_driver_live_in_the_database_room_only():
    broken = []
    for module, path in modules():
        in_db = module == "crawler.db" or module.startswith("crawler.db.")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
                # even the database room keeps its SQL in .sql files
                broken.append(f"{path.relative_to(ROOT)}:{node.lineno} holds SQL: {node.value.strip()[:60]!r}")
        if in_db:
            continue
        for line, name in imports_of(module, path):
            if name.split(".")[0] in DRIVER:
                broken.append(f"{path.relative_to(ROOT)}:{line} imports the driver ({name}): "
                              "go through crawler.db")
    assert not broken, "SQL or driver calls outside crawler/db/*.sql and crawler/db:\n" + "\n".join(broken)


@pytest.mark.parametrize("name", ["status", "search", "export", "report", "metrics"])
def test_read_only_commands_never_migrate(name):
    source = (ROOT / "crawler" / "cli" / f"{name}.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    calls = {node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert not calls & {"migrate", "ensure_schema"}, f"`presseportal {name}` only reads: it must not migrate"


def test_one_function_starts_a_crawler_process():
    # crawl, backfill, import and reextract share `crawler.cli.inprocess.run_in_process`,
    # and with it the exit status of a run a second Ctrl-C stopped (130)
    starters = sorted({str(path.relative_to(ROOT)) for module, path in modules()
                       for _, name in imports_of(module, path)
                       if name in ("scrapy.crawler.CrawlerProcess", "scrapy.crawler.CrawlerRunner")})
    assert starters == ["crawler/cli/inprocess.py"]


def test_the_release_grammar_alone_reads_an_originalmeldung_line():
    # its heading words and pattern are the grammar's (crawler/grammar.py); a dump's
    # record takes the story it names from `ReleaseParts.original_url`
    readers = sorted({str(path.relative_to(ROOT)) for module, path in modules()
                      for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                      if isinstance(node, ast.Name | ast.Attribute | ast.alias)
                      and "ORIGINAL_LINK" in (getattr(node, "id", None) or getattr(node, "attr", None)
                                              or getattr(node, "name", ""))})
    assert readers == ["crawler/grammar.py"]
