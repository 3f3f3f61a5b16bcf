"""The worker's log: a job that ends as the queue expects is one line with its reason;
a bug keeps its traceback (procrastinate's own logger, through `OneLineJobEnds`)."""

from __future__ import annotations

import logging

from crawler.queue.tasks import CrawlFailed, NoFeed, Released
from crawler.queue.worker import one_line_job_ends


def log_job_end(exc: BaseException, caplog) -> logging.LogRecord:
    one_line_job_ends()
    one_line_job_ends()  # once is enough: installing it again changes nothing
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="procrastinate.worker"):
        try:
            raise exc
        except BaseException as raised:
            # as procrastinate's worker logs a job's end (worker._log_job_outcome)
            logging.getLogger("procrastinate.worker").log(
                logging.ERROR, "Job crawl_newsroom[%d] ended with status: Error", 5, exc_info=raised)
    (record,) = caplog.records
    return record


def test_a_failed_crawl_and_a_released_job_are_one_line_with_their_reason(caplog):
    record = log_job_end(CrawlFailed("run 5 errors: 1 failed page(s)"), caplog)
    assert record.getMessage() == "Job crawl_newsroom[5] ended with status: Error - crawl failed: run 5 errors: 1 failed page(s)"
    assert record.exc_info is None and "Traceback" not in caplog.text
    record = log_job_end(Released("the worker stopped; the job went back on the queue"), caplog)
    assert record.getMessage().endswith("- released: the worker stopped; the job went back on the queue")
    assert "Traceback" not in caplog.text
    assert len(logging.getLogger("procrastinate.worker").filters) == 1



def test_a_refresh_the_site_turned_away_is_one_line_with_its_reason(caplog):
    reason = "/rss/presseportal.rss2 answered 429: the site asked to wait 3 s, and every worker does"
    record = log_job_end(NoFeed(reason), caplog)
    assert record.getMessage().endswith(f"- no refresh this cycle: {reason}")
    assert record.exc_info is None and "Traceback" not in caplog.text

def test_a_bug_in_a_task_keeps_its_traceback(caplog):
    record = log_job_end(KeyError("newsroom"), caplog)
    assert record.exc_info is not None and "Traceback" in caplog.text and "KeyError" in caplog.text
