"""An offline replica of presseportal.de: corpus with ground truth + HTTP server.

    from tests.replica import Replica
    with Replica(releases=300, seed=1, page_size=30) as r:
        r.base_url, r.corpus.story_ids(), r.corpus.truth(sid)

See README.md in this folder.
"""

from .corpus import Corpus, make_teaser
from .faults import Faults, LogEntry, RequestLog
from .server import Replica

__all__ = ["Replica", "Corpus", "Faults", "LogEntry", "RequestLog", "make_teaser"]
