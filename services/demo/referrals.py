"""The demo's referrals: the stories in ``referral_stories`` played through the real
referral operations, in time order over the last 90 days, so each school's dashboard,
each provider's inbox and the coordinator's stuck page have something at first run.

Every step goes through the operation a page calls (the form's steps, ``refer_family``,
open, accept, wait-list, decline, ask, answer, first contact, close, withdraw,
re-route), so statuses, events, capacity (places taken and freed, wait-list lengths)
and messages stay as consistent as if people had done it. Steps run in time order
across all stories, so a place freed on one day is offered only to those already
waiting then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.children import ChildDetails
from routing.referrals.earlier import request_details
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Referral, ReferralRequest
from services.accounts.models import Role, User
from services.demo.families import contact_fields, family_fields, family_for
from services.demo.referral_stories import MOVED, STORIES, TONGE_MOOR, Step, Story
from services.listings import Service
from services.schools import School

START_KEY_PREFIX = "demo-referral-"
# The demo family's progress link, public on purpose like the demo password: the README
# names it so a visitor can open the family's page. Never in real data.
DEMO_PROGRESS_TOKEN = "demo-family-progress-link-ruby-hartwell-2016"  # noqa: S105
MITIGATION = {
    "none": "", "low": "",
    "medium": "School and family agree a plan; the pastoral lead checks in daily",
    "high": "Safety plan agreed with the family; the safeguarding lead is involved",
}


class DemoReferralError(RuntimeError):
    """Raised when a story names a service or member of staff the demo does not have."""


@dataclass
class _Played:
    """One story's referral form and its referrals by track (the latest after a
    re-route)."""

    story: Story
    draft: ReferralRequest | None = None
    referrals: dict[int, Referral] = field(default_factory=dict)


def add_demo_referrals(session: Session, now: datetime) -> int:
    """Play every story; returns how many referrals were made (0 when the demo already
    has its referrals, or a cut-down dataset lacks the schools' staff).

    Raises DemoReferralError for a story naming a service or user that does not exist,
    and whatever an operation raises for a step it refuses (a story out of date).
    """
    found = session.execute(select(ReferralRequest.id).where(
        ReferralRequest.start_key.startswith(START_KEY_PREFIX))).first()
    if found is not None:
        return 0
    player = _Player(session, now)
    if not player.ready():
        return 0
    events: list[tuple[datetime, int, Callable[[], None]]] = []
    stories = [_Played(story) for story in STORIES]
    for played in stories:
        events.extend(player.events(played, len(events)))
    events.extend(player.moved_school(stories, len(events)))
    for _at, _order, act in sorted(events, key=lambda event: (event[0], event[1])):
        act()
    player.unsent_draft()
    session.flush()
    return int(session.execute(
        select(func.count(Referral.id)).join(ReferralRequest, Referral.request_id
                                             == ReferralRequest.id)
        .where(ReferralRequest.start_key.startswith(START_KEY_PREFIX))).scalar_one())


class _Player:
    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.users = {user.email: user for user in session.execute(select(User)).scalars()}
        self.services = {service.name: service
                         for service in session.execute(select(Service)).scalars()}

    def ready(self) -> bool:
        return all(story.referrer in self.users for story in STORIES)

    def unsent_draft(self) -> None:
        """A form Tonge Moor's staff started and have not sent, for "Your drafts"."""
        user = self.users[TONGE_MOOR]
        when = self.at(4)
        draft = ops.start_request(self.session, START_KEY_PREFIX + "draft-lena", user.id,
                                  _school_of(self.session, user), when)
        ops.save_child(self.session, draft, ChildDetails(
            "Lena", "Nowak", date(when.year - 8, 5, 3), "BL2 2JU"), None, when)
        ops.save_step(self.session, draft, "needs", {
            "needs": ["MHW"], "family_wants": "Help for Lena to sleep and settle at school.\n"
            "Mum would like to meet at school.",
            "resources": "Female worker, Polish interpreter"}, when)

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def service(self, name: str) -> Service:
        try:
            return self.services[name]
        except KeyError as error:
            raise DemoReferralError(f"Demo referrals: no service named {name!r}") from error

    def staff(self, story: Story) -> Actor:
        return _actor(self.users[story.referrer])

    def provider(self, referral: Referral, contact: bool = False) -> Actor:
        """The organisation's demo manager decides; its worker (if any) makes contact.
        An organisation with no demo user acts as its service's team."""
        staff = sorted((u for u in self.users.values()
                        if u.organisation_id == referral.organisation_id and u.role.is_provider),
                       key=lambda u: (u.role is Role.PROVIDER_WORKER) != contact)
        if staff:
            return _actor(staff[0])
        service = referral.service
        return Actor(None, service.contact_name or service.organisation.name,
                     service.organisation_id, service.organisation.name)

    def events(self, played: _Played, order: int) -> list[tuple[datetime, int, Callable[[], None]]]:
        story = played.story
        made: list[tuple[datetime, int, Callable[[], None]]] = [
            (self.at(story.sent_days_ago), order, lambda: self.send(played))]
        if story.link_days_ago is not None:
            made.append((self.at(story.link_days_ago), order + 1, lambda: self.link(played)))
        for index, track in enumerate(story.tracks):
            for step in track.steps:
                made.append((self.at(step.days_ago), order + len(made),
                             _bind(self.step, played, index, step)))
        return made

    def send(self, played: _Played) -> None:
        story, when = played.story, self.at(played.story.sent_days_ago)
        user = self.users[story.referrer]
        school_id = _school_of(self.session, user)
        draft = ops.start_request(self.session, START_KEY_PREFIX + story.key, user.id,
                                  school_id, when)
        ops.save_child(self.session, draft, ChildDetails(
            story.first_name, story.last_name, story.date_of_birth, story.postcode,
            attendance_concern=story.attendance_concern, subject=story.subject,
            expected_date=(when + timedelta(days=story.due_in_days)).date()
            if story.due_in_days is not None else None,
            dob_not_known=story.date_of_birth is None and story.subject != "unborn",
            birth_year=story.birth_year, postcode_not_known=not story.postcode), None, when)
        codes = [code for track in story.tracks for code in track.needs]
        ops.save_step(self.session, draft, "needs", {
            "needs": codes, "family_wants": story.family_wants,
            "severity": story.severity}, when)
        ops.save_step(self.session, draft, "urgency", {"urgent": list(story.urgent)}, when)
        ops.save_step(self.session, draft, "profile", {"strengths": story.strengths}, when)
        ops.save_step(self.session, draft, "risk", {
            **{f"{kind}_level": story.risk for kind in ops.RISK_KINDS},
            **{f"{kind}_mitigation": MITIGATION[story.risk] for kind in ops.RISK_KINDS},
            **({"to_self_mitigation": story.risk_to_self_note}
               if story.risk_to_self_note else {})},
            when)
        ops.clear_safeguarding(draft, when, self.staff(story), story.safeguarding_notes)
        ops.save_step(self.session, draft, "consent", {
            "lawful_basis": "consent", "family_agreed": "yes",
            "agreed_by": "Parent (mother)"}, when)
        family = family_for(story.key, story.last_name, story.postcode,
                            STORIES.index(story))
        ops.save_step(self.session, draft, "family", family_fields(family), when)
        ops.save_step(self.session, draft, "contact", contact_fields(family, story.contact),
                      when)
        ops.choose_providers(self.session, draft, {
            code: self.service(track.service).id
            for track in story.tracks for code in track.needs}, when)
        if story.shared:
            ops.choose_sharing(self.session, draft, {
                self.service(name).id: sections for name, sections in story.shared}, when)
        sent = ops.refer_family(self.session, draft, draft.send_key, self.staff(story), when,
                               declared=True)
        by_service = {referral.service_id: referral for referral in sent}
        played.draft = draft
        played.referrals = {index: by_service[self.service(track.service).id]
                            for index, track in enumerate(story.tracks)}

    def moved_school(self, stories: list[_Played], order: int
                     ) -> list[tuple[datetime, int, Callable[[], None]]]:
        """The child who moved school: the new school's referral, then its request to the
        earlier school's safeguarding lead (left waiting for the lead)."""
        played = next((p for p in stories if p.story.key == MOVED.story_key), None)
        if played is None or MOVED.referrer not in self.users:
            return []
        return [(self.at(MOVED.sent_days_ago), order, lambda: self.refer_moved(played)),
                (self.at(MOVED.request_days_ago), order + 1, lambda: self.ask_earlier(played))]

    def refer_moved(self, played: _Played) -> None:
        when, story = self.at(MOVED.sent_days_ago), played.story
        user = self.users[MOVED.referrer]
        actor = _actor(user)
        draft = ops.start_request(self.session, START_KEY_PREFIX + "moved-" + story.key,
                                  user.id, _school_of(self.session, user), when)
        # The same child as the earlier school's record, confirmed as the page asks.
        ops.save_child(self.session, draft, ChildDetails(
            story.first_name, story.last_name, story.date_of_birth, story.postcode),
            True, when)
        ops.save_step(self.session, draft, "needs", {
            "needs": list(MOVED.needs), "family_wants": MOVED.family_wants}, when)
        ops.save_step(self.session, draft, "profile", {"strengths": MOVED.strengths}, when)
        ops.save_step(self.session, draft, "risk", {
            f"{kind}_level": "low" for kind in ops.RISK_KINDS}, when)
        ops.clear_safeguarding(draft, when, actor)
        ops.save_step(self.session, draft, "consent", {
            "lawful_basis": "consent", "family_agreed": "yes",
            "agreed_by": "Parent (father)"}, when)
        ops.save_step(self.session, draft, "urgency", {"urgent": []}, when)
        # The family record the earlier school's referral made: the new school names the
        # same carers, so the referral joins that family without changing it.
        family = family_for(story.key, story.last_name, story.postcode, STORIES.index(story))
        ops.save_step(self.session, draft, "family", family_fields(family), when)
        ops.save_step(self.session, draft, "contact", contact_fields(family, ("phone",)),
                      when)
        ops.choose_providers(self.session, draft, {
            code: self.service(MOVED.service).id for code in MOVED.needs}, when)
        ops.refer_family(self.session, draft, draft.send_key, actor, when, declared=True)

    def ask_earlier(self, played: _Played) -> None:
        assert played.draft is not None and played.draft.child_id is not None
        user = self.users[MOVED.referrer]
        request_details(
            self.session, played.draft.child_id, played.draft.school_id,
            _school_of(self.session, user), _actor(user), MOVED.reason,
            "demo-details-request-" + played.story.key, self.at(MOVED.request_days_ago))

    def link(self, played: _Played) -> None:
        assert played.story.link_days_ago is not None and played.draft is not None
        referrals = list(played.referrals.values())
        link, _token = progress.issue_link(
            self.session, referrals[0].child_id, self.staff(played.story), referrals,
            f"demo-progress-link-{played.story.key}", self.at(played.story.link_days_ago))
        # The demo's one link has a published token (see DEMO_PROGRESS_TOKEN).
        link.token_hash = progress.hash_token(DEMO_PROGRESS_TOKEN)

    def step(self, played: _Played, index: int, step: Step) -> None:
        referral = played.referrals[index]
        when, session = self.at(step.days_ago), self.session
        staff = self.staff(played.story)
        match step.action:
            case "open":
                ops.open_referral(session, referral, self.provider(referral), when)
            case "accept":
                outcome = ops.accept_referral(session, referral, self.provider(referral), when)
                if not outcome.accepted:
                    raise DemoReferralError(f"Demo referrals: {referral.service.name} has no "
                                            "free place for " + played.story.key)
            case "waitlist":
                ops.waitlist_referral(session, referral, self.provider(referral), when,
                                      step.text)
            case "decline":
                ops.decline_referral(session, referral, self.provider(referral), when,
                                     step.code, step.text)
            case "ask":
                ops.request_information(session, referral, self.provider(referral), when,
                                        step.text)
            case "answer":
                ops.supply_information(session, referral, staff, when, step.text)
            case "contact":
                ops.record_first_contact(session, referral,
                                         self.provider(referral, contact=True), when, step.text)
            case "close":
                ops.close_referral(session, referral, self.provider(referral), when,
                                   step.code, step.text)
            case "withdraw":
                ops.withdraw_referral(session, referral, staff, when, step.text)
            case "reroute":
                played.referrals[index] = ops.reroute_need(
                    session, referral, self.service(step.service).id, staff, when)
            case _:
                raise DemoReferralError(f"Demo referrals: unknown step {step.action!r}")
        session.flush()


def _bind(
    act: Callable[[_Played, int, Step], None], played: _Played, index: int, step: Step
) -> Callable[[], None]:
    return lambda: act(played, index, step)


def _actor(user: User) -> Actor:
    return Actor(user.id, user.name, user.organisation_id, user.organisation.name)


def _school_of(session: Session, user: User) -> int:
    school_id = session.execute(
        select(School.id).where(School.organisation_id == user.organisation_id)
    ).scalar_one()
    return int(school_id)
