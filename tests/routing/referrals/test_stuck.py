"""The falling-through-the-cracks lists: working-day cut-off, counts, pages and scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import stuck
from routing.referrals.models import Referral
from routing.referrals.stuck import StuckKind, StuckScope, not_opened_cutoff, stuck_page
from routing.referrals.workdays import working_days_between
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, sent_referral


def test_it_the_cutoff_skips_christmas_new_year_and_weekends() -> None:
    # Monday 5 January 2026, 5 working days back: 2 Jan, 31, 30 and 29 Dec, and the
    # 5th itself; so a referral sent on 28 December or before has waited 5.
    assert not_opened_cutoff(date(2026, 1, 5), 5) == date(2025, 12, 28)


@pytest.mark.parametrize("days", [1, 3, 5, 10])
def test_it_the_cutoff_agrees_with_counting_working_days(days: int) -> None:
    today = date(2026, 4, 7)  # the Tuesday after Easter Monday
    cutoff = not_opened_cutoff(today, days)
    for back in range(0, 40):
        sent = today - timedelta(days=back)
        assert (working_days_between(sent, today) >= days) == (sent <= cutoff), sent


def _sent_long_ago(db: Session, cast: Cast, count: int, service_name: str = "Talk Bolton",
                   at: datetime | None = None) -> list[Referral]:
    service = make_service(db, cast.provider, name=service_name)
    at = at or utcnow() - timedelta(days=30)
    made = [sent_referral(db, cast, service, now=at + timedelta(minutes=i))
            for i in range(count)]
    db.flush()
    return made


def test_it_counts_every_list_and_pages_one_oldest_first(
    db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stuck, "PAGE_SIZE", 2)
    waiting = _sent_long_ago(db, cast, 5)
    declined = sent_referral(db, cast, make_service(db, cast.other_provider), opened=True)
    ops.decline_referral(db, declined, actor(cast.manager), utcnow(), "other", "No room")
    scope = StuckScope(utcnow())

    summary = stuck_page(db, scope)
    assert summary.counts == {StuckKind.NOT_OPENED: 5, StuckKind.NOT_DECIDED: 0,
                              StuckKind.QUESTION_UNANSWERED: 0, StuckKind.NO_FIRST_CONTACT: 0,
                              StuckKind.DECLINED_NO_ONWARD: 1, StuckKind.LONG_WAIT: 0,
                              StuckKind.UNSUPPORTED_CHILD: 1,
                              StuckKind.SAFEGUARDING_NOT_ACTIONED: 0,
                              StuckKind.EVERY_PROVIDER_DECLINED: 0,
                              StuckKind.CME_NOT_TRACED: 0}
    assert set(summary.sections) == {StuckKind.NOT_OPENED, StuckKind.DECLINED_NO_ONWARD,
                                     StuckKind.UNSUPPORTED_CHILD}

    second = stuck_page(db, scope, "not_opened", 2)
    assert (second.page, second.pages, second.first) == (2, 3, 3)
    items = second.sections[StuckKind.NOT_OPENED]
    assert [i.referral.id for i in items if i.referral] == [waiting[2].id, waiting[3].id]
    assert all(i.waited is not None and i.waited >= 5 for i in items)
    assert stuck_page(db, scope, "not_opened", 99).page == 3  # clamped


def test_it_a_long_wait_is_listed_with_its_days_and_the_typical_wait(
    db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=0, typical_wait_days=10)
    long = sent_referral(db, cast, service, opened=True)
    ops.accept_referral(db, long, actor(cast.manager), utcnow() - timedelta(days=25))
    short = sent_referral(db, cast, service, opened=True)
    ops.accept_referral(db, short, actor(cast.manager), utcnow() - timedelta(days=3))
    db.flush()
    shown = stuck_page(db, StuckScope(utcnow()), "long_wait")
    (item,) = shown.sections[StuckKind.LONG_WAIT]
    assert (item.referral, item.waited, item.typical) == (long, 25, 10)


def test_it_a_school_scope_keeps_only_that_schools_referrals(db: Session, cast: Cast) -> None:
    ours = _sent_long_ago(db, cast, 1)[0]
    theirs = _sent_long_ago(db, cast, 1, "Elsewhere Support")[0]
    theirs.school_id = cast.other_school.id
    db.flush()
    scope = StuckScope(utcnow(), school_ids=[cast.school.id])
    shown = stuck_page(db, scope, "not_opened")
    assert shown.counts[StuckKind.NOT_OPENED] == 1
    assert [i.referral for i in shown.sections[StuckKind.NOT_OPENED]] == [ours]


def test_it_the_summary_page_links_to_the_whole_of_a_long_list(
    client: FlaskClient, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stuck, "OVERVIEW_ITEMS", 2)
    made = _sent_long_ago(db, cast, 3)
    db.commit()
    login(client, cast.coordinator)
    page = client.get("/referrals/stuck").get_data(as_text=True)
    assert "Not opened: 3" in page
    assert "Sent 5 working days ago or more, and the service has not opened it." in page
    assert "Declined with no onward referral: none" in page
    assert made[1].reference in page and made[2].reference not in page
    assert 'href="/referrals/stuck?kind=not_opened">See all 3' in page
    whole = client.get("/referrals/stuck?kind=not_opened").get_data(as_text=True)
    assert all(r.reference in whole for r in made)
    assert "Castle Hill Primary School" in whole
    unknown = client.get("/referrals/stuck?kind=nonsense&page=x")
    assert unknown.status_code == 200
    assert "See all 3" in unknown.get_data(as_text=True)


def test_it_a_safeguarding_lead_sees_only_their_schools_stuck_referrals(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    ours = _sent_long_ago(db, cast, 1)[0]
    theirs = _sent_long_ago(db, cast, 1, "Elsewhere Support")[0]
    theirs.school_id = cast.other_school.id
    db.commit()
    login(client, cast.dsl)
    page = client.get("/referrals/stuck").get_data(as_text=True)
    assert ours.reference in page
    assert theirs.reference not in page


def test_it_shows_a_school_only_its_own_referrals_of_a_child_with_no_support(
    db: Session, cast: Cast
) -> None:
    ours = sent_referral(db, cast, make_service(db, cast.provider, name="Calm Minds"))
    theirs = sent_referral(db, cast, make_service(db, cast.provider, name="Secret Service"))
    theirs.child_id, theirs.school_id = ours.child_id, cast.other_school.id
    for referral in (ours, theirs):
        ops.open_referral(db, referral, actor(cast.manager), utcnow())
        ops.decline_referral(db, referral, actor(cast.manager), utcnow(), "not_eligible",
                             "Too old for the service")
    db.flush()
    everyone = stuck_page(db, StuckScope(utcnow()), "unsupported_child")
    (item,) = everyone.sections[StuckKind.UNSUPPORTED_CHILD]
    assert {r.id for r in item.referrals} == {ours.id, theirs.id}
    scoped = stuck_page(db, StuckScope(utcnow(), school_ids=[cast.school.id]),
                        "unsupported_child")
    (item,) = scoped.sections[StuckKind.UNSUPPORTED_CHILD]
    assert [r.id for r in item.referrals] == [ours.id]


# Monday 2 March 2026; five working days before it began on Monday 23 February.
MONDAY = datetime(2026, 3, 2, 10, 0)


@pytest.mark.parametrize(("kind", "days_field"), [
    (StuckKind.NOT_DECIDED, "decide_days"),
    (StuckKind.QUESTION_UNANSWERED, "answer_days"),
    (StuckKind.NO_FIRST_CONTACT, "contact_days"),
])
def test_it_lists_a_referral_left_at_a_step_for_its_threshold_of_working_days(
    db: Session, cast: Cast, kind: StuckKind, days_field: str
) -> None:
    started = MONDAY - timedelta(days=7)  # the Monday before: 5 working days ago
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True,
                             now=started)
    if kind is StuckKind.QUESTION_UNANSWERED:
        ops.request_information(db, referral, actor(cast.manager), started, "Which school?")
    elif kind is StuckKind.NO_FIRST_CONTACT:
        ops.accept_referral(db, referral, actor(cast.manager), started)
    db.flush()

    def listed(days: int, at: datetime = MONDAY) -> list[int]:
        scope = StuckScope(at, **{days_field: days})
        shown = stuck_page(db, scope, kind.value)
        return [i.referral.id for i in shown.sections.get(kind, []) if i.referral]

    assert listed(5) == [referral.id]
    assert listed(6) == []  # one working day short
    assert listed(5, MONDAY - timedelta(days=3)) == []  # on the Friday before: 4
    (item,) = stuck_page(db, StuckScope(MONDAY, **{days_field: 5}), kind.value).sections[kind]
    assert item.waited == 5
    assert "5 working days" in kind.rule(StuckScope(MONDAY, **{days_field: 5}))


def test_it_lists_a_referral_opened_two_months_ago_and_never_decided(
    db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True,
                             now=utcnow() - timedelta(days=59))
    db.flush()
    shown = stuck_page(db, StuckScope(utcnow()), "not_decided")
    assert [i.referral for i in shown.sections[StuckKind.NOT_DECIDED]] == [referral]


def test_it_states_every_rule_when_nothing_is_stuck(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.coordinator)
    page = client.get("/referrals/stuck").get_data(as_text=True)
    assert "Nothing is stuck. These are checked:" in page
    for kind in StuckKind:
        assert kind.heading() in page.replace("&#39;", "'")
