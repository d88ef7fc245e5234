"""The role desks as their users work them: what they click and type, nothing more.

Each desk object wraps one person's browser tab (``Person``) and names the steps of that
person's work (``registers_a_call``, ``dispatches``, ``signs``, ``returns``, ``replies``,
``records_a_callback``). Selectors follow the desks' templates; ids and data attributes
first (``#card-<number>``, ``data-action``, ``data-number``, ``data-name``), visible text
only where the template offers nothing steadier.
"""

from __future__ import annotations

from dataclasses import dataclass

from .helpers import Person, Refused, submit_and_wait


@dataclass
class AgentConsole:
    """话务台 /agent/: the intake form, keyboard-first."""

    person: Person

    @classmethod
    def open(cls, person: Person) -> AgentConsole:
        person.opens("/agent/")
        return cls(person)

    def registers_a_call(self, *, phone: str, name: str, address_words: str, place: str,
                         address_detail: str, content: str, request_type: str,
                         category_words: str, category: str) -> str:
        """Type a call in as an agent would; returns the new order's number."""
        page = self.person.page
        form = page.locator("#intake-form")
        form.locator("#in-phone").fill(phone)
        form.locator("#in-name").fill(name)
        # The address: type a few words, choose the building from the list, then add
        # the detail after it.
        address = form.locator("#in-address")
        address.click()
        address.press_sequentially(address_words, delay=30)
        option = page.locator(f"#place-list li[role=option][data-label='{place}']")
        option.wait_for()
        option.click()
        assert form.locator("input[name=place_id]").input_value(), "no place chosen"
        address.press("End")
        address.press_sequentially(address_detail, delay=20)
        form.locator("#in-content").fill(content)
        form.locator(f"label.pill:has(input[name=request_type][value={request_type}])").click()
        # The category: search by what the caller said, choose the suggestion.
        search = form.locator("#in-category")
        search.click()
        search.fill("")
        search.press_sequentially(category_words, delay=30)
        choice = page.locator(f"#category-list #cat-opt-{category}")
        choice.wait_for()
        choice.click()
        assert form.locator("input[name=category]").input_value() == category
        # Ctrl+Enter registers from wherever the cursor is.
        form.locator("#in-content").press("Control+Enter")
        number = page.locator("#intake-form .done-banner a.done-number")
        try:
            number.wait_for()
        except Exception as exc:  # noqa: BLE001 - say what the agent saw instead
            errors = page.locator("#intake-form .field-error, #intake-form .flash.error")
            raise Refused(f"the call was not registered: {errors.all_inner_texts()}") from exc
        return number.inner_text().strip()


@dataclass
class DispatchDesk:
    """派单台 /dispatch/: queues by tab, the chosen order in the panel beside them."""

    person: Person

    @classmethod
    def open(cls, person: Person, tab: str = "queue") -> DispatchDesk:
        person.opens(f"/dispatch/?tab={tab}")
        return cls(person)

    def queue_numbers(self) -> list[str]:
        rows = self.person.page.locator("#queue tr.q-row")
        return [r.get_attribute("data-number") for r in rows.all()]

    def picks(self, number: str) -> DispatchDesk:
        page = self.person.page
        page.locator(f"#queue tr.q-row[data-number='{number}']").click()
        page.locator(f"#panel .panel-head h2:has-text('{number}')").wait_for()
        return self

    def panel_text(self) -> str:
        return self.person.page.locator("#panel").inner_text()

    def _choose_unit(self, form, field: str, code: str) -> None:
        picker = form.locator(f".picker[data-name={field}]")
        # The panel may still be swapping in (htmx); typing into the old one would be lost.
        self.person.page.wait_for_load_state("networkidle")
        picker.locator(".picker-q").press_sequentially(code, delay=30)
        pick = picker.locator(f".picker-results .pick[data-code='{code}']")
        pick.wait_for()
        pick.click()
        chip = picker.locator(f".chips .chip[data-code='{code}']")
        assert chip.count() == 1, f"{code} was not chosen as {field}"

    def dispatches(self, lead_unit: str, co_units: tuple[str, ...] = (), note: str = "") -> str:
        """Manual dispatch from the panel: choose the lead and co-handling units (instead of
        the ones the suggestion pre-filled), write a note, 派单."""
        page = self.person.page
        form = page.locator("#panel form:has(.picker[data-name=lead_unit])"
                            ":has(select[name=urgency])")
        self._choose_unit(form, "lead_unit", lead_unit)
        co_chips = form.locator(".picker[data-name=co_units] .chips .chip")
        while co_chips.count():
            co_chips.first.locator("button.x").click()
        for code in co_units:
            self._choose_unit(form, "co_units", code)
        if note:
            form.locator("textarea[name=note]").fill(note)
        return submit_and_wait(page, form.locator("button.primary"))

    def approves_the_return_and_reassigns(self, lead_unit: str, note: str = "") -> str:
        """The return's panel pre-fills the unit the returning unit suggested."""
        page = self.person.page
        form = page.locator("#panel form:has(input[name=approve][value=true])"
                            ":has(.picker[data-name=lead_unit])")
        chips = form.locator(".picker[data-name=lead_unit] .chips .chip")
        if chips.count() != 1 or chips.first.get_attribute("data-code") != lead_unit:
            self._choose_unit(form, "lead_unit", lead_unit)
        if note:
            form.locator("textarea[name=note]").fill(note)
        return submit_and_wait(page, form.locator("button.primary"))


