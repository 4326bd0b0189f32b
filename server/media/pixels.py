"""Decode and shrink the pixels of a checked photo with libvips (pyvips), in bounded memory.

``server/media/images.py`` decides whether a file is acceptable (type, structure, pixel budget) before
anything here runs; this module only turns its pixels into the derivatives' sizes:

* **Shrink on load.** JPEG is decoded at a 1/2, 1/4 or 1/8 DCT scale (by Pillow, see ``_jpeg``) and
  WebP at libwebp's own scale, so a 48 MP photo never exists at full size in memory. PNG has no reduced
  decode; libvips reads it sequentially (strip by strip) and shrinks it as it streams, so a 7000x7000
  PNG costs a few megabytes of pixels rather than 200 MB (bench/photos.py).
* **The largest derivative** is the decoded image itself when a DCT scale lands within 5 % below its
  target (a 4000x3000 photo at 1/2 is 2000x1500 for "2048"): resampling 12 MP to 2048 px costs more
  CPU than all the rest of the job (docs/performance.md, "Photo derivatives").
* Every image leaves as 8-bit sRGB, alpha flattened on white; any decoding error, truncation included
  (``fail_on="error"``), is ``DecodeFailed``; Pillow's errors on a JPEG pass through as they are.

libvips' operation cache is turned off (a job worker decodes each photo once; the cache would only keep
their buffers alive), and each pipeline runs on the calling thread alone (``concurrency_set(1)``): the job
worker already runs two jobs at once on two cores, and every libvips thread holds its own strip buffers.
Two 7000x7000 PNGs at once took one worker to 298 MB peak with libvips' default threads, 264 MB with one.

pyvips is imported on first use (``_vips``), not with this module: only the job worker makes derivatives,
and loading libvips costs each web worker ~11 MB of RSS for nothing (tests/integration/test_web_worker_imports.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    import pyvips


@cache
def _vips():
    """pyvips, loaded and set up once per process, by the first derivative it makes."""
    import pyvips

    pyvips.cache_set_max(0)
    pyvips.concurrency_set(1)
    return pyvips

SLACK = 0.95  # the largest derivative may be this much of its target when a decode scale lands there
_DCT_SCALES = (8, 4, 2)


class DecodeFailed(ValueError):
    """The pixels do not decode (truncated, corrupt, an unsupported variant)."""


@dataclass(frozen=True)
class Pixels:
    """8-bit RGB pixels, row-major, in the file's stored orientation."""

    width: int
    height: int
    data: bytes


def _dct_shrink(long_edge: int, target: int) -> int:
    for scale in _DCT_SCALES:
        if -(-long_edge // scale) >= target * SLACK:
            return scale
    return 1


def _load(data: bytes, content_type: str, long_edge: int, target: int, shrink: bool) -> pyvips.Image:
    options = {"access": "sequential", "fail_on": "error"}
    if content_type == "image/jpeg":
        return _jpeg(data, _dct_shrink(long_edge, target) if shrink else 1)
    if content_type == "image/webp":
        scale = min(1.0, target / long_edge) if shrink else 1.0
        return _vips().Image.webpload_buffer(data, scale=scale, **options)
    return _vips().Image.pngload_buffer(data, **options)


def _jpeg(data: bytes, scale: int) -> pyvips.Image:
    """JPEG through Pillow (libjpeg-turbo) at a DCT scale, then into libvips: as fast as vips' own loader at
    1/2 (bench/photos.py), and as tolerant as intake always was. vips' loader refuses what libjpeg only
    warns about (a repeated progressive scan, tests/unit/test_images.py), even with fail_on="none"; a JPEG
    cut short never gets here (images.check walked its markers to EOI). Memory stays bounded: a photo is
    decoded at full size only when half of it would be below the largest derivative (< 3,900 px)."""
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as img:
        width, height = img.size
        img.draft("RGB", (-(-width // scale), -(-height // scale)))
        img.load()
        rgb = img if img.mode == "RGB" else img.convert("RGB")
        return _vips().Image.new_from_memory(rgb.tobytes(), rgb.width, rgb.height, 3, "uchar")


def _srgb(image: pyvips.Image) -> pyvips.Image:
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")  # grey, 16-bit, CMYK -> 8-bit sRGB (alpha kept)
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    if image.bands > 3:
        image = image.extract_band(0, n=3)
    return image.cast("uchar")


def _resized(image: pyvips.Image, size: tuple[int, int]) -> pyvips.Image:
    if (image.width, image.height) == size:
        return image
    return image.resize(size[0] / image.width, vscale=size[1] / image.height, kernel="lanczos3")


def derivatives(
    data: bytes, content_type: str, stored: tuple[int, int], sizes: list[tuple[int, int]], *, shrink: bool = True
) -> list[Pixels]:
    """The pixels of each size in ``sizes`` (largest first, each the fit of the stored size to a target).
    The first may come out smaller than asked, by at most ``SLACK``, when ``shrink`` decoding lands there."""
    try:
        first = sizes[0]
        image = _srgb(_load(data, content_type, max(stored), max(first), shrink))
        if image.width < first[0] and image.height < first[1]:
            first = (image.width, image.height)  # a decode scale within SLACK of the target: kept as it is
        result = []
        for size in [first, *sizes[1:]]:  # the first pass streams the file; the others start from memory
            image = _resized(image, size)
            buffer = image.write_to_memory()
            result.append(Pixels(image.width, image.height, buffer))
            image = _vips().Image.new_from_memory(buffer, image.width, image.height, 3, "uchar")
        return result
    except _vips().Error as exc:
        raise DecodeFailed(str(exc).strip().splitlines()[-1] if str(exc).strip() else "decode failed") from exc
