"""gunicorn's settings for `gridwork serve` (loaded as ``-c python:server.gunicorn_conf``).

- Logs: every logger, gunicorn's own included, writes JSON lines to stderr (server/logs.py). gunicorn's
  access log stays off: the application writes one JSON line per request, with the request id, the
  URL rule and the signed-in account, which the access log cannot know.
- Metrics: with PROMETHEUS_MULTIPROC_DIR set (`gridwork serve` sets it), a worker that exits has its
  files marked dead, as prometheus_client's multiprocess mode asks (server/metrics.py).
"""

import os

from server.logs import logging_config

logconfig_dict = logging_config()
accesslog = None


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
