"""What an uploaded photo is and what its EXIF says: type by magic bytes, SHA-256, shot time and GPS position.

Only the header and the EXIF block are read; the pixels are never decoded, so a photo of any size or a
crafted image costs no more than its metadata.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

JPEG, PNG = "image/jpeg", "image/png"
MAGIC = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME_DIGITIZED = 0x9003, 0x9004
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4


@dataclass(frozen=True)
class PhotoFacts:
    sha256: str
    size: int
    media_type: str
    exif_time: datetime | None  # local wall time, as the camera wrote it
    exif_longitude: float | None
    exif_latitude: float | None


class NotAPhoto(ValueError):
    """The bytes are not a JPEG or PNG photo; the message (Chinese) says what they are instead."""


def sniff(data: bytes) -> str | None:
    """The media type by the file's first bytes (JPEG or PNG), or None."""
    return next((media for magic, media in MAGIC if data.startswith(magic)), None)


def photo_facts(data: bytes) -> PhotoFacts:
    """The photo's type, digest, size and EXIF time and position; NotAPhoto for anything but a JPEG or PNG."""
    media_type = sniff(data)
    if media_type is None:
        raise NotAPhoto("不是 JPEG 或 PNG 格式的照片")
    shot, (lon, lat) = _read_exif(data)
    return PhotoFacts(sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type=media_type,
                      exif_time=shot, exif_longitude=lon, exif_latitude=lat)


def _read_exif(data: bytes) -> tuple[datetime | None, tuple[float | None, float | None]]:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # A large image is only a large header here: its pixels are never decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                if image.format == "PNG" and "exif" not in image.info:
                    # Pillow would decode the whole image to look for an eXIf chunk after the pixels.
                    return None, (None, None)
                exif = image.getexif()
                return _exif_time(exif), _exif_position(exif)
    except Image.DecompressionBombError:
        raise NotAPhoto("照片尺寸异常（像素过多）") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, IndexError, KeyError, TypeError):
        raise NotAPhoto("照片文件已损坏，无法读取") from None


def _exif_time(exif: Any) -> datetime | None:
    try:
        ifd = exif.get_ifd(EXIF_IFD)
    except Exception:  # a malformed EXIF block is a photo without EXIF time, not a refused photo
        return None
    for tag in (DATETIME_ORIGINAL, DATETIME_DIGITIZED):
        value = ifd.get(tag)
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        if isinstance(value, str):
            try:
                return datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
            except ValueError:
                continue
    return None


def _degrees(value: Any) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds) rationals."""
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    return result if math.isfinite(result) else None


def _exif_position(exif: Any) -> tuple[float | None, float | None]:
    """(longitude, latitude) in signed degrees, or (None, None) when the photo has no usable position."""
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:
        return None, None
    lat, lon = _degrees(gps.get(GPS_LAT)), _degrees(gps.get(GPS_LON))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None  # 0,0 is what some phones write when they had no fix
    if str(gps.get(GPS_LAT_REF, "N")).strip("\x00 ").upper().startswith("S"):
        lat = -lat
    if str(gps.get(GPS_LON_REF, "E")).strip("\x00 ").upper().startswith("W"):
        lon = -lon
    return lon, lat
