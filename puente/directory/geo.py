"""Pure geography for directory search: offline ZIP geocoding (``zipcodes``), distances, bounding boxes."""

import math
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

EARTH_RADIUS_MILES = 3958.7613
MILES_PER_DEGREE_LATITUDE = 69.0


@dataclass(frozen=True)
class ZipPoint:
    """A ZIP code's centre and county ("Bernalillo County") from the offline ``zipcodes`` data."""

    zip_code: str
    latitude: float
    longitude: float
    county: str
    state: str
    city: str

    @property
    def county_name(self) -> str:
        """The county without its "County" suffix, as service areas usually name it ("Bernalillo")."""
        name = self.county
        for suffix in (" County", " Parish", " Borough"):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return name


@lru_cache(maxsize=4096)
def zip_point(zip_code: str) -> ZipPoint | None:
    """The point for a 5-digit ZIP code (a ZIP+4 is cut to 5 digits), or None if unknown."""
    code = (zip_code or "").strip()[:5]
    # ASCII digits only: str.isdigit() accepts "١٢٣٤٥", and `zipcodes` (Rust) then panics slicing inside a
    # multi-byte character (a BaseException, so the request died with a 500). Found by schemathesis.
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None
    try:
        found = zipcodes.matching(code)
    except ValueError:
        return None
    if not found or not found[0].get("lat"):
        return None
    z = found[0]
    return ZipPoint(code, float(z["lat"]), float(z["long"]), z.get("county") or "", z.get("state") or "", z["city"])


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing every point within ``miles``: the cheap index prefilter
    before the exact distance. Slightly generous so no point inside the circle is missed."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE * 1.01
    cos_lat = max(math.cos(math.radians(max(abs(lat - dlat), abs(lat + dlat)))), 1e-6)
    dlon = miles / (MILES_PER_DEGREE_LATITUDE * cos_lat) * 1.01
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
