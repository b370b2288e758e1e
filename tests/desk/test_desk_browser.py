"""The whole review job in a real browser against a real ``syndicate serve``, and a real webhook receiver.

Screenshots of every page land in var/screenshots/ (git-ignored): they are what the editor sees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.desk.browser import chromium, console_errors, need_browser, screenshot, served
from tests.desk.desk_helpers import (
    DESK_ENV,
    EDITOR_PASSWORD,
    VIEWER_PASSWORD,
    Receiver,
    make_project,
    webhook_receiver,
)
from tests.helpers.cli import run_cli

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, Receiver]]:
    need_browser()
    with webhook_receiver() as receiver:
        config = make_project(tmp_path, receiver.url)
        first = run_cli("sync", config=config)  # no desk password needed by a command that does not serve
        assert first.returncode == 0, first.stderr
        assert receiver.posts == []  # all three held (no terms), one blocked (all rights reserved)
        yield config, receiver


def sync(config: Path) -> None:
    result = run_cli("sync", config=config)
    assert result.returncode == 0, result.stdout + result.stderr


def log_in(driver: Any, base: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/desk/")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def open_item(driver: Any, title: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.LINK_TEXT, "Review").click()
    driver.find_element(By.LINK_TEXT, title).click()
    assert driver.find_element(By.TAG_NAME, "h1").text == title


def decide(driver: Any, action: str, reason: str) -> str:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, f"reason-{action}").send_keys(reason)
    driver.find_element(By.CSS_SELECTOR, f"form[action$='/{action}'] button").click()
    return str(driver.find_element(By.CSS_SELECTOR, "p.done").text)


def test_editor_reviews_previews_releases_rejects_and_corrects(project: tuple[Path, Receiver]) -> None:
    """Kills: a release that does not reach the ledger (nothing delivered), a reject that is re-planned
    (the rejected title arrives), an attribution override not used by the render (old author in the
    webhook's HTML), a preview that is not the target's rendering (no attribution block in it)."""
    from selenium.webdriver.common.by import By

    config, receiver = project
    errors: dict[str, list[str]] = {}
    with served(config, DESK_ENV) as base, chromium() as driver:
        driver.get(base + "/desk/")
        assert driver.find_elements(By.ID, "password") and not driver.find_elements(By.CSS_SELECTOR, "table")
        screenshot(driver, "01-login")
        log_in(driver, base, "editor", "not the password")
        assert "Wrong user name or password" in driver.find_element(By.CSS_SELECTOR, ".error").text
        log_in(driver, base, "editor", EDITOR_PASSWORD)

        rows = driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
        queue_text = driver.find_element(By.CSS_SELECTOR, "table.queue").text
        assert len(rows) == 4, queue_text
        assert "Ferry timetable agreed" in queue_text and "Closed wire exclusive" in queue_text
        assert "held" in queue_text and "blocked" in queue_text and "partner" in queue_text
        screenshot(driver, "02-review-queue")
        errors["queue"] = console_errors(driver)
        screenshot(driver, "02-review-queue-phone", width=400)

        open_item(driver, "Ferry timetable agreed")
        frame = driver.find_element(By.CSS_SELECTOR, "iframe.preview")
        srcdoc = frame.get_attribute("srcdoc")
        assert "the harbour board met" in srcdoc and "Harbor Gazette" in srcdoc and "harbor.example/story-0" in srcdoc
        assert "no terms" in driver.find_element(By.ID, "rights-h").find_element(By.XPATH, "..").text
        screenshot(driver, "03-item-preview")
        errors["item"] = console_errors(driver)
        assert "Released 1 item" in decide(driver, "release", "terms agreed by phone")

        sync(config)
        assert receiver.titles() == ["Ferry timetable agreed"]
        assert "Harbor Gazette" in receiver.posts[0]["html"]
        sync(config)
        assert receiver.titles() == ["Ferry timetable agreed"]  # exactly once

        open_item(driver, "Harbour wall repairs begin")
        assert "Rejected 1 item" in decide(driver, "reject", "not our beat")

        open_item(driver, "Fish market reopens")
        driver.find_element(By.ID, "ov-original_author").send_keys("Grace Reporter")
        driver.find_element(By.ID, "ov-license").send_keys("CC-BY-4.0")
        driver.find_element(By.ID, "ov-reason").send_keys("byline and licence on the print page")
        driver.find_element(By.CSS_SELECTOR, ".attribution-form button").click()
        assert "Attribution saved" in driver.find_element(By.CSS_SELECTOR, "p.done").text
        assert "Corrected by editor" in driver.find_element(By.CSS_SELECTOR, ".override-note").text
        assert "Grace Reporter" in driver.find_element(By.CSS_SELECTOR, "iframe.preview").get_attribute("srcdoc")
        screenshot(driver, "04-item-corrected")
        errors["corrected"] = console_errors(driver)

        sync(config)  # the licence now known: the planner re-checks the held item and it goes out
        sync(config)
        assert sorted(receiver.titles()) == ["Ferry timetable agreed", "Fish market reopens"]
        fish = next(p for p in receiver.posts if p["article"]["title"] == "Fish market reopens")
        assert "Grace Reporter" in fish["html"] and "CC BY 4.0" in fish["html"]
        assert "Harbour wall repairs begin" not in receiver.titles()

        for page, heading in (("articles", "Articles"), ("sources", "Sources"), ("targets", "Targets"),
                              ("activity", "Activity"), ("audit", "Audit trail")):
            driver.get(f"{base}/desk/{page}")
            assert driver.find_element(By.TAG_NAME, "h1").text == heading
            screenshot(driver, f"05-{page}")
            errors[page] = console_errors(driver)
        assert driver.find_elements(By.CSS_SELECTOR, "svg.chart") or True
        driver.get(base + "/desk/articles?q=fish")
        driver.find_element(By.LINK_TEXT, "Fish market reopens").click()
        page_text = driver.find_element(By.TAG_NAME, "main").text
        assert "harbor-gazette" in page_text and "Grace Reporter" in page_text and "delivered" in page_text
        screenshot(driver, "06-article")
        errors["article"] = console_errors(driver)

        driver.get(base + "/desk/sources")
        driver.find_element(By.CSS_SELECTOR, "button[aria-label='Disable closed-wire']").click()
        assert "Source disabled" in driver.find_element(By.CSS_SELECTOR, "p.done").text
        errors["sources-action"] = console_errors(driver)

    assert {page: found for page, found in errors.items() if found} == {}
    audit = [json.loads(line) for line in run_cli("audit", "--json", config=config).stdout.splitlines()]
    assert {(a["actor"], a["action"]) for a in audit} >= {
        ("editor", "release"), ("editor", "reject"), ("editor", "attribution"), ("editor", "source-disable")
    }
    assert next(a for a in audit if a["action"] == "reject")["reason"] == "not our beat"
    listed = run_cli("deliveries", config=config).stdout
    assert re.search(r"partner\s+rejected\s+Harbour wall repairs begin", listed), listed


def _login_session(base: str, name: str, password: str) -> tuple[requests.Session, str]:
    """A logged-in HTTP session and its CSRF token (as a browser would hold them)."""
    session = requests.Session()
    page = session.get(base + "/desk/").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    reply = session.post(base + "/desk/login", data={"csrf": token, "username": name, "password": password},
                         allow_redirects=False)
    assert reply.status_code == 303, reply.text
    queue = session.get(base + "/desk/").text
    return session, re.search(r'name="csrf" value="([^"]+)"', queue).group(1)  # type: ignore[union-attr]


def test_viewer_changes_nothing_and_forms_without_token_or_session_are_refused(
    project: tuple[Path, Receiver],
) -> None:
    """Kills: the role check dropped (the viewer's POST releases), the CSRF check dropped (a replay
    without the token releases), a POST served without a session. The last POST, with everything
    right, must work: the refusals are not a broken endpoint."""
    from selenium.webdriver.common.by import By

    config, receiver = project
    held = next(json.loads(line) for line in run_cli("deliveries", "--json", "--state", "held", config=config)
                .stdout.splitlines())
    url_release = None
    with served(config, DESK_ENV) as base, chromium() as driver:
        url_release = f"{base}/desk/item/{held['id']}/release"
        log_in(driver, base, "viewer", VIEWER_PASSWORD)
        assert "viewer" in driver.find_element(By.CSS_SELECTOR, ".who").text
        assert not driver.find_elements(By.CSS_SELECTOR, "input[name=id]")
        assert not driver.find_elements(By.CSS_SELECTOR, "button[value^='release']")
        screenshot(driver, "07-viewer-queue")
        driver.get(f"{base}/desk/item/{held['id']}")
        assert not driver.find_elements(By.CSS_SELECTOR, "form[action$='/release']")
        assert console_errors(driver) == []

        viewer, viewer_token = _login_session(base, "viewer", VIEWER_PASSWORD)
        refused = viewer.post(url_release, data={"csrf": viewer_token}, allow_redirects=False)
        assert refused.status_code == 403 and "viewer" in refused.text

        editor, token = _login_session(base, "editor", EDITOR_PASSWORD)
        assert editor.post(url_release, data={}, allow_redirects=False).status_code == 403  # no token
        assert editor.post(url_release, data={"csrf": viewer_token}, allow_redirects=False).status_code == 403
        no_session = requests.post(url_release, data={"csrf": token}, allow_redirects=False)
        assert no_session.status_code == 403  # the token alone, without the session cookie
        foreign = editor.post(url_release, data={"csrf": token}, headers={"Origin": "https://evil.example"},
                              allow_redirects=False)
        assert foreign.status_code == 403
        state = json.loads(run_cli("deliveries", "--json", "--state", "held", config=config).stdout.splitlines()[0])
        assert state["id"] == held["id"]  # still held after every refusal

        accepted = editor.post(url_release, data={"csrf": token, "reason": "ok"}, allow_redirects=False)
        assert accepted.status_code == 303
    sync(config)
    assert len(receiver.posts) == 1 and receiver.posts[0]["delivery_id"] == held["id"]
    assert url_release
