"""Photo intake: type by content, evidence from EXIF, orientation, clean derivatives, rejections.

Every image is built here with Pillow; no image files are committed.
"""

import hashlib
import io
import os
import struct
import warnings
import zlib
from datetime import UTC, datetime

import pytest
from PIL import ExifTags, Image, ImageFile, ImageFilter, ImageStat
from PIL.TiffImagePlugin import IFDRational

from server.media import images
from server.media.images import SIZES, ImageRejected, process, sniff

LON, LAT = 120.1325, 30.2721  # West Lake, Hangzhou


def encode(img, fmt, **params):
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def dms(degrees):
    d = int(degrees)
    m = int((degrees - d) * 60)
    return (float(d), float(m), round((degrees - d - m / 60) * 3600, 4))


def make_exif(
    *,
    orientation=None,
    taken="2024:05:06 14:30:00",
    offset=None,
    gps=(LON, LAT),
    refs=("E", "N"),
    make="Xiaomi",
    model="Redmi Note 12",
):
    exif = Image.Exif()
    if make is not None:
        exif[ExifTags.Base.Make] = make
    if model is not None:
        exif[ExifTags.Base.Model] = model
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif_ifd = {}
    if taken is not None:
        exif_ifd[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    if exif_ifd:
        exif[ExifTags.IFD.Exif] = exif_ifd
    if gps is not None:
        lon, lat = gps
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: refs[1],
            ExifTags.GPS.GPSLatitude: dms(lat),
            ExifTags.GPS.GPSLongitudeRef: refs[0],
            ExifTags.GPS.GPSLongitude: dms(lon),
        }
    return exif


def photo(size=(400, 300)):
    """Photograph-like content (gradients + noise), so JPEG sizes and resampling are realistic."""
    colour = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
            Image.new("L", size, 90),
        ],
    )
    return Image.blend(colour, Image.effect_noise(size, 50).convert("RGB"), 0.35)


def jpeg(size=(400, 300), **exif):
    return encode(photo(size), "JPEG", quality=90, exif=make_exif(**exif))


def png_with_alpha(size=(300, 200), fill=(255, 0, 0, 0)):
    return encode(Image.new("RGBA", size, fill), "PNG")


def webp(size=(300, 200)):
    return encode(photo(size), "WEBP", quality=80)


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def jpeg_markers(data):
    """The markers of a JPEG up to its first scan, e.g. [0xD8, 0xE0, 0xDB, 0xC2, 0xC4, 0xDA]."""
    markers, pos = [0xD8], 2
    while True:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")


def rejection(data, **kw):
    with pytest.raises(ImageRejected) as caught:
        process(data, **kw)
    assert caught.value.message and caught.value.message == str(caught.value)
    return caught.value.code


# --- type by content --------------------------------------------------------------------------------------------


def test_type_is_decided_by_content_not_by_name():
    data = jpeg()
    named_png = {"filename": "IMG_0001.png", "content_type": "image/png", "data": data}
    assert sniff(named_png["data"]) == "image/jpeg"
    assert process(named_png["data"]).content_type == "image/jpeg"


def test_png_and_webp_are_sniffed_and_processed():
    assert sniff(png_with_alpha()) == "image/png"
    assert sniff(webp()) == "image/webp"
    assert process(png_with_alpha()).content_type == "image/png"
    assert process(webp()).content_type == "image/webp"


