"""The search examples of the README and of `presseportal search --help` find releases in
the demo's store: a new user tries them after `make demo`, so each query must find at
least one release of the replica's corpus as the demo crawls it (crawler/demo.py: its
size and seed, its publisher), and each `"X" finds "Y"` must find a release that says Y.

The examples are read from README.md and from the command's help, so that a change there
is a change here."""

from __future__ import annotations

import re
import shlex

import pytest

from crawler import demo
from tests.docs.readme import README, blocks, command_lines
from tests.helpers import presseportal
from tests.replica import Replica

pytestmark = pytest.mark.slow

FINDS = re.compile(r'"([^"]+)"\s+finds\s+"([^"]+)"')


def searched(command: str) -> str | None:
    """The query of a `presseportal search QUERY` command line; None for any other."""
    words = shlex.split(command, comments=True)
    for n, word in enumerate(words[:-2]):
        if word.rsplit("/", 1)[-1] == "presseportal" and words[n + 1] == "search":
            return None if words[n + 2].startswith("-") else words[n + 2]
    return None


def readme_examples() -> tuple[list[str], list[tuple[str, str]]]:
    """The README's queries (its `presseportal search` command lines, in code blocks and
    in the text, and the `query` (what it finds) examples of its Search paragraph) and
    its `"X" finds "Y"` pairs."""
    lines = [line for block in blocks(README, "sh") for line in command_lines(block)]
    lines += re.findall(r"`([^`]*presseportal search [^`]*)`", README)
    queries = [q for q in map(searched, lines) if q is not None]
    (paragraph,) = re.findall(r"^\*\*Search\*\*.*?(?=\n\n)", README, re.M | re.S)
    queries += re.findall(r"`([^`]+)`\s+\(", paragraph)
    return queries, FINDS.findall(paragraph)


def help_examples(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """`search --help`'s queries (the e.g. of its argument, the first column of its syntax
    table) and its `"X" finds "Y"` pairs."""
    queries = re.findall(r'e\.g\. "([^"]+)"', text)
    table = text.split("query syntax", 1)[1]
    queries += [re.split(r"\s{2,}", line.strip())[0] for line in table.splitlines() if line.startswith("  ")]
    return queries, FINDS.findall(" ".join(text.split()))


def test_every_search_example_of_the_readme_and_the_help_finds_releases_in_the_demos_store(database_url):
    with Replica(releases=demo.RELEASES, seed=demo.SEED) as replica:
        publisher = str(replica.corpus.publisher_id)
        crawl = presseportal(replica, "crawl", "--publisher", publisher, database_url=database_url)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        shown = presseportal(replica, "search", "--help")
        assert shown.returncode == 0, shown.stderr

        readme_queries, readme_pairs = readme_examples()
        help_queries, help_pairs = help_examples(shown.stdout)
        assert len(readme_queries) >= 6 and len(help_queries) >= 5, "the examples were not found"
        assert len(readme_pairs) >= 3 and len(help_pairs) >= 3, "the examples were not found"

        def found(query: str) -> list[dict]:
            done = presseportal(replica, "search", "--limit", "1000", query, database_url=database_url)
            assert done.returncode == 0 and "Traceback" not in done.stderr, (query, done.stderr[-2000:])
            ids = re.findall(rf"/pm/{publisher}/(\d+)$", done.stdout, re.M)
            return [replica.corpus.truth(int(sid)) for sid in ids]

        nothing = [q for q in dict.fromkeys(readme_queries + help_queries) if not found(q)]
        assert not nothing, (f"these search examples find nothing in the demo's store: {nothing}; "
                             "use words of the replica's texts (tests/replica/content.py)")
        for query, word in dict.fromkeys(readme_pairs + help_pairs):
            texts = [" ".join([r["title"], r["teaser"], r["body"], r["about"], *r["keywords"]]) for r in found(query)]
            assert any(word in text for text in texts), \
                f'"{query}" finds no release that says "{word}" in the demo\'s store: pick another pair'
