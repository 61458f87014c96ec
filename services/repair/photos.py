"""Photos of a work order (上报 and 办结), as plain Python with no I/O: what an upload must be
and what is kept of it.

An upload is taken by its content, never by its name or declared type: JPEG, PNG or WebP that
Pillow can read, no larger than `REPAIR_PHOTO_MAX_BYTES`. What is kept is a new image drawn
from it — turned upright as the camera said, shrunk to `REPAIR_PHOTO_MAX_EDGE` on its longer
edge, and a thumbnail of `REPAIR_PHOTO_THUMB_EDGE` — written without any of the original's
metadata (EXIF: the camera, the time and above all where it was taken; PNG text chunks). The
place the camera recorded (EXIF GPS), if any, is read first and kept with the photo's record,
not in the image.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from services.repair.exceptions import invalid

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
DEFAULTS = {"max_bytes": 6 * 1024 * 1024, "max_edge": 1600, "thumb_edge": 320}
# Decompression bombs: a small file that opens as a huge image is refused before drawing it.
MAX_PIXELS = 50_000_000
GPS_IFD = 0x8825


@dataclass(frozen=True)
class Prepared:
    content_type: str
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    location: dict | None      # {"lat", "long"} from the camera's EXIF GPS, or None


def limits(config: dict) -> dict:
    def number(key, default):
        return int(config.get(key) or default)
    return {"max_bytes": number("REPAIR_PHOTO_MAX_BYTES", DEFAULTS["max_bytes"]),
            "max_edge": number("REPAIR_PHOTO_MAX_EDGE", DEFAULTS["max_edge"]),
            "thumb_edge": number("REPAIR_PHOTO_THUMB_EDGE", DEFAULTS["thumb_edge"])}


def prepare(data: bytes, settings: dict | None = None) -> Prepared:
    """The photo as it is kept, or VALIDATION_FAILED on `content` saying why not."""
    settings = {**DEFAULTS, **(settings or {})}
    if not data:
        raise invalid("content", "照片内容为空。")
    if len(data) > settings["max_bytes"]:
        raise invalid("content", f"照片不能超过 {settings['max_bytes'] // (1024 * 1024)} MB。")
    try:
        source = Image.open(io.BytesIO(data))
        kind = source.format
        if kind not in FORMATS:
            raise invalid("content", "照片应为 JPEG、PNG 或 WebP 格式。")
        if source.width * source.height > MAX_PIXELS:
            raise invalid("content", "照片像素过多。")
        source.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise invalid("content", "照片应为 JPEG、PNG 或 WebP 格式,无法识别此文件。") from None
    location = gps_location(source)
    upright = ImageOps.exif_transpose(source)
    full = _fitted(upright, settings["max_edge"])
    thumb = _fitted(upright, settings["thumb_edge"])
    return Prepared(FORMATS[kind], _encoded(full, kind), _encoded(thumb, kind),
                    full.width, full.height, location)


def _fitted(image: Image.Image, edge: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return copy


def _encoded(image: Image.Image, kind: str) -> bytes:
    """The pixels alone: no EXIF, ICC-free metadata, no PNG text."""
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def gps_location(image: Image.Image) -> dict | None:
    """Where the camera said the photo was taken (EXIF GPS), in decimal degrees, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a broken EXIF block is no reason to refuse the photo
        return None
    try:
        lat = _degrees(gps[2], gps.get(1, "N"))
        long = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        return None
    return {"lat": round(lat, 7), "long": round(long, 7)}


def _degrees(parts, reference) -> float:
    degrees, minutes, seconds = (float(p) for p in parts)
    value = degrees + minutes / 60 + seconds / 3600
    if isinstance(reference, bytes):
        reference = reference.decode("ascii", "ignore")
    return -value if str(reference).strip().upper() in ("S", "W") else value