def test_anything_else_sniffs_as_nothing():
    assert sniff(b"") is None
    assert sniff(b"<html><body>hi</body></html>") is None
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") is None
    assert sniff(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None


# --- evidence ---------------------------------------------------------------------------------------------------


def test_evidence_reads_gps_as_signed_decimal_degrees():
    evidence = process(jpeg()).evidence
    assert evidence.lon == pytest.approx(LON, abs=1e-5)
    assert evidence.lat == pytest.approx(LAT, abs=1e-5)


def test_west_and_south_are_negative():
    evidence = process(jpeg(gps=(74.0060, 40.7128), refs=("W", "S"))).evidence
    assert evidence.lon == pytest.approx(-74.0060, abs=1e-5)
    assert evidence.lat == pytest.approx(-40.7128, abs=1e-5)


def test_time_without_offset_is_read_in_shanghai_and_returned_in_utc():
    taken_at = process(jpeg(taken="2024:05:06 14:30:00")).evidence.taken_at
    assert taken_at == datetime(2024, 5, 6, 6, 30, tzinfo=UTC)
    assert taken_at.utcoffset().total_seconds() == 0


def test_time_without_offset_uses_the_zone_given():
    taken_at = process(jpeg(taken="2024:01:06 14:30:00"), zone="Asia/Urumqi").evidence.taken_at
    assert taken_at == datetime(2024, 1, 6, 8, 30, tzinfo=UTC)


def test_offset_time_original_wins_over_the_zone():
    taken_at = process(jpeg(taken="2024:05:06 14:30:00", offset="-05:00")).evidence.taken_at
    assert taken_at == datetime(2024, 5, 6, 19, 30, tzinfo=UTC)


def test_camera_is_make_and_model_trimmed():
    assert process(jpeg(make="  Xiaomi\x00", model="Redmi Note 12 ")).evidence.camera == "Xiaomi Redmi Note 12"
    assert process(jpeg(make="Canon", model="Canon EOS R6")).evidence.camera == "Canon EOS R6"


def test_a_photo_without_exif_has_empty_evidence():
    evidence = process(encode(photo(), "JPEG")).evidence
    assert (evidence.taken_at, evidence.lon, evidence.lat, evidence.camera) == (None, None, None, None)


@pytest.mark.parametrize(
    "garbled",
    [
        {"taken": "    :  :     :  :  ", "gps": (LON, LAT), "refs": ("E", "?")},
        {"taken": "yesterday", "gps": (0.0, 0.0)},
        {"taken": "2024:13:45 99:00:00", "gps": (LON, 95.0)},
    ],
)
def test_garbled_evidence_is_none_and_the_photo_is_still_accepted(garbled):
    result = process(jpeg(**garbled))
    assert result.evidence.taken_at is None
    assert (result.evidence.lon, result.evidence.lat) == (None, None)
    assert set(result.derivatives) == set(SIZES)


def test_a_gps_rational_with_a_zero_denominator_gives_no_position():
    exif = make_exif()
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (30.0, IFDRational(16, 0), 0.0), 3: "E", 4: (120.0, 7.0, 57.0)}
    evidence = process(encode(photo(), "JPEG", exif=exif)).evidence
    assert (evidence.lon, evidence.lat) == (None, None)
    assert evidence.camera == "Xiaomi Redmi Note 12"


# --- orientation and derivatives --------------------------------------------------------------------------------


def test_exif_orientation_is_applied_before_sizes_are_reported():
    stored = photo((400, 300))
    stored.paste((255, 0, 0), (0, 0, 60, 60))  # a red mark in the stored top-left corner
    result = process(encode(stored, "JPEG", quality=95, exif=make_exif(orientation=6)))
    assert (result.width, result.height) == (300, 400)
    shown = Image.open(io.BytesIO(result.derivatives[2048].data))
    assert shown.size == (300, 400)
    # Orientation 6 means "rotate 90° clockwise to display": the mark ends up top-right.
    r, g, b = shown.getpixel((shown.width - 10, 10))
    assert r > 200 and g < 60 and b < 60
    assert shown.getpixel((10, 10)) != pytest.approx((255, 0, 0), abs=60)


@pytest.mark.parametrize(
    "size, expected",
    [
        ((2500, 1250), {2048: (2048, 1024), 1024: (1024, 512), 320: (320, 160)}),
        ((800, 600), {2048: (800, 600), 1024: (800, 600), 320: (320, 240)}),
        ((1000, 3000), {2048: (683, 2048), 1024: (341, 1024), 320: (107, 320)}),
    ],
)
def test_three_derivatives_with_long_edge_capped_never_upscaled(size, expected):
    result = process(jpeg(size))
    assert list(result.derivatives) == [2048, 1024, 320]
    for target, derivative in result.derivatives.items():
        assert derivative.size == target
        assert (derivative.width, derivative.height) == expected[target]
        assert Image.open(io.BytesIO(derivative.data)).size == expected[target]


def test_draft_decoding_gives_the_same_sizes_as_full_decoding():
    data = jpeg((4099, 2051))  # odd sizes: draft rounds up, the derivatives must not
    fast = process(data)
    full = images._process(data, max_pixels=50_000_000, zone="Asia/Shanghai", draft=False)
    assert (
        {s: (d.width, d.height) for s, d in fast.derivatives.items()}
        == {s: (d.width, d.height) for s, d in full.derivatives.items()}
        == {2048: (2048, 1025), 1024: (1024, 512), 320: (320, 160)}
    )
    assert (fast.width, fast.height) == (4099, 2051)
    # Draft decoding stops at a scale no smaller than the largest derivative: fine detail (the noise) survives.
    detail = [
        ImageStat.Stat(
            Image.open(io.BytesIO(r.derivatives[2048].data)).convert("L").filter(ImageFilter.FIND_EDGES)
        ).stddev[0]
        for r in (fast, full)
    ]
    assert detail[0] == pytest.approx(detail[1], rel=0.2)


