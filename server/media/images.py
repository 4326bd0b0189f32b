"""Photo intake: check an uploaded image, read its evidence, re-encode it.

Pure image processing (Pillow for the checks, evidence and encoding, libvips
through ``server/media/pixels.py`` for decoding and resizing; no web, database
or storage code), run on the bytes of one upload:

1. The type is decided by the content (``sniff``), never by a file name or a
   Content-Type header; HEIC and other formats are refused.
2. The container structure is walked before Pillow decodes anything: the file
   must be complete (JPEG EOI, PNG IEND, WebP RIFF length) and must not carry
   data after its end (polyglots: a ZIP or HTML page appended to a photo).
   The pixel size is read from the header and checked against ``max_pixels``
   before decoding (decompression bombs).
3. The pixels are decoded once, in bounded memory (``pixels.derivatives``):
   JPEG at the smallest DCT scale (1/2, 1/4, 1/8) that still gives at least
   95 % of the largest derivative, PNG streamed; any decoding failure is
   ``photo.corrupt``.
4. Evidence (when and where the photo was taken, which camera) is read from
   EXIF; the reported width and height are after EXIF orientation.
5. Three JPEG derivatives (long edge 2048, 1024, 320; never upscaled; each
   resized from the previous one with Lanczos-3; the largest is the DCT-scaled
   decode itself when that lands within 5 % below 2048, e.g. 2000 px for a
   4000 px photo; EXIF orientation applied) are
   encoded from fresh images built from the pixels alone, so no EXIF, XMP, ICC
   profile or comment reaches what is served. Output is deterministic for the
   same input and the same Pillow/libjpeg build.

The appended-data check is defence in depth: the real protection is that only
re-encoded derivatives are served (metadata segments inside a valid JPEG can
hold anything, too).

Nothing here changes global Pillow state: ``Image.MAX_IMAGE_PIXELS`` is left
as it is (our own, lower limit is checked first) and
``ImageFile.LOAD_TRUNCATED_IMAGES`` must stay off (checked on every call).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from PIL import Image, ImageFile

from server.media import pixels
from server.media.pixels import Pixels

SIZES = (2048, 1024, 320)
JPEG_QUALITY = 82
MAX_SCANS = 100          # a real progressive JPEG has ~10; thousands are a CPU-exhaustion trick

JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
_PIL_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}

# Errors Pillow raises on malformed input, while opening or decoding.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError,
                  TypeError, ZeroDivisionError, OverflowError)

_MESSAGES = {
    "photo.not_an_image": "This file is not a photo. Take the picture with the phone camera and upload it again.",
    "photo.unsupported_type": "Only JPEG, PNG and WebP photos can be uploaded. Save the picture as JPEG and "
                              "upload it again.",
    "heic": "HEIC photos cannot be uploaded. Set the phone camera to save JPEG (on iPhone: Settings > Camera > "
            "Formats > \"Most Compatible\"), then take the photo again.",
    "photo.too_many_pixels": "The photo has more than {limit} million pixels. Set the camera to a lower "
                             "resolution (for example 12 MP) and take the photo again.",
    "photo.corrupt": "The photo is damaged or incomplete, perhaps cut off during upload. Upload it again; if "
                     "that fails, take the photo again.",
    "photo.trailing_data": "The photo file has extra data after the picture. Upload the photo as the camera "
                           "saved it (with \"moving\"/\"live\" photo turned off), not a file changed by another app.",
}


class ImageRejected(ValueError):
    """An upload that is not an acceptable photo. ``code`` is stable; ``message`` is for the phone user."""

    def __init__(self, code: str, message: str | None = None):
        self.code = code
        self.message = message or _MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class Evidence:
    """What the photo says about where and when; read before metadata is stripped."""

    taken_at: datetime | None   # aware, UTC
    lon: float | None           # decimal degrees, west negative
    lat: float | None           # decimal degrees, south negative
    camera: str | None          # "Make Model"


@dataclass(frozen=True)
class Derivative:
    size: int                   # the long-edge target: 2048, 1024 or 320
    width: int
    height: int
    data: bytes                 # progressive JPEG, no metadata
    sha256: str


@dataclass(frozen=True)
class ProcessedImage:
    content_type: str           # from the content: image/jpeg, image/png, image/webp
    width: int                  # after EXIF orientation
    height: int
    evidence: Evidence
    derivatives: dict[int, Derivative]
    original_sha256: str


# --- type ------------------------------------------------------------------------------------------------------

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
                b"avif", b"avis"}


def sniff(data: bytes) -> str | None:
    """The content type from magic bytes alone: image/jpeg, image/png, image/webp or None."""
    head = bytes(data[:12])
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) == 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    return None


def _rejection_for_unknown(head: bytes) -> ImageRejected:
    """Recognisable but unsupported images (HEIC, GIF, TIFF) apart from everything else."""
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return ImageRejected("photo.unsupported_type", _MESSAGES["heic"])
    if head.startswith((b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")):
        return ImageRejected("photo.unsupported_type")
    return ImageRejected("photo.not_an_image")


# --- structure: completeness, trailing data, header dimensions ----------------------------------------------------

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# The end of entropy-coded data: 0xFF followed by a marker that is not stuffing (00), a restart (D0-D7) or fill (FF).
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _corrupt() -> ImageRejected:
    return ImageRejected("photo.corrupt")


def _jpeg_stream(data: bytes, pos: int) -> tuple[int, tuple[int, int], bool]:
    """Walk one JPEG stream from its SOI at ``pos``: (offset after EOI, (width, height), has MPF)."""
    n = len(data)
    if data[pos:pos + 2] != b"\xff\xd8":
        raise _corrupt()
    pos += 2
    size, mpf, scans = None, False, 0
    while True:
        if pos >= n or data[pos] != 0xFF:
            raise _corrupt()
        while pos < n and data[pos] == 0xFF:      # fill bytes
            pos += 1
        if pos >= n:
            raise _corrupt()
        marker = data[pos]
        pos += 1
        if marker == 0xD9:                        # EOI
            if size is None or scans == 0:
                raise _corrupt()
            return pos, size, mpf
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue                              # standalone markers
        if marker in (0x00, 0xD8) or pos + 2 > n:
            raise _corrupt()
        length = int.from_bytes(data[pos:pos + 2], "big")
        if length < 2 or pos + length > n:
            raise _corrupt()
        if marker in _SOF and size is None:
            if length < 7:
                raise _corrupt()
            height = int.from_bytes(data[pos + 3:pos + 5], "big")
            width = int.from_bytes(data[pos + 5:pos + 7], "big")
            size = (width, height)
        elif marker == 0xE2 and data[pos + 2:pos + 6] == b"MPF\x00":
            mpf = True
        pos += length
        if marker == 0xDA:                        # SOS: skip the entropy-coded data
            scans += 1
            if scans > MAX_SCANS:
                raise _corrupt()
            match = _SCAN_END.search(data, pos)
            if match is None:
                raise _corrupt()
            pos = match.start()


def _is_zeros(chunk: bytes) -> bool:
    return not chunk.strip(b"\x00")


def _jpeg_structure(data: bytes) -> tuple[int, int]:
    end, size, mpf = _jpeg_stream(data, 0)
    if _is_zeros(data[end:]):
        return size
    if not mpf:
        raise ImageRejected("photo.trailing_data")
    # Multi-Picture Format (iPhone and Android HDR gain maps, depth maps): further complete
    # JPEG streams may follow the primary image, optionally zero-padded. Nothing else may.
    n = len(data)
    pos = end
    while True:
        while pos < n and data[pos] == 0:
            pos += 1
        if pos == n:
            return size
        try:
            pos = _jpeg_stream(data, pos)[0]
        except ImageRejected:
            raise ImageRejected("photo.trailing_data") from None


def _png_structure(data: bytes) -> tuple[int, int]:
    n = len(data)
    pos, size = 8, None
    while True:
        if pos + 12 > n:
            raise _corrupt()
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > n:
            raise _corrupt()
        if size is None:
            if kind != b"IHDR" or length != 13:
                raise _corrupt()
            size = (int.from_bytes(data[pos + 8:pos + 12], "big"), int.from_bytes(data[pos + 12:pos + 16], "big"))
        pos = end
        if kind == b"IEND":
            break
    if pos != n:
        raise ImageRejected("photo.trailing_data")
    return size


def _webp_structure(data: bytes) -> tuple[int, int]:
    n = len(data)
    if n < 30:
        raise _corrupt()
    total = int.from_bytes(data[4:8], "little") + 8
    if total > n:
        raise _corrupt()
    if total < n:
        raise ImageRejected("photo.trailing_data")
    chunk, body = data[12:16], 20
    if chunk == b"VP8X":
        return (int.from_bytes(data[body + 4:body + 7], "little") + 1,
                int.from_bytes(data[body + 7:body + 10], "little") + 1)
    if chunk == b"VP8 " and data[body + 3:body + 6] == b"\x9d\x01\x2a":
        return (int.from_bytes(data[body + 6:body + 8], "little") & 0x3FFF,
                int.from_bytes(data[body + 8:body + 10], "little") & 0x3FFF)
    if chunk == b"VP8L" and data[body] == 0x2F:
        bits = int.from_bytes(data[body + 1:body + 5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise _corrupt()


_STRUCTURE = {JPEG: _jpeg_structure, PNG: _png_structure, WEBP: _webp_structure}


def _too_many_pixels(max_pixels: int) -> ImageRejected:
    return ImageRejected("photo.too_many_pixels",
                         _MESSAGES["photo.too_many_pixels"].format(limit=f"{max_pixels / 1e6:g}"))


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise _corrupt()
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)


# --- evidence ---------------------------------------------------------------------------------------------------

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_MAKE, _MODEL, _ORIENTATION = 0x010F, 0x0110, 0x0112
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}     # the mapping of ImageOps.exif_transpose
_SWAPS_AXES = {Image.Transpose.TRANSPOSE, Image.Transpose.TRANSVERSE, Image.Transpose.ROTATE_90,
               Image.Transpose.ROTATE_270}
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = "".join(ch for ch in value if ch.isprintable()).strip()
    return value or None


def _taken_at(exif_ifd, zone: str) -> datetime | None:
    text = _text(exif_ifd.get(_DATETIME_ORIGINAL))
    if text is None:
        return None
    try:
        naive = datetime.strptime(text[:19].replace("-", ":"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = _text(exif_ifd.get(_OFFSET_TIME_ORIGINAL))
    match = _OFFSET.fullmatch(offset) if offset else None
    tz: tzinfo
    if match and int(match[2]) <= 14 and int(match[3]) < 60:
        sign = -1 if match[1] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))
    else:
        tz = ZoneInfo(zone)
    return naive.replace(tzinfo=tz).astimezone(timezone.utc)


def _degrees(value, ref, positive: str, negative: str, limit: float) -> float | None:
    ref = _text(ref)
    if ref is None or ref.upper()[:1] not in (positive, negative):
        return None
    if not isinstance(value, (tuple, list)) or not 1 <= len(value) <= 3:
        return None
    total = 0.0
    for part, scale in zip(value, (1, 60, 3600)):
        if isinstance(part, (tuple, list)) and len(part) == 2:
            part = part[0] / part[1] if part[1] else math.nan
        part = float(part)
        if not math.isfinite(part) or part < 0:
            return None
        total += part / scale
    if total > limit:
        return None
    return -total if ref.upper()[:1] == negative else total


def _position(gps) -> tuple[float | None, float | None]:
    lat = _degrees(gps.get(2), gps.get(1), "N", "S", 90.0)
    lon = _degrees(gps.get(4), gps.get(3), "E", "W", 180.0)
    if lat is None or lon is None or (lat == 0 and lon == 0):   # 0,0: phones writing "no fix"
        return None, None
    return lon, lat


def _camera(exif) -> str | None:
    make, model = _text(exif.get(_MAKE)), _text(exif.get(_MODEL))
    if make and model and model.lower().startswith(make.lower()):
        make = None                                  # "Canon" + "Canon EOS R6" -> "Canon EOS R6"
    camera = " ".join(p for p in (make, model) if p)
    return camera[:120] or None


def _guarded(read, default):
    try:
        return read()
    except Exception:                                # garbled EXIF never rejects a photo
        return default


def _png_exif(data: bytes) -> Image.Exif | None:
    """The eXIf chunk of a checked PNG, wherever it is: Pillow's ``getexif`` would decode the whole image
    to find one after the pixel data."""
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        if data[pos + 4:pos + 8] == b"eXIf":
            exif = Image.Exif()
            exif.load(data[pos + 8:pos + 8 + length])
            return exif
        pos += 12 + length
    return None


def _evidence_and_orientation(img: Image.Image, data: bytes, content_type: str, zone: str) -> tuple[Evidence, int]:
    if content_type == PNG and "exif" not in img.info:
        exif = _guarded(lambda: _png_exif(data), None)
    else:
        exif = _guarded(img.getexif, None)
    if exif is None:
        return Evidence(None, None, None, None), 1
    exif_ifd = _guarded(lambda: exif.get_ifd(_EXIF_IFD), {})
    gps = _guarded(lambda: exif.get_ifd(_GPS_IFD), {})
    lon, lat = _guarded(lambda: _position(gps), (None, None))
    evidence = Evidence(taken_at=_guarded(lambda: _taken_at(exif_ifd, zone), None), lon=lon, lat=lat,
                        camera=_guarded(lambda: _camera(exif), None))
    orientation = _guarded(lambda: int(exif.get(_ORIENTATION, 1)), 1)
    return evidence, orientation


# --- derivatives ------------------------------------------------------------------------------------------------

def _fit(width: int, height: int, target: int) -> tuple[int, int]:
    """The size with long edge min(target, long edge), keeping the aspect ratio."""
    long = max(width, height)
    if long <= target:
        return width, height
    if width >= height:
        return target, max(1, round(height * target / width))
    return max(1, round(width * target / height)), target


def _encode(pixels: Pixels, target: int, method: Image.Transpose | None) -> Derivative:
    # A fresh image from the pixels alone: no info dict, EXIF, XMP or ICC profile can carry over.
    fresh = Image.frombytes("RGB", (pixels.width, pixels.height), pixels.data)
    if method is not None:
        fresh = fresh.transpose(method)
    out = io.BytesIO()
    # The largest size is a baseline JPEG with standard Huffman tables: progressive/optimised coding costs
    # ~5x the encoding CPU at 2048 px (37 vs 8 ms, bench/photos.py) for ~10 % fewer bytes. The smaller
    # sizes, shown first on slow links, stay progressive.
    largest = target == max(SIZES)
    fresh.save(out, "JPEG", quality=JPEG_QUALITY, progressive=not largest, optimize=not largest, subsampling="4:2:0")
    data = out.getvalue()
    return Derivative(size=target, width=fresh.width, height=fresh.height, data=data,
                      sha256=hashlib.sha256(data).hexdigest())


# --- the pipeline -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Checked:
    content_type: str
    width: int                  # as stored (before EXIF orientation, which decoding reads)
    height: int


def check(data: bytes, *, max_pixels: int = 50_000_000) -> Checked:
    """What the upload checks before accepting a photo, without decoding its pixels (milliseconds): the type
    from the content, the container complete and with nothing after its end (truncation, polyglots), the
    pixel count from the header, as we and Pillow read it (bombs). Decoding, evidence and derivatives come
    later (``process``, in the photos.derive job); a file that passes here and still fails to decode ends as
    a failed photo, never served."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is enabled; photo intake refuses to run with it")
    data = bytes(data)
    content_type = sniff(data)
    if content_type is None:
        raise _rejection_for_unknown(data[:12])
    _check_pixels(_STRUCTURE[content_type](data), max_pixels)
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[content_type]]) as img:
            _check_pixels(img.size, max_pixels)
            width, height = img.size
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except _DECODE_ERRORS:
        raise _corrupt() from None
    return Checked(content_type, width, height)


