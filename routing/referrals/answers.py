"""The referral form's answers, typed: one reader and one saver per step.

A draft keeps its answers as JSON (one object per step, so a form step added later
needs no migration). Everything else reads them through ``Answers.read`` and writes
a step through ``Answers.saved``, so no page or operation knows the JSON's shape.
Reading never raises: an unanswered step reads as its empty value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from routing.referrals.family_answers import FamilyStep
from routing.referrals.subjects import NOT_KNOWN, Subject, born_words

URGENT, ROUTINE = 1, 2  # need priorities: urgent needs come first

# The form's steps in order, with their titles; "check" (check your answers) follows
# the last.
STEP_TITLES: dict[str, str] = {
    # Fits whom the referral is about (``step_titles``): a child's until told otherwise.
    "child": Subject.CHILD.step_title,
    "family": "Parents and carers",
    "needs": "Needs and what the family wants",
    "urgency": "Which needs are urgent",
    "profile": "Pupil profile",
    "risk": "Risk assessment",
    "safeguarding": "Safeguarding",
    "consent": "Sharing information",
    "contact": "Contacting the family",
    "providers": "Choose services",
    "sharing": "What each service sees",
}
STEPS = tuple(STEP_TITLES)


def step_titles(subject: Subject) -> dict[str, str]:
    """Every step's title, the first fitting whom the referral is about: "About the
    unborn baby", "About the parent or carer" or "About the child"."""
    return STEP_TITLES | {"child": subject.step_title}

CHECK = "check"
# Steps whose unanswered value is itself a complete answer (the defaults), so a form
# may be sent without them: "What each service sees" starts at need-to-know.
DEFAULTED_STEPS = frozenset({"sharing"})


def next_step(step: str) -> str:
    """The step after ``step`` ("check" after the last). Raises ValueError for an unknown step."""
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else CHECK


def previous_step(step: str) -> str | None:
    """The step before ``step`` (None before the first; the last step before "check").

    Raises ValueError for an unknown step.
    """
    if step == CHECK:
        return STEPS[-1]
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


@dataclass(frozen=True)
class StepPosition:
    """Where a step stands in the form: "Step ``number`` of ``total``"."""

    number: int
    total: int

    @property
    def caption(self) -> str:
        return f"Step {self.number} of {self.total}"


def position_of(step: str) -> StepPosition:
    """The step's place in the form, counted from the registry (STEP_TITLES), so a step
    added there is counted without other edits. Raises ValueError for an unknown step."""
    return StepPosition(STEPS.index(step) + 1, len(STEPS))


def _text(raw: Mapping[str, Any], name: str) -> str:
    return str(raw.get(name) or "")