def test_derivatives_are_jpegs_with_no_metadata_progressive_below_the_largest():
    source = encode(
        photo((1200, 900)),
        "JPEG",
        exif=make_exif(orientation=1),
        icc_profile=b"\x00" * 128 + b"acsp",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>',
        comment=b"grid 7 visit",
    )
    result = process(source)
    for size, derivative in result.derivatives.items():
        reopened = Image.open(io.BytesIO(derivative.data))
        assert reopened.format == "JPEG"
        frame = 0xC0 if size == max(result.derivatives) else 0xC2  # baseline for the largest (speed), else SOF2
        assert dict(reopened.getexif()) == {}
        assert not {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"} & set(reopened.info)
        assert set(jpeg_markers(derivative.data)) <= {0xD8, 0xE0, 0xDB, frame, 0xC4, 0xDA}  # JFIF only
        for secret in (b"Exif", b"Xiaomi", b"xmpmeta", b"ICC_PROFILE", b"grid 7"):
            assert secret not in derivative.data


def test_png_alpha_is_composited_on_white():
    half_red = process(png_with_alpha(fill=(255, 0, 0, 128))).derivatives[320]
    clear = process(png_with_alpha(fill=(0, 0, 0, 0))).derivatives[320]
    assert Image.open(io.BytesIO(clear.data)).getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=3)
    assert Image.open(io.BytesIO(half_red.data)).getpixel((5, 5)) == pytest.approx((255, 127, 127), abs=4)


def test_the_same_input_gives_the_same_bytes():
    data = jpeg((1500, 1000))
    first, second = process(data), process(data)
    assert {s: d.sha256 for s, d in first.derivatives.items()} == {s: d.sha256 for s, d in second.derivatives.items()}
    assert first.original_sha256 == second.original_sha256 == hashlib.sha256(data).hexdigest()
    for derivative in first.derivatives.values():
        assert derivative.sha256 == hashlib.sha256(derivative.data).hexdigest()


# --- rejections -------------------------------------------------------------------------------------------------


def test_random_bytes_are_not_an_image():
    assert rejection(os.urandom(4096)) == "photo.not_an_image"


def test_a_text_file_is_not_an_image():
    assert rejection("门牌号 12, 二单元\n".encode() * 20) == "photo.not_an_image"


def test_heic_is_refused_with_advice_to_shoot_jpeg():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + os.urandom(512)
    with pytest.raises(ImageRejected) as caught:
        process(heic)
    assert caught.value.code == "photo.unsupported_type"
    assert "JPEG" in caught.value.message and "Most Compatible" in caught.value.message


def test_a_truncated_jpeg_is_corrupt():
    data = jpeg((800, 600))
    assert rejection(data[: len(data) // 2]) == "photo.corrupt"


def test_a_truncated_png_is_corrupt():
    data = encode(photo((300, 200)), "PNG")
    assert rejection(data[: len(data) // 2]) == "photo.corrupt"


def test_a_png_whose_pixel_data_does_not_decode_is_corrupt():
    ihdr = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"\x78\x9c" + os.urandom(300))
        + png_chunk(b"IEND", b"")
    )
    assert rejection(data) == "photo.corrupt"


def test_a_jpeg_with_thousands_of_scans_is_refused_as_a_cpu_bomb():
    data = encode(photo((40, 30)), "JPEG", progressive=True)
    assert data.endswith(b"\xff\xd9")
    last_scan = data[data.rindex(b"\xff\xda") : -2]  # a refinement scan libjpeg will happily repeat
    assert process(data[:-2] + last_scan * 20 + b"\xff\xd9").width == 40
    assert rejection(data[:-2] + last_scan * 2000 + b"\xff\xd9") == "photo.corrupt"


def test_a_jpeg_with_a_zip_appended_is_refused():
    zip_bytes = b"PK\x03\x04\x14\x00\x00\x00\x00\x00payload.html<script>x</script>" + b"PK\x05\x06" + bytes(18)
    assert rejection(jpeg() + zip_bytes) == "photo.trailing_data"


def test_a_jpeg_with_html_after_zero_padding_is_refused():
    assert rejection(jpeg() + bytes(64) + b"<html><script>alert(1)</script>") == "photo.trailing_data"


def test_a_jpeg_padded_with_zeros_is_accepted():
    assert process(jpeg() + bytes(4096)).content_type == "image/jpeg"


def test_a_jpeg_with_a_second_jpeg_appended_but_no_mpf_is_refused():
    assert rejection(jpeg() + jpeg((40, 30))) == "photo.trailing_data"


def test_a_multi_picture_jpeg_with_a_gain_map_image_is_accepted():
    data = encode(
        photo((640, 480)), "MPO", save_all=True, append_images=[Image.new("L", (320, 240), 128)], exif=make_exif()
    )
    result = process(data)
    assert (result.width, result.height) == (640, 480)
    assert result.evidence.lat == pytest.approx(LAT, abs=1e-5)
    assert rejection(data + b"PK\x05\x06" + bytes(18)) == "photo.trailing_data"


def test_a_png_with_data_after_iend_is_refused():
    assert rejection(png_with_alpha() + b"<?php system($_GET['c']); ?>") == "photo.trailing_data"


def test_a_webp_whose_riff_size_is_short_of_the_file_is_refused():
    assert rejection(webp() + b"PK\x05\x06" + bytes(18)) == "photo.trailing_data"


def test_a_truncated_webp_is_corrupt():
    data = webp()
    assert rejection(data[:-40]) == "photo.corrupt"


def test_a_real_decompression_bomb_is_refused_before_decoding():
    # A valid 20000 x 20000 1-bit PNG: 400 megapixels in a file of some tens of kilobytes.
    width = height = 20_000
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + width // 8)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )
    assert len(data) < 200_000
    before = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert rejection(data) == "photo.too_many_pixels"
    assert before == Image.MAX_IMAGE_PIXELS
    # Our limit is applied to the header before Pillow sees the file, so Pillow never had to warn.
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]


def test_our_limit_applies_before_pillows_own_bomb_warning():
    ihdr = struct.pack(">IIBBBBB", 12_000, 10_000, 1, 0, 0, 0, 0)  # 120 MP: Pillow would only warn
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + png_chunk(b"IEND", b"")
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert rejection(data) == "photo.too_many_pixels"
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]


