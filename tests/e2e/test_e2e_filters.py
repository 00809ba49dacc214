"""Filters live in the URL: changing them changes it, and the URL alone restores them."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from conftest import VIEWPORT, PageLog, open_page
from e2e_helpers import choose, expect, goto, metric_int, sidebar_multiselect, wait_for_run

NUMBER_INPUT = '[data-testid="stSidebar"] [data-testid="stNumberInput"]'


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def min_killed_input(page):
    return (
        page.locator(NUMBER_INPUT)
        .filter(has=page.locator('[data-testid="stWidgetLabel"]', has_text="Minimum killed"))
        .locator("input")
    )


def test_filters_go_to_the_url_and_back(browser, page, page_log, base_url):
    goto(page, f"{base_url}/")
    assert "country" not in query(page.url)
    total = metric_int(page, "Incidents")

    choose(page, "Countries", re.compile(r"\(AFG\)"))
    expect(page).to_have_url(re.compile(r"[?&]country=AFG(&|$)"))
    afghan = metric_int(page, "Incidents")
    assert 0 < afghan < total, (afghan, total)

    box = min_killed_input(page)
    box.fill("1")
    box.press("Enter")
    wait_for_run(page)
    expect(page).to_have_url(re.compile(r"[?&]min_killed=1(&|$)"))
    at_least_one = metric_int(page, "Incidents")
    assert 0 < at_least_one < afghan, (at_least_one, afghan)

    # switching pages keeps the filters (and the URL keeps saying so)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Map").first.click()
    expect(page).to_have_url(re.compile(r"/map\?"))
    wait_for_run(page)
    assert query(page.url).get("country") == ["AFG"], page.url
    assert query(page.url).get("min_killed") == ["1"], page.url
    link = f"{base_url}/?{urlsplit(page.url).query}"

    # a copied link, opened in a fresh browser context (a new session), restores the view
    log = PageLog()
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        fresh = open_page(ctx, log)
        goto(fresh, link)
        assert metric_int(fresh, "Incidents") == at_least_one
        chips = sidebar_multiselect(fresh, "Countries")
        expect(chips).to_contain_text("(AFG)")
        expect(min_killed_input(fresh)).to_have_value("1")
        assert query(fresh.url).get("country") == ["AFG"], fresh.url
        assert not log.page_errors, log.summary()
    finally:
        ctx.close()
    assert not page_log.page_errors, page_log.summary()


def test_invalid_url_values_warn_and_are_dropped(page, page_log, base_url):
    goto(page, f"{base_url}/?country=XXX,AFG&min_killed=-5&from=not-a-date")
    warning = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')
    expect(warning).to_contain_text("country=XXX")
    expect(warning).to_contain_text("min_killed=-5")
    expect(warning).to_contain_text("not-a-date")
    # the values that were understood stay; the rest leave the link
    expect(page).to_have_url(re.compile(r"[?&]country=AFG(&|$)"))
    assert "min_killed" not in query(page.url), page.url
    assert not page_log.page_errors, page_log.summary()


def test_a_whole_date_range_typed_into_the_field_is_taken(page, page_log, base_url):
    goto(page, f"{base_url}/")
    total = metric_int(page, "Incidents")
    field = page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"]').first
    segments = field.get_by_role("spinbutton")  # year, month, day of each end
    segments.first.click()
    page.keyboard.type("20240101", delay=40)  # the first day, typed digit by digit
    segments.nth(3).click()  # the last day's year
    page.keyboard.type("20240630", delay=40)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_run(page)
    expect(page).to_have_url(re.compile(r"[?&]from=2024-01-01(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]to=2024-06-30(&|$)"))
    half_year = metric_int(page, "Incidents")
    assert 0 < half_year < total, (half_year, total)
    assert not page_log.page_errors, page_log.summary()
