"""Demo-like directories for the ORUK tests, built with the shared factories."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.listings import ReferralRoute, Service
from services.organisations import Organisation
from tests.factories import Cast, make_school, make_service

# Roughly central Bolton, as GeoJSON (longitude first).
BOLTON_AREA = {
    "type": "Polygon",
    "coordinates": [[[-2.50, 53.55], [-2.38, 53.55], [-2.38, 53.61], [-2.50, 53.61],
                     [-2.50, 53.55]]],
}
PREFIX = "/api/oruk/v3"


@dataclass
class Directory:
    """A small published directory: venue, school-hub, online and inactive services."""

    cast: Cast
    counselling: Service
    family_support: Service
    helpline: Service
    retired: Service


def make_directory(db: Session, cast: Cast) -> Directory:
    counselling = make_service(
        db, cast.provider, name="Young people's counselling", needs=("MHW", "MHW.ANX"),
        min_age=11, max_age=18, postcode="BL1 1SE", modes=("venue",), area=BOLTON_AREA,
        kinds=("assessment", "treatment"), audiences=("child",), level="specialist",
    )
    counselling.opening_times = "Monday to Friday, 9am to 5pm"
    counselling.contact_name = "Alex Private-Person"
    counselling.contact_email = "counselling@example.nhs.uk"
    counselling.contact_phone = "01204 000 100"
    counselling.website = "https://example.nhs.uk/counselling"
    counselling.service_area_name = "Bolton"
    counselling.languages = ["English", "Urdu"]
    family_support = make_service(
        db, cast.other_provider, name="Family support at school", needs=("PARENTING.PROG",),
        min_age=0, max_age=11, postcode=None, modes=("school_hub",),
        hubs=(cast.school, cast.other_school), hub_days=("Tuesday", "Thursday"),
        route=ReferralRoute.BOTH,
    )
    family_support.opening_times = "Tuesdays and Thursdays 10:00-12:30"
    helpline = make_service(
        db, cast.other_provider, name="Parents' helpline", needs=("MHW.PARENT",),
        min_age=0, max_age=25, postcode=None, modes=("phone",), typical_wait_days=None,
        kinds=("advice",), audiences=("parent",),
    )
    helpline.contact_phone = "0800 000 000"
    retired = make_service(db, cast.provider, name="Closed group", needs=("MHW",))
    retired.active = False
    db.commit()
    return Directory(cast, counselling, family_support, helpline, retired)


def make_many(db: Session, organisation: Organisation, count: int) -> list[Service]:
    """``count`` services spread over a few postcodes and two school hubs."""
    hub = make_school(db, "Many Hub Primary", "BL3 5HH")
    postcodes = ("BL1 1SE", "BL2 2JU", "BL4 7BE", "BL3 5HH")
    made = []
    for n in range(count):
        made.append(make_service(
            db, organisation, name=f"Generated service {n:04d}",
            needs=(("MHW", "SEND.AUTISM", "HOUSING")[n % 3],),
            min_age=n % 10, max_age=10 + n % 9, postcode=postcodes[n % 4],
            hubs=(hub,) if n % 5 == 0 else (), hub_days=("Monday",),
        ))
    db.commit()
    return made
