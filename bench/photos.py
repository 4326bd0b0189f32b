"""Benchmark photo derivatives: `python bench/photos.py [RUNS] [--engine pillow|vips|both] [--sizes ...] [--png ...]`.

Makes realistic photos once (smooth colour fields, texture and per-pixel sensor noise, with EXIF: GPS,
time, camera, orientation; numpy if installed) as noisy JPEGs, 12 MP (4000x3000) and 48 MP (8000x6000)
by default, and a 7000x7000 PNG with alpha (the largest PNG the default pixel budget accepts, smooth
enough to stay under the 12 MiB upload limit). Then, for every photo and engine, a **fresh subprocess**
(the job worker's imports loaded) runs the derivatives RUNS times (default 5) after one warm-up and
reports CPU milliseconds per photo (time.process_time, mean and p95) and its peak RSS
(resource.getrusage ru_maxrss, so the warm-up's peak counts too). The engines:

* ``before``: the pipeline as it was before issue 17's tuning (Pillow: JPEG draft only when the DCT
  scale stays >= 2048 px, full decode otherwise, Lanczos chain, alpha composited at full size); always
  run, as the baseline of the ratios;
* ``pillow``: tuned Pillow (draft within 5 % of 2048 px, ``reduce`` right after decoding a PNG or WebP,
  alpha composited after that, Lanczos with ``reducing_gap=2``, baseline JPEG for the largest size);
* ``vips``: what the server runs, ``server.media.images.process`` (server/media/pixels.py).

Both tuned engines make the same sizes (2000x1500 for "2048" from 4000x3000). CPU time, not wall time,
is the figure: the machine may be shared (wall time is printed too).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import ExifTags, Image  # noqa: E402

ENGINES = ("before", "pillow", "vips")


# --- the photos -------------------------------------------------------------------------------------------------


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


def png_bytes(width: int, height: int) -> bytes:
    """RGBA gradients: decodes to as many bytes as any 8-bit PNG of this size, compresses to well under 12 MiB."""
    size = (width, height)
    grey = Image.linear_gradient("L").resize(size)
    rgb = [grey, grey.rotate(90), Image.radial_gradient("L").resize(size)]
    out = io.BytesIO()
    Image.merge("RGBA", [*rgb, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]).save(out, "PNG", compress_level=9)
    return out.getvalue()


# --- the engines that are not the server's ----------------------------------------------------------------------


def _open(data: bytes):
    from server.media import images

    content_type = images.sniff(data)
    images._STRUCTURE[content_type](data)
    return content_type, Image.open(io.BytesIO(data), formats=[images._PIL_FORMAT[content_type]])


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        img = img.convert("I").point(lambda v: v / 257).convert("L")
    return img.convert("RGB") if img.mode != "RGB" else img


def _encode(img: Image.Image, largest: bool) -> bytes:
    out = io.BytesIO()
    fresh = Image.frombytes("RGB", img.size, img.tobytes())
    fresh.save(out, "JPEG", quality=82, progressive=not largest, optimize=not largest, subsampling="4:2:0")
    return out.getvalue()


def _chain(img: Image.Image, sizes: list[tuple[int, int]], gap: float) -> dict[int, tuple[int, int, int]]:
    from server.media.images import SIZES

    result, current = {}, img
    for target, size in zip(SIZES, sizes, strict=True):
        if current.size != size:
            current = current.resize(size, Image.Resampling.LANCZOS, reducing_gap=gap)
        result[target] = (*current.size, len(_encode(current, target == max(SIZES))))
    return result


def before(data: bytes) -> dict[int, tuple[int, int, int]]:
    """The pipeline before the tuning of issue 17 (Pillow only)."""
    from server.media.images import JPEG, SIZES, _fit

    content_type, img = _open(data)
    width, height = img.size
    if content_type == JPEG:
        img.draft("RGB", _fit(width, height, max(SIZES)))
    img.load()
    img.getexif()
    return _chain(_to_rgb(img), [_fit(width, height, t) for t in SIZES], 3.0)


def pillow_tuned(data: bytes) -> dict[int, tuple[int, int, int]]:
    """Pillow tuned: DCT scale within 5 % of the largest size, reduce() on load for PNG/WebP, alpha after."""
    from server.media import pixels
    from server.media.images import JPEG, SIZES, _fit

    content_type, img = _open(data)
    width, height = img.size
    long_edge = max(width, height)
    if content_type == JPEG:
        scale = pixels._dct_shrink(long_edge, max(SIZES))
        img.draft("RGB", (-(-width // scale), -(-height // scale)))
    img.getexif()
    img.load()
    factor = max(1, math.floor(long_edge / (max(SIZES) * pixels.SLACK)))
    if content_type != JPEG and factor > 1:
        img = img.convert("RGBA" if "A" in img.mode or "transparency" in img.info else "RGB").reduce(factor)
    img = _to_rgb(img)
    sizes = [_fit(width, height, t) for t in SIZES]
    if img.width < sizes[0][0] and img.height < sizes[0][1]:
        sizes[0] = img.size
    return _chain(img, sizes, 2.0)


def vips(data: bytes) -> dict[int, tuple[int, int, int]]:
    from server.media import images

    result = images.process(data)
    return {s: (d.width, d.height, len(d.data)) for s, d in result.derivatives.items()}


# --- one case in a fresh process --------------------------------------------------------------------------------


def child(engine: str, path: str, runs: int) -> None:
    # the job worker's imports, for a realistic baseline RSS
    import server.app
    import server.jobs.tasks  # noqa: F401

    data = Path(path).read_bytes()
    fn = {"before": before, "pillow": pillow_tuned, "vips": vips}[engine]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sizes = fn(data)  # warm-up; its peak counts
    cpu, wall = [], []
    for _ in range(runs):
        started, started_wall = time.process_time(), time.perf_counter()
        fn(data)
        cpu.append((time.process_time() - started) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ordered = sorted(cpu)
    print(
        json.dumps(
            {
                "cpu_ms": statistics.fmean(cpu),
                "cpu_p95_ms": ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)],
                "wall_ms": statistics.fmean(wall),
                "peak_mb": peak / 1024,
                "base_mb": base / 1024,
                "sizes": sizes,
            }
        )
    )


def run_case(engine: str, path: Path, runs: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(path), str(runs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_photos(directory: Path, sizes: list[str], quality: int, orientation: int, png: str | None) -> list[Path]:
    """In a subprocess of its own: generating 48 MP with numpy takes ~1.5 GB, which must not inflate the
    ru_maxrss the measuring children inherit."""
    spec = json.dumps({"dir": str(directory), "sizes": sizes, "q": quality, "o": orientation, "png": png})
    subprocess.run([sys.executable, __file__, "--make", spec], check=True, cwd=ROOT)
    paths = [directory / f"{s}.jpg" for s in sizes]
    return paths + ([directory / f"{png}.png"] if png else [])


def _make(spec: dict) -> None:
    for size in spec["sizes"]:
        width, height = (int(v) for v in size.lower().split("x"))
        (Path(spec["dir"]) / f"{size}.jpg").write_bytes(photo_bytes(width, height, spec["q"], spec["o"]))
    if spec["png"]:
        width, height = (int(v) for v in spec["png"].lower().split("x"))
        (Path(spec["dir"]) / f"{spec['png']}.png").write_bytes(png_bytes(width, height))


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    if sys.argv[1:2] == ["--make"]:
        _make(json.loads(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=5)
    parser.add_argument("--engine", choices=("pillow", "vips", "both"), default="both")
    parser.add_argument("--sizes", default="4000x3000,8000x6000", help="WIDTHxHEIGHT of the noisy JPEGs, comma list")
    parser.add_argument("--png", default="7000x7000", help="WIDTHxHEIGHT of the RGBA PNG ('' for none)")
    parser.add_argument("--quality", type=int, default=92, help="JPEG quality of the synthetic photos")
    parser.add_argument("--orientation", type=int, default=1, help="EXIF orientation (6: phone held upright)")
    args = parser.parse_args()
    engines = ["before", *(("pillow", "vips") if args.engine == "both" else (args.engine,))]
    import pyvips

    print(
        f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}), Pillow {Image.__version__}, "
        f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}; {args.runs} runs per case after "
        f"a warm-up, each case in a fresh process; CPU ms = time.process_time per photo"
    )
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        paths = make_photos(Path(tmp), args.sizes.split(","), args.quality, args.orientation, args.png or None)
        print(
            f"{'photo':<24} {'engine':<7} {'CPU ms':>7} {'p95':>7} {'vs before':>9} {'wall ms':>8} "
            f"{'peak RSS':>9} {'(base)':>7}  derivatives"
        )
        for path in paths:
            label = f"{path.stem} {path.suffix[1:]} {path.stat().st_size / 1e6:.1f} MB"
            baseline = None
            for engine in engines:
                r = run_case(engine, path, args.runs)
                baseline = baseline or r["cpu_ms"]
                sizes = " ".join(f"{w}x{h}" for w, h, _ in r["sizes"].values())
                print(
                    f"{label:<24} {engine:<7} {r['cpu_ms']:7.1f} {r['cpu_p95_ms']:7.1f} "
                    f"{baseline / r['cpu_ms']:8.2f}x {r['wall_ms']:8.1f} {r['peak_mb']:6.0f} MB "
                    f"{r['base_mb']:4.0f} MB  {sizes}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
