"""Did the whole page arrive? `missing_end(body) -> reason | None`, no I/O, no parse.

A response can be complete for HTTP (status 200, as many bytes as Content-Length said)
and still hold half a page: a proxy or the site's own renderer stopped writing. Parsed,
such a page looks like a story whose body is short and whose contact is empty, or a
listing with fewer cards; nothing in the fields says it was cut. What does say it: every
page of the site ends with its footer and the document's end
(``...</footer></div></body></html>`` on the real story page in
../shared/reference/), and everything the crawler reads (the story card with its
originator line, the sidebar tags, JSON-LD, the listing cards and pagination) comes
before the footer. A page that lacks the footer's end or the document's end was cut:
the spider treats it as a failed fetch (retried, then recorded in crawl_errors).

The originator line and the pagination are not required on their own: a police page
may lack the one, the last page of a newsroom lacks the other.
"""

from __future__ import annotations

# The footer of the real site is ~3 kB; 64 kB from the end leaves room for scripts after it.
TAIL_BYTES = 65_536
FOOTER_END = b"</footer>"
DOCUMENT_END = b"</html>"


def missing_end(body: bytes | str) -> str | None:
    """Why the page is not whole (which closing structure is missing), or None.

    `body` is the page as received (bytes) or decoded (str). Only its last TAIL_BYTES
    are read, case-insensitively, so the check costs microseconds."""
    if isinstance(body, str):
        body = body[-TAIL_BYTES:].encode("utf-8", "surrogatepass")
    tail = body[-TAIL_BYTES:].lower()
    if DOCUMENT_END not in tail:
        if FOOTER_END not in tail:
            return "truncated page: neither the page footer nor </html> arrived"
        return "truncated page: the document ends without </html>"
    if FOOTER_END not in tail:
        return "incomplete page: no page footer before </html>"
    return None