@dataclass(frozen=True)
class ChildStep:
    """Who the child is, as typed on this form. Kept on the draft until it is sent: a
    form never writes to an existing child's record."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    home_postcode: str = ""
    upn: str = ""
    nhs_number: str = ""
    attendance_concern: bool = False
    missing_education: bool = False
    # The record the user confirmed this child is; None: a new record when sent.
    existing_child_id: int | None = None
    # Whom the referral is about ("child", "unborn", "parent": models.Subject); an
    # unborn baby's expected date of delivery; a date of birth or home postcode the
    # school does not know, with an approximate year of birth if known.
    subject: str = "child"
    expected_date: date | None = None
    dob_not_known: bool = False
    birth_year: int | None = None
    postcode_not_known: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def subject_label(self) -> str:
        return Subject.of(self.subject).label

    @property
    def born_words(self) -> str:
        """The date of birth as every page words it (``subjects.born_words``)."""
        return born_words(Subject.of(self.subject), self.date_of_birth, self.birth_year,
                          self.expected_date)

    @property
    def postcode_words(self) -> str:
        return self.home_postcode or NOT_KNOWN

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> ChildStep:
        born = raw.get("date_of_birth")
        expected = raw.get("expected_date")
        existing = raw.get("existing_child_id")
        year = raw.get("birth_year")
        return cls(
            _text(raw, "first_name"), _text(raw, "last_name"),
            date.fromisoformat(born) if born else None, _text(raw, "home_postcode"),
            _text(raw, "upn"), _text(raw, "nhs_number"), bool(raw.get("attendance_concern")),
            bool(raw.get("missing_education")), int(existing) if existing else None,
            _text(raw, "subject") or "child",
            date.fromisoformat(expected) if expected else None,
            bool(raw.get("dob_not_known")), int(year) if year else None,
            bool(raw.get("postcode_not_known")),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        data["expected_date"] = self.expected_date.isoformat() if self.expected_date else None
        return data


@dataclass(frozen=True)
class NeedAnswer:
    code: str
    priority: int = ROUTINE

    @property
    def urgent(self) -> bool:
        return self.priority == URGENT


@dataclass(frozen=True)
class NeedsStep:
    needs: tuple[NeedAnswer, ...] = ()
    family_wants: str = ""
    resources: str = ""
    # How serious the concern is (``routing.engine.help.SEVERITIES``; "" not said).
    severity: str = ""

    @property
    def codes(self) -> list[str]:
        return [need.code for need in self.needs]

    @property
    def urgent_codes(self) -> list[str]:
        return [need.code for need in self.needs if need.urgent]

    @property
    def priorities(self) -> list[tuple[str, int]]:
        return [(need.code, need.priority) for need in self.needs]

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> NeedsStep:
        needs = tuple(
            NeedAnswer(str(item.get("code", "")), int(item.get("priority", ROUTINE)))
            for item in raw.get("needs") or () if isinstance(item, Mapping)
        )
        return cls(needs, _text(raw, "family_wants"), _text(raw, "resources"),
                   _text(raw, "severity"))


@dataclass(frozen=True)
class UrgencyStep:
    """The needs (of those chosen on the needs step) that need help now."""

    urgent: tuple[str, ...] = ()

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> UrgencyStep:
        return cls(tuple(str(code) for code in raw.get("urgent") or ()))


@dataclass(frozen=True)
class Carried:
    """What a search carried into a draft started from its results ("Refer"): the
    family's postcode, the child's age and school, the needs and the services chosen.
    Not an answer: each step offers it until the step is saved."""

    postcode: str = ""
    age: int | None = None
    school_id: int | None = None
    need_codes: tuple[str, ...] = ()
    severity: str = ""
    urgent: bool = False
    # The service chosen for each need, by need code.
    services: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> Carried:
        age, school = raw.get("age"), raw.get("school_id")
        services = raw.get("services")
        return cls(
            _text(raw, "postcode"), int(age) if age is not None else None,
            int(school) if school is not None else None,
            tuple(str(code) for code in raw.get("need_codes") or ()),
            _text(raw, "severity"), bool(raw.get("urgent")),
            {str(code): int(sid) for code, sid in services.items()}
            if isinstance(services, Mapping) else {},
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["need_codes"] = list(self.need_codes)
        data["services"] = dict(self.services)
        return data


@dataclass(frozen=True)
class ProfileStep:
    strengths: str = ""
    strategies: str = ""
    avoid: str = ""
    # The school does not know the child's strengths yet (often the children it knows
    # least about): the provider is told so rather than shown a blank.
    strengths_not_known: bool = False

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> ProfileStep:
        return cls(_text(raw, "strengths"), _text(raw, "strategies"), _text(raw, "avoid"),
                   raw.get("strengths_not_known") is True)

    @property
    def strengths_words(self) -> str:
        """The strengths as every page shows them ("Not known" when the school said so)."""
        return self.strengths or (NOT_KNOWN if self.strengths_not_known else "")


@dataclass(frozen=True)
class RiskAnswer:
    level: str = ""
    mitigation: str = ""


@dataclass(frozen=True)
class RiskStep:
    """One answer per kind of risk, in the order the form asks them."""

    kinds: Mapping[str, RiskAnswer] = field(default_factory=dict)

    def of(self, kind: str) -> RiskAnswer:
        return self.kinds.get(kind, RiskAnswer())

    @property
    def levels(self) -> list[str]:
        return [answer.level for answer in self.kinds.values()]

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> RiskStep:
        return cls({
            str(kind): RiskAnswer(_text(value, "level"), _text(value, "mitigation"))
            for kind, value in raw.items() if isinstance(value, Mapping)
        })

    def to_json(self) -> dict[str, Any]:
        return {kind: asdict(answer) for kind, answer in self.kinds.items()}


@dataclass(frozen=True)
class ConsentStep:
    lawful_basis: str = ""
    family_agreed: bool = False
    agreed_by: str = ""
    # Who recorded the family's answer, and when: the draft's referrer.
    recorded_by_id: int | None = None
    recorded_at: datetime | None = None

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> ConsentStep:
        at = raw.get("recorded_at")
        return cls(
            _text(raw, "lawful_basis"), bool(raw.get("family_agreed")), _text(raw, "agreed_by"),
            raw.get("recorded_by_id"), datetime.fromisoformat(at) if at else None,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["recorded_at"] = (
            self.recorded_at.isoformat(timespec="minutes") if self.recorded_at else None)
        return data


@dataclass(frozen=True)
class ContactStep:
    """The contact the family agreed: which person ("carer-0", the place of a carer on
    the "Parents and carers" step, or "school"), the ways, and when; and a number the
    service can reach the referrer on."""

    ways: tuple[str, ...] = ()
    times: str = ""
    avoid: str = ""
    person: str = ""
    referrer_phone: str = ""

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> ContactStep:
        return cls(tuple(str(w) for w in raw.get("ways") or ()), _text(raw, "times"),
                   _text(raw, "avoid"), _text(raw, "person"), _text(raw, "referrer_phone"))


@dataclass(frozen=True)
class SafeguardingStep:
    significant_harm: bool = False
    stopped_by: str = ""
    # What a service may need to know about safeguarding (a plan, a social worker,
    # earlier concerns). Seen by a service only where the referrer shares it.
    notes: str = ""

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> SafeguardingStep:
        return cls(bool(raw.get("significant_harm")), _text(raw, "stopped_by"),
                   _text(raw, "notes"))


class Section(StrEnum):
    """A part of the referral a service may be shown (need-to-know sharing)."""

    NEEDS = "needs"
    PROFILE = "profile"
    WORK_RISK = "work_risk"
    SAFEGUARDING = "safeguarding"
    SELF_OTHERS_RISK = "self_others_risk"
    CONTACT = "contact"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]

    @property
    def hint(self) -> str:
        return SECTION_HINTS[self]


SECTION_LABELS = {
    Section.NEEDS: "The needs for that service",
    Section.PROFILE: "Pupil profile",
    Section.WORK_RISK: "Risk relevant to the work",
    Section.SAFEGUARDING: "Safeguarding notes",
    Section.SELF_OTHERS_RISK: "Risk to self or others",
    Section.CONTACT: "How to contact the family",
}
SECTION_HINTS = {
    Section.NEEDS: "What the family wants to happen and how serious it is",
    Section.PROFILE: "Strengths and talents, strategies that work, what to avoid, resources",
    Section.WORK_RISK: "Risk from others, and how it is managed",
    Section.SAFEGUARDING: "Attendance, missing education and the safeguarding notes",
    Section.SELF_OTHERS_RISK: "Risk to the child themselves and to others, and how each is "
                              "managed",
    Section.CONTACT: "Safe ways and times to contact the family, and what to avoid",
}
# What a service sees unless the referrer chooses otherwise.
DEFAULT_SECTIONS: tuple[Section, ...] = (
    Section.NEEDS, Section.PROFILE, Section.WORK_RISK, Section.CONTACT)
# What every service always sees: how to reach the family (with the referrer's contact).
ALWAYS_SHARED: tuple[Section, ...] = (Section.CONTACT,)
# What the referrer may choose to share or not, in the order the step asks.
CHOOSABLE_SECTIONS: tuple[Section, ...] = tuple(s for s in Section if s not in ALWAYS_SHARED)


def sections_of(values: Iterable[str] | None) -> tuple[Section, ...]:
    """Known sections among ``values``, with those always shared, in Section order
    (``None``: the defaults)."""
    if values is None:
        return DEFAULT_SECTIONS
    chosen = {str(v) for v in values} | {s.value for s in ALWAYS_SHARED}
    return tuple(s for s in Section if s.value in chosen)


@dataclass(frozen=True)
class SharingStep:
    """What each chosen service sees, by service id; a service not listed sees the
    defaults."""

    chosen: Mapping[int, tuple[Section, ...]] = field(default_factory=dict)

    def sections_for(self, service_id: int) -> tuple[Section, ...]:
        return self.chosen.get(int(service_id), DEFAULT_SECTIONS)

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> SharingStep:
        chosen: dict[int, tuple[Section, ...]] = {}
        for sid, values in raw.items():
            if str(sid).isdecimal() and isinstance(values, list | tuple):
                chosen[int(sid)] = sections_of(values)
        return cls(chosen)

    def to_json(self) -> dict[str, Any]:
        return {str(sid): [s.value for s in sections] for sid, sections in self.chosen.items()}


@dataclass(frozen=True)
class ProvidersStep:
    """The service chosen for each need, by need code."""

    chosen: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> ProvidersStep:
        return cls({str(code): int(sid) for code, sid in raw.items()})

    def to_json(self) -> dict[str, Any]:
        return dict(self.chosen)


Step = (ChildStep | FamilyStep | NeedsStep | UrgencyStep | ProfileStep | RiskStep
        | ConsentStep | ContactStep | SafeguardingStep | ProvidersStep | SharingStep | Carried)
# The JSON key of each step's answers.
STEP_KEYS: dict[type[Any], str] = {
    ChildStep: "child", FamilyStep: "family", NeedsStep: "needs", UrgencyStep: "urgency",
    ProfileStep: "profile", RiskStep: "risk", Carried: "carried",
    ConsentStep: "consent", ContactStep: "contact", SafeguardingStep: "safeguarding",
    ProvidersStep: "providers", SharingStep: "sharing",
}


def _to_json(step: Step) -> dict[str, Any]:
    if isinstance(step, ChildStep | FamilyStep | RiskStep | ConsentStep | ProvidersStep
                  | SharingStep | Carried):
        return step.to_json()
    return asdict(step)


@dataclass(frozen=True)
class Answers:
    """Every step's answers; an unanswered step holds its empty value.

    ``needs`` carries each need's priority from the urgency step once that is answered,
    and ``providers`` only the needs still chosen: a need taken out on "Change" takes
    its urgency and its service with it.
    """

    child: ChildStep = ChildStep()
    family: FamilyStep = field(default_factory=FamilyStep)
    needs: NeedsStep = NeedsStep()
    urgency: UrgencyStep = UrgencyStep()
    profile: ProfileStep = ProfileStep()
    risk: RiskStep = RiskStep()
    consent: ConsentStep = ConsentStep()
    contact: ContactStep = ContactStep()
    safeguarding: SafeguardingStep = SafeguardingStep()
    providers: ProvidersStep = ProvidersStep()
    sharing: SharingStep = SharingStep()
    carried: Carried = Carried()
    answered: frozenset[str] = frozenset()

    @classmethod
    def read(cls, raw: Mapping[str, Any] | None) -> Answers:
        """The typed answers of a draft's JSON (never raises on a missing step)."""
        raw = raw or {}

        def part(key: str) -> Mapping[str, Any]:
            value = raw.get(key)
            return value if isinstance(value, Mapping) else {}

        needs = NeedsStep.read(part("needs"))
        urgency = UrgencyStep.read(part("urgency"))
        if "urgency" in raw:
            urgent = set(urgency.urgent)
            needs = NeedsStep(
                tuple(NeedAnswer(n.code, URGENT if n.code in urgent else ROUTINE)
                      for n in needs.needs),
                needs.family_wants, needs.resources, needs.severity)
            urgency = UrgencyStep(tuple(c for c in needs.codes if c in urgent))
        providers = ProvidersStep.read(part("providers"))
        if "needs" in raw:
            chosen = set(needs.codes)
            providers = ProvidersStep(
                {code: sid for code, sid in providers.chosen.items() if code in chosen})
        return cls(
            child=ChildStep.read(part("child")),
            family=FamilyStep.read(part("family")),
            needs=needs,
            urgency=urgency,
            profile=ProfileStep.read(part("profile")),
            risk=RiskStep.read(part("risk")),
            consent=ConsentStep.read(part("consent")),
            contact=ContactStep.read(part("contact")),
            safeguarding=SafeguardingStep.read(part("safeguarding")),
            providers=providers,
            sharing=SharingStep.read(part("sharing")),
            carried=Carried.read(part("carried")),
            answered=frozenset(raw) - {"carried"},
        )

    @staticmethod
    def saved(raw: Mapping[str, Any] | None, step: Step) -> dict[str, Any]:
        """A copy of the JSON ``raw`` with one step's answers replaced by ``step``."""
        updated = dict(raw or {})
        updated[STEP_KEYS[type(step)]] = _to_json(step)
        return updated
