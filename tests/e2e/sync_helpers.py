"""A phone syncing the change feed (GET /sync/changes), for the feed's tests: everything from a cursor,
and what the phone holds once it has applied it."""


def drain(client, cursor=None, limit=50):
    """What the feed answers from ``cursor``, page after page: (items, last cursor, whether a reset was seen).
    A reset voids what came before it; a phone starting over is never told to start over again."""
    items, more, reset = [], True, False
    while more:
        r = client.get("/api/v1/sync/changes", query_string={"limit": limit} | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        if body["reset"]:
            assert not reset, "a phone starting over must not be told to start over again"
            items, reset = [], True
        items += body["items"]
        cursor, more = body["next_cursor"], body["more"]
    return items, cursor, reset


def held(items) -> dict:
    """What a phone holds after applying ``items`` in order: {(type, id): data}."""
    out: dict = {}
    for item in items:
        if item["op"] == "delete":
            out.pop((item["type"], item["id"]), None)
        else:
            out[(item["type"], item["id"])] = item["data"]
    return out
