"""The people of the demo city at their browsers, and the order page they work on.

Tests read like what people do (the desks are in ``desks.py``)::

    number = AgentConsole.open(open_as("agent1")).registers_a_call(...)
    page = open_as("supervisor1").opens_order(number)
    page.does("review-dissatisfaction", reopen=True, note="…")
    assert page.state() == "待签收"

``does`` fills the order page's action form (``form[data-op=<operation>]``, field names as
in the operation's schema), submits it and waits for the message the server answers with;
a refusal raises ``Refused`` with the message the person saw. ``calls_api`` uses the
person's own browser session on the HTTP API, to set up data that is not under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

PASSWORD = "minhu12345"  # every demo account's password
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright downloads no browser here
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


class Refused(AssertionError):
    """The platform refused an action; the message is what the person saw."""


def new_context(browser, viewport=None, phone=False, storage_state=None):
    options = {
        "viewport": viewport or (PHONE if phone else DESKTOP),
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "storage_state": storage_state,
    }
    if phone:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@dataclass
class People:
    """Opens browsers for the demo city's people; each logs in once per test session."""

    browser: object
    base_url: str
    sessions: dict = field(default_factory=dict)  # username -> storage state after login
    contexts: list = field(default_factory=list)
    js_errors: list = field(default_factory=list)

    def open_as(self, username: str | None, phone: bool = False) -> Person:
        context = new_context(self.browser, phone=phone,
                              storage_state=self.sessions.get(username))
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.js_errors.append(f"{username}: {exc}"))
        person = Person(username, page, self)
        if username and username not in self.sessions:
            person.logs_in()
            self.sessions[username] = context.storage_state()
        return person

    def close_all(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@dataclass
class Person:
    username: str | None
    page: object
    people: People

    @property
    def base_url(self) -> str:
        return self.people.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- moving around ---------------------------------------------------------------

    def logs_in(self, next_path: str = "/notices/") -> None:
        """Log in through the login form; lands on ``next_path``."""
        page = self.page
        page.goto(self.url(f"/login/?next={quote(next_path)}"))
        page.fill("input[name=username]", self.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form button.primary")
        if "/login/" in page.url:
            raise AssertionError(f"{self.username} could not log in: "
                                 f"{page.locator('main').inner_text()[:200]}")

    def opens(self, path: str, status: int = 200):
        """Go to ``path``; the page must answer ``status`` and show no server error."""
        response = self.page.goto(self.url(path))
        self.page.wait_for_load_state("load")
        assert response is not None, f"no response for {path}"
        body = self.page.content()
        assert "Traceback" not in body, f"{path} shows a traceback:\n{self.main_text()[:2000]}"
        assert response.status == status, (
            f"{path} as {self.username}: HTTP {response.status}, expected {status}\n"
            f"{self.main_text()[:1000]}")
        return response

    def opens_order(self, number: str) -> OrderPage:
        self.opens(f"/orders/{number}/")
        return OrderPage(self)

    def main_text(self) -> str:
        main = self.page.locator("main")
        return main.inner_text() if main.count() else self.page.inner_text("body")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Nothing blinking or half-drawn: the caret hidden, fonts loaded, charts settled.
        self.page.add_style_tag(content="*{caret-color:transparent !important}")
        self.page.evaluate("document.fonts.ready")
        charts = self.page.locator("canvas").count()
        self.page.wait_for_timeout(1200 if charts else 300)  # ECharts animates ~1 s
        self.page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    # --- the HTTP API with this person's session (for data the desks do not make) ----

    def calls_api(self, method: str, path: str, data: dict | None = None) -> dict:
        csrf = next((c["value"] for c in self.page.context.cookies()
                     if c["name"] == "csrftoken"), "")
        response = self.page.request.fetch(
            self.url("/api/v1" + path), method=method,
            headers={"X-CSRFToken": csrf, "Content-Type": "application/json",
                     "Referer": self.base_url + "/"},
            data=json.dumps(data) if data is not None else None)
        body = response.json() if response.body() else {}
        if not response.ok:
            raise Refused(f"{method} {path}: HTTP {response.status} {body}")
        return body


def submit_and_wait(page, button) -> str:
    """Click a form's button and wait for the platform's answer in the message area
    (``#flash``, on this page or on the page the form leads to). Returns the message;
    raises ``Refused`` with what the person saw when the answer is an error."""
    page.evaluate("document.getElementById('flash').innerHTML = ''")
    button.click()
    message = page.locator("#flash .flash").first
    try:
        message.wait_for()
    except Exception as exc:  # noqa: BLE001 - a timeout: report what the page shows
        shown = page.locator(".flash.error, .field-error").all_inner_texts()
        raise Refused(f"no answer to the form at {page.url}; the page shows {shown}") from exc
    page.wait_for_load_state("load")
    text = message.inner_text().strip()
    if "error" in (message.get_attribute("class") or "").split():
        raise Refused(text)
    return text


def _set_value(box, value) -> None:
    tag = box.evaluate("el => el.tagName.toLowerCase()")
    kind = (box.get_attribute("type") or "").lower()
    if tag == "select":
        box.select_option(value=value)
    elif kind in ("checkbox", "radio"):
        box.set_checked(value if isinstance(value, bool) else value not in ("", "0", "false"))
    else:
        box.fill(str(value))


@dataclass
class OrderPage:
    """The order page `/orders/<number>/` as one person sees it."""

    person: Person

    @property
    def page(self):
        return self.person.page

    @property
    def number(self) -> str:
        return self.page.locator(".order-head h1").inner_text().strip()

    def state(self) -> str:
        return self.page.locator(".order-head .state").inner_text().strip()

    def badges(self) -> list[str]:
        return [b.strip() for b in self.page.locator(".order-head .badge").all_inner_texts()]

    def operations(self) -> list[str]:
        return [f.get_attribute("data-op") for f in self.page.locator("form[data-op]").all()]

    def timeline(self) -> list[str]:
        """The action of each step on the time line, oldest first (登记, 派单, …)."""
        steps = self.page.locator("ol.timeline li.ev:not(.deadline) > b")
        return [s.strip() for s in steps.all_inner_texts()]

    def timeline_entries(self) -> list[str]:
        """Each step's whole line: time, action, target, state change, who, note."""
        steps = self.page.locator("ol.timeline li.ev:not(.deadline)")
        return [" ".join(s.split()) for s in steps.all_inner_texts()]

    def assignments(self) -> list[str]:
        rows = self.page.locator("section:has(h2:text-is('承办单位')) tbody tr")
        return [" ".join(r.split()) for r in rows.all_inner_texts()]

    def does(self, operation: str, **fields) -> OrderPage:
        """Fill and submit the action form for ``operation``; wait for the answer."""
        page = self.page
        form = page.locator(f"form.op-form[data-op='{operation}']")
        if not form.count():
            raise Refused(f"{self.person.username} is not offered “{operation}” on "
                          f"{self.number} ({self.state()}); offered: {self.operations()}")
        if not form.is_visible():
            form.locator("xpath=ancestor::details[1]/summary").click()
        for name, value in fields.items():
            box = form.locator(f"[name={name}]")
            assert box.count(), f"the {operation} form has no field {name}"
            _set_value(box.first, value)
        submit_and_wait(page, form.locator("button.primary"))
        return self