def process(data: bytes, *, max_pixels: int = 50_000_000, zone: str = "Asia/Shanghai") -> ProcessedImage:
    """Check, read and re-encode one uploaded photo; raises ImageRejected for anything unacceptable."""
    return _process(data, max_pixels=max_pixels, zone=zone, draft=True)


def _process(data: bytes, *, max_pixels: int, zone: str, draft: bool) -> ProcessedImage:
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is enabled; photo intake refuses to run with it")
    data = bytes(data)
    content_type = sniff(data)
    if content_type is None:
        raise _rejection_for_unknown(data[:12])

    header_size = _STRUCTURE[content_type](data)
    _check_pixels(header_size, max_pixels)
    try:
        img = Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[content_type]])
        _check_pixels(img.size, max_pixels)          # Pillow's reading of the header, still before decoding
        full_width, full_height = img.size
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except _DECODE_ERRORS:
        raise _corrupt() from None

    evidence, orientation = _evidence_and_orientation(img, data, content_type, zone)
    img.close()

    # Decode once, shrinking as it loads (server/media/pixels.py), then each size from the previous one, in
    # stored orientation; the EXIF orientation is applied to each derivative (the mapping of
    # ImageOps.exif_transpose): the same pixels as rotating first, without rotating megapixels.
    targets = sorted(SIZES, reverse=True)
    try:
        decoded = pixels.derivatives(data, content_type, (full_width, full_height),
                                     [_fit(full_width, full_height, t) for t in targets], shrink=draft)
    except (pixels.DecodeFailed, *_DECODE_ERRORS):
        raise _corrupt() from None
    method = _TRANSPOSE.get(orientation)
    derivatives = {target: _encode(p, target, method) for target, p in zip(targets, decoded)}
    if method in _SWAPS_AXES:
        full_width, full_height = full_height, full_width

    return ProcessedImage(content_type=content_type, width=full_width, height=full_height, evidence=evidence,
                          derivatives={s: derivatives[s] for s in SIZES},
                          original_sha256=hashlib.sha256(data).hexdigest())
