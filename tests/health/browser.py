"""A real browser for the report: Debian's Chromium, headless, driven by Playwright.

Playwright's Python package speaks the DevTools protocol to the `chromium` that apt
installs (`executable_path`); it never downloads a browser of its own. The network is
off three ways: the browser context is offline, every host name resolves to nothing,
and the background services that phone home are disabled; every request the page makes
is recorded, so a test can show that the file asked for nothing else.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = ("Debian's chromium is not installed here (as root: apt-get install -y chromium; "
           ".ci/run installs it, so CI runs this test)")
FLAGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing leaves the machine
]

# What the page shows, read in the page: every element with a data-key (the numbers, with
# the row they are in), and every group of marks the charts drew (see
# crawler/health/charts.py), with how many of its elements the browser laid out with a size.
READ_PAGE = """() => {
  const sized = el => { const r = el.getBoundingClientRect(); return r.width > 0 || r.height > 0; };
  const values = [...document.querySelectorAll('[data-key]')].map(el => {
    const row = el.closest('tr');
    return {key: el.dataset.key, value: el.dataset.value, text: el.textContent.trim(),
            section: el.closest('section') ? el.closest('section').id : '',
            row: row ? Object.assign({}, row.dataset) : {}};
  });
  const marks = {};
  for (const g of document.querySelectorAll('svg.chart g[id]')) {
    const items = [...g.querySelectorAll('path, use')];
    const box = g.getBoundingClientRect();
    marks[g.id] = {elements: items.length, sized: items.filter(sized).length,
                   width: box.width, height: box.height};
  }
  const charts = {};
  for (const fig of document.querySelectorAll('figure[id]')) {
    const svg = fig.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    charts[fig.id] = {width: box.width, height: box.height,
                      elements: svg ? svg.querySelectorAll('*').length : 0};
  }
  const sections = [...document.querySelectorAll('section[id]')].map(s => s.id);
  return {values, marks, charts, sections, title: document.title};
}"""


@dataclass
class Rendered:
    """What Chromium made of a page."""

    url: str
    screenshot: Path
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    page: dict[str, Any] = field(default_factory=dict)

    def _found(self, key: str, section: str | None, row: dict[str, Any]) -> list[dict[str, Any]]:
        return [v for v in self.page["values"]
                if v["key"] == key and (section is None or v["section"] == section)
                and all(v["row"].get(k) == str(x) for k, x in row.items())]

    def values(self, key: str, section: str | None = None, **row: Any) -> list[str]:
        """The data-value of every element with data-key `key` (in `section`, in rows whose
        data-* attributes include `row`), in page order."""
        return [v["value"] for v in self._found(key, section, row)]

    def value(self, key: str, section: str | None = None, **row: Any) -> str:
        found = self.values(key, section, **row)
        assert len(found) == 1, f"expected one {key!r} {section or ''} {row or ''} in the page, found {found}"
        return found[0]

    def texts(self, key: str, section: str | None = None, **row: Any) -> list[str]:
        return [v["text"] for v in self._found(key, section, row)]

    def marks(self, prefix: str) -> dict[str, dict[str, Any]]:
        return {gid: m for gid, m in self.page["marks"].items() if gid.startswith(prefix)}


def render(html: Path, screenshot: Path, *, width: int = 1200) -> Rendered:
    """Open `html` in headless Chromium with the network off, take a full-page screenshot
    and read the page (READ_PAGE). Call only when CHROMIUM is set."""
    from playwright.sync_api import sync_playwright

    url = html.resolve().as_uri()
    seen = Rendered(url=url, screenshot=screenshot)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
            page = context.new_page()
            page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: seen.page_errors.append(str(exc)))
            page.on("request", lambda r: seen.requests.append(r.url))
            page.on("requestfailed", lambda r: seen.failed_requests.append(r.url))
            page.goto(url, wait_until="load")
            seen.page = page.evaluate(READ_PAGE)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return seen


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.health.browser REPORT.html SCREENSHOT.png`: the screenshot of a
    report as the tests take it (docs/report.png is made so, from `make demo`'s report)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m tests.health.browser", description=main.__doc__)
    ap.add_argument("html", type=Path)
    ap.add_argument("png", type=Path)
    args = ap.parse_args(argv)
    if CHROMIUM is None:
        print(MISSING)
        return 1
    seen = render(args.html, args.png)
    problems = seen.console_errors + seen.page_errors + [u for u in seen.requests if u != seen.url]
    print(f"wrote {args.png}" + (f"; problems: {problems}" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
