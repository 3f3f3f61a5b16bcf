"""Signals of this project (Scrapy's own are in scrapy.signals)."""

# A page could not be fetched or parsed. Arguments: url, stage ("fetch", "listing",
# "extract", "normalize", "validate"), reason, snippet (the start of the raw input).
page_failed = object()


def failure_reason(failure) -> str:
    """The reason to record for a failed page: its HTTP status, else the exception."""
    if failure is None:
        return "unknown error"
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"

# The run lock was taken again on a new session after the database came back
# (crawler.extensions.run_lock). Arguments: backend_pid, the server process of that session.
run_lock_moved = object()
