"""A small trend chart drawn on the server: the coordinates of an inline SVG (templates/_sparkline.html), so that
the board needs no chart script (and no CDN). Shares (``>=`` targets) are drawn on 0–100 %; ratios (``<=``) on
0 to a little above the largest value or the target. The target is a dashed line, each week a dot coloured by its
status, and a week without a figure a break in the line."""

from __future__ import annotations

WIDTH, HEIGHT, PAD = 132, 36, 4


def sparkline(points: list[dict], target: dict) -> dict:
    """``points``: [{"week", "value", "status"}] oldest first; ``target``: {"op", "value"}."""
    values = [p["value"] for p in points if p["value"] is not None]
    top = 1.0 if target["op"] == ">=" else max([target["value"], *values]) * 1.1 or 1.0
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return round(HEIGHT - PAD - (min(v, top) / top) * (HEIGHT - 2 * PAD), 1)

    dots: list[dict] = []
    lines: list[list[str]] = []
    run: list[str] = []
    for n, p in enumerate(points):
        x = round(PAD + n * step, 1)
        if p["value"] is None:
            if run:
                lines.append(run)
            run = []
            continue
        run.append(f"{x},{y(p['value'])}")
        dots.append({"x": x, "y": y(p["value"]), "status": p["status"], "week": p["week"], "value": p["value"]})
    if run:
        lines.append(run)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "target_y": y(target["value"]),
        "lines": [" ".join(r) for r in lines],
        "dots": dots,
        "ratio": target["op"] != ">=",
    }
