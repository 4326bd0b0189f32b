"""Development tools that are not part of the server: the private PostGIS under var/ (devdb).

The server package never imports this at module import time; only the `gridwork db`
commands and the fallback for an unset DATABASE_URL reach it, lazily (decision 0016).
"""
