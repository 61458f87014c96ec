"""Photos: taken by their content, shrunk, a thumbnail made, the camera's place read and every
piece of the original's metadata left out of what is kept."""
import io

import pytest
from PIL import Image

from services.repair import photos
from shared.errors import ValidationFailed


def camera_jpeg(width=3000, height=2000, gps=True) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera's make and, if asked, where."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "手机厂商"  # Make
    if gps:
        exif[photos.GPS_IFD] = {1: "N", 2: (32.0, 23.0, 42.0), 3: "E", 4: (119.0, 26.0, 6.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def image_bytes(kind: str, size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 40)).save(out, kind)
    return out.getvalue()


def test_a_camera_photo_is_shrunk_thumbnailed_and_kept_without_its_exif():
    prepared = photos.prepare(camera_jpeg(), {"max_edge": 1200, "thumb_edge": 200})
    assert prepared.content_type == "image/jpeg"
    assert (prepared.width, prepared.height) == (1200, 800)
    full, thumb = Image.open(io.BytesIO(prepared.image)), Image.open(io.BytesIO(prepared.thumbnail))
    assert full.size == (1200, 800) and thumb.size == (200, 133)
    for kept in (full, thumb):
        assert dict(kept.getexif()) == {}
        assert b"Exif" not in (prepared.image + prepared.thumbnail)
    assert prepared.location == {"lat": pytest.approx(32.395, abs=1e-4),
                                 "long": pytest.approx(119.435, abs=1e-4)}


def test_southern_and_western_places_are_negative_and_no_gps_is_no_place():
    assert photos.prepare(camera_jpeg(gps=False)).location is None
    image = Image.new("RGB", (10, 10))
    exif = Image.Exif()
    exif[photos.GPS_IFD] = {1: "S", 2: (33.0, 30.0, 0.0), 3: "W", 4: (70.0, 45.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    assert photos.prepare(out.getvalue()).location == {"lat": -33.5, "long": -70.75}


@pytest.mark.parametrize("kind,content_type", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_taken_and_kept_in_their_format(kind, content_type):
    prepared = photos.prepare(image_bytes(kind))
    assert prepared.content_type == content_type
    assert Image.open(io.BytesIO(prepared.image)).format == kind
    assert (prepared.width, prepared.height) == (400, 300)  # smaller than the edge: as it was


@pytest.mark.parametrize("content", [
    b"", b"%PDF-1.4 not a photo", b"\xff\xd8\xff\xe0 truncated jpeg",
    image_bytes("GIF"), image_bytes("BMP")])
def test_what_is_not_a_jpeg_png_or_webp_is_refused_by_its_content(content):
    with pytest.raises(ValidationFailed) as refused:
        photos.prepare(content)
    assert list(refused.value.fields) == ["content"]


def test_a_photo_over_the_size_limit_is_refused():
    content = camera_jpeg()
    with pytest.raises(ValidationFailed) as refused:
        photos.prepare(content, {"max_bytes": len(content) - 1})
    assert "不能超过" in refused.value.fields["content"][0]
    assert photos.prepare(content, {"max_bytes": len(content)}).width == 1600