@dataclass
class Inbox:
    """承办工作台 /inbox/: one card per order, quick actions under each card."""

    person: Person

    @classmethod
    def open(cls, person: Person, tab: str = "pending") -> Inbox:
        person.opens(f"/inbox/?tab={tab}")
        return cls(person)

    def card(self, number: str):
        return self.person.page.locator(f"#card-{number}")

    def has(self, number: str) -> bool:
        return self.card(number).count() == 1

    def card_text(self, number: str) -> str:
        return " ".join(self.card(number).inner_text().split())

    def signs(self, number: str) -> str:
        page = self.person.page
        return submit_and_wait(page, self.card(number).locator("button[data-action=sign]"))

    def _opens_panel(self, number: str, action: str):
        card = self.card(number)
        card.locator(f"a[data-action='{action}']").click()
        form = card.locator(f".ic-panel section[data-form='{action}'] form")
        form.wait_for()
        return form

    def returns(self, number: str, reason: str, explanation: str,
                suggested_unit: str = "") -> str:
        form = self._opens_panel(number, "return")
        form.locator(f"input[name=category][value={reason}]").check()
        form.locator("textarea[name=explanation]").fill(explanation)
        if suggested_unit:
            form.locator("select[name=suggested_unit]").select_option(suggested_unit)
        return submit_and_wait(self.person.page, form.locator("button[type=submit]"))

    def replies(self, number: str, text: str, solved: bool, handler_name: str = "",
                handler_phone: str = "") -> str:
        form = self._opens_panel(number, "reply")
        form.locator("textarea[name=text]").fill(text)
        form.locator(f"input[name=solved][value={'true' if solved else 'false'}]").check()
        if handler_name:
            form.locator("input[name=handler_name]").fill(handler_name)
        if handler_phone:
            form.locator("input[name=handler_phone]").fill(handler_phone)
        return submit_and_wait(self.person.page, form.locator("button[type=submit]"))


@dataclass
class CallbackDesk:
    """回访台 /callback/: the queue, the script, the outcome form."""

    person: Person

    @classmethod
    def open(cls, person: Person) -> CallbackDesk:
        person.opens("/callback/")
        return cls(person)

    def due_numbers(self) -> list[str]:
        links = self.person.page.locator("#queue-due .queue-list li a")
        return [a.inner_text().strip() for a in links.all()]

    def picks(self, number: str) -> CallbackDesk:
        page = self.person.page
        link = page.locator(f"#queue-due .queue-list a:text-is('{number}')")
        if link.count():
            link.click()
        else:  # past the first page of the queue: open it by its number
            self.person.opens(f"/callback/?order={number}")
        page.locator(f"form.outcome[action*='/orders/{number}/']").wait_for()
        return self

    def script(self) -> str:
        return self.person.page.locator("blockquote.script").inner_text()

    def records_a_callback(self, resolved: str, satisfaction: str, note: str = "",
                           scores: dict | None = None) -> str:
        page = self.person.page
        form = page.locator("form.outcome")
        form.locator(f"label.pill:has(input[name=resolved][value={resolved}])").click()
        form.locator(f"label.pill:has(input[name=satisfaction][value={satisfaction}])").click()
        for code, score in (scores or {}).items():
            form.locator(f"label.pill:has(input[name=score_{code}][value='{score}'])").click()
        if note:
            form.locator("textarea[name=note]").fill(note)
        return submit_and_wait(page, form.locator("button[name=reached][value=true]"))
