"""The menu and the pages it leads to call each thing by one name: a menu item's words
are in the heading and the title of its page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from hub import page_names
from routing.referrals.stuck import STUCK_PAGE_TITLE
from tests.factories import Cast, login


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def menu_items(page: str) -> list[tuple[str, str]]:
    """(words, href) of each item of the page's menu."""
    menu = page.split('<nav aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    return [(_words(text), href) for href, text in
            re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', menu, re.S)]


def heading_and_title(page: str) -> tuple[str, str]:
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert heading and title
    return _words(heading.group(1)), _words(title.group(1))


@pytest.mark.parametrize("who", ["coordinator", "dsl"])
def test_it_names_the_stuck_page_as_its_menu_item_does(
    app: Flask, db: Session, cast: Cast, who: str
) -> None:
    client = app.test_client()
    login(client, getattr(cast, who))
    items = dict(menu_items(client.get("/referrals").get_data(as_text=True)))
    assert items[STUCK_PAGE_TITLE] == "/referrals/stuck"
    heading, title = heading_and_title(client.get("/referrals/stuck").get_data(as_text=True))
    assert heading == STUCK_PAGE_TITLE
    assert title.startswith(f"{STUCK_PAGE_TITLE} \N{EN DASH}")
    assert "Falling through the cracks" not in client.get("/referrals/stuck").get_data(
        as_text=True)


@pytest.mark.parametrize("who", ["coordinator", "staff", "dsl", "manager", "worker"])
def test_it_calls_each_menu_items_page_by_the_menus_words(
    app: Flask, db: Session, cast: Cast, who: str
) -> None:
    user = getattr(cast, who)
    if who == "coordinator":
        user.is_dpo = True  # the audit's menu item too
        db.commit()
    client = app.test_client()
    login(client, user)
    items = menu_items(client.get("/search").get_data(as_text=True))
    assert len(items) >= 3
    differ = []
    for words, href in items:
        heading, title = heading_and_title(
            client.get(href, follow_redirects=True).get_data(as_text=True))
        # Whole words: "Our services" is not "Your services".
        said = re.compile(rf"\b{re.escape(words)}\b", re.IGNORECASE)
        if not (said.search(heading) and said.search(title)):
            differ.append((words, heading, title))
    assert not differ, f"menu words not on their page: {differ}"


def test_it_calls_a_services_question_a_question_on_both_sides(
    app: Flask, db: Session, cast: Cast
) -> None:
    from routing.referrals import operations as ops
    from routing.referrals.models import Status
    from tests.factories import make_service
    from tests.routing.referrals.helpers import actor, sent_referral

    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    db.commit()
    provider = app.test_client()
    login(provider, cast.manager)
    page = provider.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Ask the school a question" in page and ">Send the question<" in page
    assert "for information" not in page
    ops.request_information(db, referral, actor(cast.manager), referral.opened_at,
                            "Is the family in touch?")
    db.commit()
    assert Status.NEEDS_INFORMATION.label == "Question from the service"
    school = app.test_client()
    login(school, cast.staff)
    page = school.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Answer the service&#39;s question" in page and ">Send the answer<" in page
    assert "Question from the service" in page and "Information requested" not in page


def test_it_calls_the_needs_page_by_the_words_of_its_link_on_manage_the_hub(
    app: Flask, db: Session, cast: Cast
) -> None:
    client = app.test_client()
    login(client, cast.coordinator)
    index = client.get("/admin").get_data(as_text=True)
    links = [_words(text) for text in re.findall(
        r'<a[^>]*href="/admin/needs"[^>]*>(.*?)</a>', index, re.S)]
    assert links == [page_names.NEEDS]
    heading, title = heading_and_title(client.get("/admin/needs").get_data(as_text=True))
    assert heading == page_names.NEEDS
    assert title.startswith(f"{page_names.NEEDS} \N{EN DASH}")
    for page in ("/admin/needs/new", "/admin/needs/MHW/edit"):  # their back links
        assert f">{page_names.NEEDS}</a>" in client.get(page).get_data(as_text=True)
