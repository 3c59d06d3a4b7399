"""The demo's families: who cares for each demo child and how the family agreed to be
reached, typed into the "Parents and carers" and "Contacting the family" steps by the
demo referrals (services/demo/referrals.py). Every person is invented; phone numbers are
in Ofcom's range for drama (07700 900000 to 900999) and email addresses at example.com.
"""

from __future__ import annotations

from dataclasses import dataclass

# A parent's first name for each demo family without a story of its own below.
_PARENT_NAMES = ("Claire", "Gemma", "Sarah", "Danielle", "Nadia", "Joanne", "Helen",
                 "Aisha", "Kerry", "Lisa", "Rebecca", "Fatima", "Michelle", "Emma")


@dataclass(frozen=True)
class DemoCarer:
    name: str
    relationship: str
    responsibility: str = "yes"
    phone: str = ""
    email: str = ""
    address: str = ""
    language: str = ""
    interpreter: bool = False
    access_needs: str = ""
    contact_notes: str = ""
    do_not_contact_reason: str = ""  # "": may be contacted


@dataclass(frozen=True)
class DemoFamily:
    carers: tuple[DemoCarer, ...]
    siblings: tuple[tuple[str, int], ...] = ()
    # Which carer the family agreed the service should contact (their place), or
    # None: through the school.
    contact: int | None = 0
    times: str = "After 3.30pm on weekdays"
    avoid: str = ""
    through_school: bool = False
    referrer_phone: str = "01204 333444"


FAMILIES: dict[str, DemoFamily] = {
    "ruby-hartwell": DemoFamily(
        (DemoCarer("Laura Hartwell", "Mother", phone="07700 900123",
                   email="laura.hartwell@example.com",
                   address="14 Tonge Moor Road\nBolton\nBL2 2NL"),
         DemoCarer("Steve Hartwell", "Father", phone="07700 900124")),
        siblings=(("Jack Hartwell", 5),)),
    "noah-ashcombe": DemoFamily(
        (DemoCarer("Claire Ashcombe", "Mother", phone="07700 900211",
                   contact_notes="Text first; she calls back when Noah is at school"),
         DemoCarer("Darren Ashcombe", "Father", phone="07700 900212",
                   do_not_contact_reason="Do not contact dad: a non-molestation order is in "
                                         "place. He must not learn of the referral or the "
                                         "family's address.")),
        times="School hours only (9am to 3pm)", avoid="No letters home; no voicemails"),
    "zara-mellor": DemoFamily(
        (DemoCarer("Magdalena Mellor", "Mother", phone="07700 900345",
                   language="Polish", interpreter=True,
                   contact_notes="Book a Polish interpreter for every call and visit"),
         DemoCarer("Piotr Nowak", "Stepfather", responsibility="no", phone="07700 900346",
                   language="Polish")),
        siblings=(("Oliwia Mellor", 3),), times="Weekday mornings"),
    "jayden-cropper": DemoFamily(
        (DemoCarer("Shauna Cropper", "Mother", responsibility="yes",
                   contact_notes="Prefers the school to make the first contact"),),
        contact=None, through_school=True, times="Through the pastoral lead, any weekday"),
    "amira-haddad": DemoFamily(
        (DemoCarer("Yasmin Haddad", "Mother", phone="07700 900456",
                   email="yasmin.haddad@example.com", language="Arabic",
                   access_needs="Uses a wheelchair: ground-floor rooms only"),
         DemoCarer("Omar Haddad", "Father", phone="07700 900457", language="Arabic")),
        siblings=(("Yusuf Haddad", 11), ("Layla Haddad", 2))),
}


def family_for(key: str, last_name: str, postcode: str, index: int) -> DemoFamily:
    """The demo family of the story ``key``: its own, or an ordinary one-parent family."""
    if key in FAMILIES:
        return FAMILIES[key]
    number = f"07700 900{500 + index:03d}"
    first = _PARENT_NAMES[index % len(_PARENT_NAMES)]
    return DemoFamily((DemoCarer(
        f"{first} {last_name}", "Mother", phone=number,
        email=f"{first.lower()}.{last_name.lower()}@example.com",
        address=f"{10 + index} Church Street\nBolton\n{postcode}"),))


def family_fields(family: DemoFamily) -> dict[str, str]:
    """The "Parents and carers" step's fields for ``family``."""
    data: dict[str, str] = {}
    for index, carer in enumerate(family.carers):
        key = f"carer-{index}"
        data |= {
            f"{key}-name": carer.name, f"{key}-relationship": carer.relationship,
            f"{key}-parental_responsibility": carer.responsibility,
            f"{key}-phone": carer.phone, f"{key}-email": carer.email,
            f"{key}-address": carer.address, f"{key}-language": carer.language,
            f"{key}-access_needs": carer.access_needs,
            f"{key}-contact_notes": carer.contact_notes,
            f"{key}-do_not_contact_reason": carer.do_not_contact_reason,
        }
        if carer.interpreter:
            data[f"{key}-interpreter"] = "yes"
        if carer.do_not_contact_reason:
            data[f"{key}-do_not_contact"] = "yes"
    for index, (name, age) in enumerate(family.siblings):
        data[f"sibling-{index}-name"], data[f"sibling-{index}-age"] = name, str(age)
    if family.through_school:
        data["through_school"] = "yes"
    return data


def contact_fields(family: DemoFamily, ways: tuple[str, ...]) -> dict[str, object]:
    """The "Contacting the family" step's fields: the agreed person and ``ways`` they
    can take (a way needing a detail the person lacks is left out)."""
    if family.contact is None:
        return {"person": "school", "ways": [], "times": family.times, "avoid": family.avoid,
                "referrer_phone": family.referrer_phone}
    carer = family.carers[family.contact]
    needs = {"phone": carer.phone, "text": carer.phone, "email": carer.email,
             "letter": carer.address}
    usable = [way for way in ways if needs.get(way, "school")] or ["phone"]
    return {"person": f"carer-{family.contact}", "ways": usable, "times": family.times,
            "avoid": family.avoid, "referrer_phone": family.referrer_phone}
