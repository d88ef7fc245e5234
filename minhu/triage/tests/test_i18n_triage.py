"""The triage screens in English: what triage read on the dispatcher desk, the duplicates
panel, the incidents page, the learning report and the model versions page.

Reference data (unit, place, category and request-type names, people's names) stays
Chinese in every language, and so do triage's own reasons and evidence (short Chinese
phrases kept with the suggestion, like timeline notes): they are taken out of the page
before looking for Chinese, exactly as the suggestion made them.
"""

import json
import re

import pytest
from django.urls import reverse

from minhu.dedup.tests.test_views import incident  # noqa: F401 - a shared fixture
from minhu.triage import routing
from minhu.triage import suggest as suggest_module
from minhu.triage.actions import do_activate_model
from minhu.triage.tests.test_disagreement_report import october  # noqa: F401 - a fixture
from minhu.triage.tests.test_model_versions import version  # noqa: F401 - a fixture
from minhu.triage.types import FlagHint
from minhu.web.desks import dispatch as desk
from minhu.web.tests.test_i18n_channels import (
    _chinese_again_afterwards_and_fresh_rate_limits,  # noqa: F401 - autouse fixture
    assert_english,
    in_english,
    page_of,
    untranslated,
)

FLAG = "含辱骂用语：“**”"


@pytest.fixture(autouse=True)
def fresh_routing_cache():
    routing.clear_cache()
    yield
    routing.clear_cache()


@pytest.fixture
def made(monkeypatch):
    """Every suggestion triage makes during the test, to read its Chinese phrases from."""
    suggestions = []
    real = suggest_module.suggest

    def keep(order):
        found = real(order)
        suggestions.append(found)
        return found

    monkeypatch.setattr(suggest_module, "suggest", keep)
    return suggestions


def machine_phrases(suggestions) -> tuple[str, ...]:
    """Triage's reasons and evidence, as stored Chinese data (never translated)."""
    phrases = set()
    for s in suggestions:
        c = s.classification
        if c:
            phrases |= set(c.rule_hits)
            phrases |= {g.evidence for g in [*c.categories, *c.types, *c.urgencies]}
        if s.place:
            phrases |= set(s.place.evidence)
        phrases |= {r.reason for r in s.routes}
        phrases |= {d.reason for d in s.duplicates}
        phrases |= {f.reason for f in s.flags}
    return tuple(p for p in phrases if p)


def desk_phrases(order) -> tuple[str, ...]:
    """What the desk shows of the order itself and the reasons of its suggestions (the
    responsibility list's and triage's), all kept in Chinese."""
    shown = {order.content, order.address, order.citizen_name, f"{order.citizen_name[:1]}**"}
    for s in desk.suggestions_for(order):
        shown |= {s.reason, *(x.reason for x in s.also)}
    return tuple(p for p in shown if p)


def chinese_left(html: str, *reference: str) -> list[str]:
    """Chinese that is neither reference data nor stored text, in what is shown and in
    the questions asked before a merge or a referral (hx-confirm)."""
    asked = "".join(f"<p>{q}</p>" for q in re.findall(r'\bhx-confirm="([^"]*)"', html))
    return untranslated(html + asked, *reference)


def test_the_dispatcher_desk_shows_triages_reading_in_english(city, new_order, made,
                                                              monkeypatch):
    monkeypatch.setattr(suggest_module, "_flags",
                        lambda order: [FlagHint(code="abusive", reason=FLAG)])
    order = new_order(urgency="normal", content="锦绣家园楼道里一股煤气味，怀疑燃气泄漏")
    page = page_of(in_english(city.dispatcher).get(f"/dispatch/?o={order.number}"))
    assert made, "the desk asked triage"
    assert "Smart triage reading" in page and "Place" in page
    assert "Refer as unreasonable" in page and "Likely duplicates and incidents" in page
    assert '<html lang="en">' in page
    assert chinese_left(page, *desk_phrases(order), *machine_phrases(made)) == []

    fragment = in_english(city.dispatcher).get(
        reverse("triage:desk-suggestion", args=[order.number]))
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "Smart triage: dispatch suggestions" in html
    assert chinese_left(html, *desk_phrases(order), *machine_phrases(made)) == []