def test_the_pixel_limit_is_checked_from_the_header_before_decoding():
    ihdr = struct.pack(">IIBBBBB", 5000, 5000, 8, 2, 0, 0, 0)  # claims 25 MP, carries no pixels at all
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + png_chunk(b"IEND", b"")
    )
    assert rejection(data, max_pixels=10_000_000) == "photo.too_many_pixels"
    assert rejection(data) == "photo.corrupt"  # under the limit it is decoded, and fails


def test_the_pixel_limit_applies_to_ordinary_photos_too():
    data = jpeg((400, 300))
    assert rejection(data, max_pixels=400 * 300 - 1) == "photo.too_many_pixels"
    assert process(data, max_pixels=400 * 300).width == 400


def test_intake_refuses_to_run_with_truncated_images_allowed(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        process(jpeg())


# --- decoding in bounded memory (server/media/pixels.py) ---------------------------------------------------------


def test_a_12_mp_class_photo_keeps_its_half_scale_decode_as_the_largest_size():
    # 4000 px at the 1/2 DCT scale is 2000 px: within 5 % of 2048, so it is served as it decoded rather than
    # resampled from full size (the most expensive step of the job); the smaller sizes are exact.
    result = process(jpeg((4000, 1000)))
    assert {s: (d.width, d.height) for s, d in result.derivatives.items()} == {
        2048: (2000, 500),
        1024: (1024, 256),
        320: (320, 80),
    }
    assert Image.open(io.BytesIO(result.derivatives[2048].data)).size == (2000, 500)


def test_a_png_with_its_exif_after_the_pixels_still_gives_its_evidence():
    data = encode(photo((300, 200)), "PNG", exif=make_exif())
    ihdr_end = 8 + 25
    exif_at = data.index(b"eXIf") - 4
    exif_chunk = data[exif_at : exif_at + 12 + int.from_bytes(data[exif_at : exif_at + 4], "big")]
    rest = data[ihdr_end:exif_at] + data[exif_at + len(exif_chunk) :]
    iend = rest.rindex(b"IEND") - 4
    moved = data[:ihdr_end] + rest[:iend] + exif_chunk + rest[iend:]
    assert moved.index(b"eXIf") > moved.index(b"IDAT")
    evidence = process(moved).evidence
    assert (evidence.lon, evidence.lat) == pytest.approx((LON, LAT), abs=1e-4)
    assert evidence.camera == "Xiaomi Redmi Note 12"


@pytest.mark.parametrize("mode", ["I;16", "LA", "P", "L"])
def test_grey_palette_and_16_bit_pngs_become_rgb_derivatives(mode):
    grey = Image.linear_gradient("L").resize((300, 200))
    if mode == "I;16":
        img = grey.convert("I").point(lambda v: v * 257).convert("I;16")
    elif mode == "LA":
        img = Image.merge("LA", [grey, Image.new("L", grey.size, 255)])
    elif mode == "P":
        img = photo((300, 200)).convert("P")
    else:
        img = grey
    result = process(encode(img, "PNG"))
    shown = Image.open(io.BytesIO(result.derivatives[320].data))
    assert (shown.mode, shown.size) == ("RGB", (300, 200))
    if mode != "P":  # the gradient runs from black at the top to white at the bottom
        assert shown.convert("L").getpixel((150, 5)) < 20 and shown.convert("L").getpixel((150, 195)) > 235
