"""Background jobs, stored in our PostgreSQL by procrastinate (decision 0017).

- ``queue``: the procrastinate app and ``defer``, which enqueues a job on the caller's own database
  connection, so a job exists exactly when the data it works on committed.
- ``tasks``: what the worker runs (photo derivatives, nightly tier recompute, pending-photo cleanup).
- ``worker``: ``gridwork jobs worker`` (started by ``gridwork serve`` alongside gunicorn).
"""
