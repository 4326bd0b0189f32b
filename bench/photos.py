"""Benchmark photo intake: `python bench/photos.py [RUNS] [--size 4000x3000] [--quality 92] [--orientation 1]`.

Builds one photograph-like JPEG (smooth colour fields, gradients and sensor-like
noise, numpy if installed, else Pillow only) with EXIF (GPS, time, camera,
orientation), then times ``server.media.images.process`` over RUNS runs
(default 10) and prints mean and p95 milliseconds per photo and the bytes of
each derivative. For comparison it times the same pipeline without JPEG draft
decoding, and an alternative strategy that decodes once per derivative size at
that size's draft scale.
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import ExifTags, Image

from server.media import images


def synthetic_photo(width: int, height: int, seed: int = 7) -> Image.Image:
    try:
        import numpy as np
    except ImportError:
        np = None
    if np is not None:
        rng = np.random.default_rng(seed)
        # Low-frequency "scene": a coarse random colour field, smoothly upsampled.
        coarse = Image.fromarray(rng.integers(30, 225, (9, 12, 3), dtype=np.uint8), "RGB")
        scene = np.asarray(coarse.resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32)
        # Mid-frequency texture (walls, foliage) and per-pixel sensor noise.
        texture = Image.fromarray(rng.integers(0, 255, (height // 16, width // 16), dtype=np.uint8), "L")
        texture = np.asarray(texture.resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32)
        noise = rng.normal(0, 6, (height, width, 1)).astype(np.float32)
        ramp = np.linspace(-25, 25, width, dtype=np.float32)[None, :, None]
        pixels = scene + (texture[..., None] - 128) * 0.25 + noise + ramp
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    size = (width, height)
    scene = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
            Image.radial_gradient("L").resize(size),
        ],
    )
    return Image.blend(scene, Image.effect_noise(size, 24).convert("RGB"), 0.2)


def photo_bytes(width: int, height: int, quality: int, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif[ExifTags.Base.Model] = "Redmi Note 12"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: "2024:05:06 14:30:00"}
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (30.0, 16.0, 19.56), 3: "E", 4: (120.0, 7.0, 57.0)}
    out = io.BytesIO()
    synthetic_photo(width, height).save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def per_size_drafts(data: bytes) -> dict[int, images.Derivative]:
    """The alternative strategy: re-open and draft-decode once per size (no resize chain)."""
    images._jpeg_structure(data)
    result = {}
    for target in images.SIZES:
        img = Image.open(io.BytesIO(data), formats=["JPEG"])
        size = images._fit(*img.size, target)
        img.draft("RGB", size)
        img.load()
        img = images._to_rgb(img)
        if img.size != size:
            img = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        result[target] = images._encode(img, target)
    return result


def timed(label: str, fn, runs: int) -> list[float]:
    fn()  # warm-up (imports, plugin registration)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    print(f"{label:<44} mean {statistics.fmean(samples):7.1f} ms   p95 {p95:7.1f} ms")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=10)
    parser.add_argument("--size", default="4000x3000", help="WIDTHxHEIGHT of the synthetic photo")
    parser.add_argument("--quality", type=int, default=92, help="JPEG quality of the synthetic photo")
    parser.add_argument("--orientation", type=int, default=1, help="EXIF orientation (6: phone held upright)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    data = photo_bytes(width, height, args.quality, args.orientation)
    print(
        f"photo: {width}x{height} ({width * height / 1e6:.1f} MP), {len(data):,} bytes JPEG q{args.quality}, "
        f"orientation {args.orientation}, Pillow {Image.__version__}, {args.runs} runs"
    )

    result = images.process(data)
    print(f"evidence: {result.evidence}")
    for target, derivative in result.derivatives.items():
        print(f"  {target:>4}: {derivative.width}x{derivative.height}  {len(derivative.data):>9,} bytes")

    opts = {"max_pixels": images.process.__kwdefaults__["max_pixels"], "zone": "Asia/Shanghai"}
    timed("process() (draft decode, resize chain)", lambda: images.process(data), args.runs)
    timed("same without draft decoding", lambda: images._process(data, draft=False, **opts), args.runs)
    timed("alternative: one draft decode per size", lambda: per_size_drafts(data), args.runs)

    def decode(draft: bool):
        img = Image.open(io.BytesIO(data), formats=["JPEG"])
        if draft:
            img.draft("RGB", images._fit(*img.size, max(images.SIZES)))
        img.load()

    timed("  decode only, full scale", lambda: decode(False), args.runs)
    timed("  decode only, draft for 2048", lambda: decode(True), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
