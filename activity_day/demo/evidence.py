"""On-day evidence of a demo month: camera photos with EXIF time and GPS, and the check-ins they back."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pandas as pd

from activity_day.demo.habits import Habits


def _dms(value: float) -> tuple:
    from PIL.TiffImagePlugin import IFDRational

    degrees, minutes = int(value), int((value - int(value)) * 60)
    return IFDRational(degrees), IFDRational(minutes), IFDRational(round(((value - degrees) * 60 - minutes) * 600000), 10000)


def camera_photo(rng: random.Random, when: datetime | None, at: tuple[float, float] | None,
                 size: tuple[int, int] = (16, 12), quality: int = 85) -> bytes:
    """A small JPEG of random pixels with EXIF DateTimeOriginal and GPS (longitude, latitude) as a phone camera
    writes them."""
    from io import BytesIO

    from PIL import Image

    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    exif = Image.Exif()
    if when is not None:
        exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    if at is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", _dms(at[1]), "E", _dms(at[0])
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, quality=quality)
    return out.getvalue()


def on_day_evidence(rng: random.Random, activities: pd.DataFrame, stations: pd.DataFrame,
                    activity_date: datetime, habits: dict[str, Habits] | None = None) -> list[dict]:
    """Check-ins and check-outs with photos for the stations' activities on the day, as phones would post them.

    Without `habits`, under half of the stations post from a phone (the others have not started using the mini
    program); with them, each station posts by its habit. Those that post record every activity, mostly on site
    and on time: a few check in far from the station, late, without GPS, or leave early (the less thorough more
    often).
    """
    where = stations.set_index("code")[["longitude", "latitude"]].to_dict("index")
    on_day = activities[activities["start_time"].map(lambda t: t.date()) == activity_date.date()]
    posts = []
    for code, group in on_day.groupby("station_code", sort=True):
        habit = habits.get(code) if habits else None
        if rng.random() >= (habit.checks_in if habit else 0.45):
            continue  # not on the mini program (yet), or not this month
        home = where.get(code) or {}
        # About one station in four slips once on the day: far from the station, late, no GPS, or leaving early.
        slips = 0.1 + 0.6 * (1 - habit.thorough) if habit else 0.25
        slip = rng.choice(["far", "late", "no_gps", "early"]) if rng.random() < slips else None
        slip_seq = rng.choice(list(group["seq"]))
        for a in group.itertuples():
            kind_of_slip = slip if a.seq == slip_seq else None
            lon, lat = home.get("longitude"), home.get("latitude")
            located = lon is not None and lat is not None and not pd.isna(lon)
            drift = 0.012 if kind_of_slip == "far" else 0.0008  # about 1.3 km, or within 100 m
            place = (lon + rng.uniform(-drift, drift), lat + rng.uniform(-drift, drift)) if located else None
            start = a.start_time + timedelta(minutes=rng.choice([-15, -10, -5, 0, 5]) + (90 if kind_of_slip == "late" else 0))
            end = start + timedelta(minutes=30 if kind_of_slip == "early" else rng.choice([70, 80, 90, 100]))
            gps = None if kind_of_slip == "no_gps" else place
            for kind, when in (("checkin", start), ("checkout", end)):
                posts.append({"station_code": code, "photo": camera_photo(rng, when, gps), "body": {
                    "client_id": f"demo-{activity_date:%Y%m}-{code}-{a.seq}-{kind}", "activity_seq": int(a.seq), "kind": kind,
                    "taken_at": when, "longitude": place[0] if place else None,
                    "latitude": place[1] if place else None}})
    return posts