def test_the_desk_says_in_english_when_triage_is_unavailable(city, new_order, monkeypatch):
    def broken(order):
        raise RuntimeError("boom")

    monkeypatch.setattr(suggest_module, "suggest", broken)
    order = new_order()
    page = page_of(in_english(city.dispatcher).get(f"/dispatch/?o={order.number}"))
    assert "Smart triage is unavailable for now" in page
    assert_english(page, reference=desk_phrases(order))


def texts_of(orders, shown_chars: int) -> tuple[str, ...]:
    """The requests as written, whole and as cut short in a list (truncatechars)."""
    return tuple(t for o in orders for t in (o.content, o.content[:shown_chars - 1]))


def test_the_duplicates_panel_is_english(city, incident):  # noqa: F811
    response = in_english(city.dispatcher).get(f"/dedup/order/{incident[-1].number}/panel/")
    html = response.content.decode()
    assert "Same incident" in html and "Merge into it" in html
    assert "Merge this order" in html  # the question before merging, in English too
    hints = response.context["rows"]
    assert hints, "the panel found the earlier callers"
    reasons = tuple(hint.reason for hint, _ in hints)
    assert chinese_left(html, *reasons, *texts_of(incident, 40)) == []


def test_the_refusal_of_the_duplicates_tools_is_english(city, new_order):
    order = new_order()
    refused = in_english(city.agent).get(f"/dedup/order/{order.number}/panel/")
    assert refused.status_code == 403
    assert_english(refused.content.decode(), "Only dispatchers")


def test_the_incidents_page_is_english(city, incident):  # noqa: F811
    response = in_english(city.dispatcher).get("/dedup/incidents/")
    page = page_of(response)
    assert '<html lang="en">' in page
    for words in ("Multi-caller incidents in progress", "Merge all into the master order",
                  "Suggested master order", "Merge the other "):
        assert words in page, words
    reasons = tuple(m.reason for row in response.context["rows"] for m in row["members"])
    assert chinese_left(page, *reasons, *texts_of(incident, 50)) == []


def test_the_learning_report_is_english(city, october):  # noqa: F811
    page = page_of(in_english(city.supervisor).get(
        "/triage/learning/?start=2026-10-01&end=2026-10-31"))
    assert_english(page, "Triage learning report", "Most frequent category disagreements",
                   "Reassigned or returned after auto-dispatch", "Corrections and model training")
    trouble = re.search(r'<p data-stat="auto-trouble">(.*?)</p>', page, re.S).group(1)
    assert "orders auto-dispatched in this period" in trouble
    assert "returned by the handling unit (" in trouble and "。" not in trouble
    chart = json.loads(re.search(r'<script id="agreement-chart" type="application/json">'
                                 r"(.*?)</script>", page, re.S).group(1))
    assert chart["names"] == {"category": "Category agreement (%)",
                              "unit": "Lead unit agreement (%)"}


def test_the_model_versions_page_is_english(city, version, at):  # noqa: F811
    admin = city.user("admin")
    with at(2026, 10, 1, 9):
        version(note="")
    with at(2026, 10, 8, 9):
        newer = version(accuracy=0.85)
        do_activate_model(newer, admin)
    with at(2026, 10, 15, 9):
        version(accuracy=0.9)  # trained after the active one, not switched on yet
    page = page_of(in_english(admin).get("/triage/models/"))
    assert_english(page, "Classification model versions", "Roll back to this version",
                   "In use", "Trained on city history", f"v{newer.pk} is in use.",
                   ">Activate</button>")
    chart = json.loads(re.search(r'<script id="versions-chart" type="application/json">'
                                 r"(.*?)</script>", page, re.S).group(1))
    assert list(chart["series"]) == ["Subcategory accuracy", "Category accuracy",
                                     "Request type accuracy", "Urgent recall"]
