"""The pages of the intake channels in English: the citizen portal, building QR codes,
grid patrols, the call pop and call-centre figures, partners, status pushes, the
provincial exchange and the channel overview.

Reference data (unit, place, category and request-type names, people's names) stays
Chinese in every language; every other word on these pages is English once a person
picks English.
"""

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from minhu.accounts.models import ApiToken, Scope, User
from minhu.catalog.models import Category, RequestType, UrgencyTier
from minhu.orders.actions import do_dispatch, do_reply, do_sign
from minhu.org.models import Place, Unit

CITY_TZ = ZoneInfo("Asia/Shanghai")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SHOWN_ATTRIBUTES = re.compile(
    r'\b(?:placeholder|title|aria-label|alt|data-empty)="([^"]*)"')


@pytest.fixture(autouse=True)
def _chinese_again_afterwards_and_fresh_rate_limits(settings):
    """A request leaves its language active in the thread, and the portal counts
    submissions and code requests in the cache: later tests expect neither."""
    settings.MINHU_PORTAL_MIN_FILL_SECONDS = 0
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()


def in_english(user: User | None = None) -> Client:
    client = Client()
    if user:
        client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def page_of(response) -> str:
    assert response.status_code in (200, 404), response.status_code
    return response.content.decode()


def reference_data(*extra: str) -> list[str]:
    """Names that stay Chinese in every language, longest first (so a compound's name
    is taken out before a shorter name inside it)."""
    names = set(extra)
    for unit in Unit.objects.all():
        names |= {unit.name, unit.short_name}
    for place in Place.objects.all():
        names |= {place.name, place.address, *place.aliases.split(",")}
    for category in Category.objects.all():
        names |= {category.name, *category.keywords.split(",")}
    names |= set(RequestType.objects.values_list("name", flat=True))
    names |= set(UrgencyTier.objects.values_list("name", flat=True))
    names |= {str(u) for u in User.objects.all()}
    names.add("中文")  # the language switch names each language in itself
    return sorted((n.strip() for n in names if n and n.strip()), key=len, reverse=True)


def shown_text(html: str) -> str:
    """What a reader sees or hears: the text between tags and the labelled attributes,
    without scripts (chart data is checked on its own where it matters)."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<style\b.*?</style>", " ", html, flags=re.S)
    attributes = "\n".join(SHOWN_ATTRIBUTES.findall(html))
    return re.sub(r"<[^>]+>", "\n", html) + "\n" + attributes


def untranslated(html: str, *extra_reference: str) -> list[str]:
    text = shown_text(html)
    for name in reference_data(*extra_reference):
        text = text.replace(name, "")
    return sorted({line.strip() for line in text.splitlines() if CHINESE.search(line)})


def assert_english(html: str, *words: str, reference: tuple[str, ...] = ()):
    assert '<html lang="en">' in html
    for w in words:
        assert w in html, w
    assert untranslated(html, *reference) == []


def city_time(*parts) -> str:
    return datetime(*parts, tzinfo=CITY_TZ).isoformat()


# --- The citizen portal (no login) --------------------------------------------------------


def test_the_citizen_portal_form_is_english(city):
    page = page_of(in_english().get("/m/"))
    assert_english(page, "Report a problem", "Track a request", "Mobile number",
                   "Mark the place on the map", "Name (optional)", ">Send<",
                   "In an emergency, call 110 / 119 / 120")
    # the request types offered on the form
    assert "Complaint" in page and "Suggestion" in page


def test_tracking_an_order_is_english_from_the_number_to_the_code(city, new_order):
    order = new_order()
    client = in_english()
    assert_english(page_of(client.get("/m/track/")), "Track a request", "Get a code",
                   "The mobile number you gave")
    response = client.post("/m/track/", {"number": order.number, "phone": "13812345678"})
    assert response.status_code == 302
    code_page = page_of(client.get(response["Location"]))
    assert_english(code_page, "Enter the code", "6-digit code", "View the order",
                   f"If order {order.number} matches the mobile number")


def _granted(client: Client, number: str) -> Client:
    from minhu.portal.track import grant

    session = client.session
    grant(session, number)
    session.save()
    return client


@pytest.fixture
def replied_order(city, new_order):
    order = do_sign(do_dispatch(new_order(), city.dispatcher, city.unit("DC01").pk),
                    city.street_handler)
    return do_reply(order, city.street_handler, "已约谈店主，油烟净化器三日内安装到位。",
                    solved=True, handler_name="张伟", handler_phone="0571-88001234")


def test_the_citizens_order_page_labels_are_english(city, replied_order):
    client = _granted(in_english(), replied_order.number)
    page = page_of(client.get(f"/m/orders/{replied_order.number}/"))
    for words in ("Status: ", "Your request", "What has been done", "Place: ", "Phone",
                  "0571-88001234"):
        assert words in page, words
    assert "您反映的问题" not in page and "办理经过" not in page


def test_the_citizens_state_and_timeline_are_english(city, replied_order):
    client = _granted(in_english(), replied_order.number)
    page = page_of(client.get(f"/m/orders/{replied_order.number}/"))
    assert untranslated(page, replied_order.content, replied_order.reply_text,
                        replied_order.address, "张伟", "张**") == []


def test_rating_the_reply_is_english(city, replied_order):
    token = signing.dumps({"n": replied_order.number}, salt="minhu.portal.rate")
    page = page_of(in_english().get(f"/m/rate/{token}/"))
    assert_english(page, "Rate the result", "Was the problem solved?",
                   "Are you satisfied with the result?", "Send rating",
                   reference=(replied_order.reply_text, "张伟"))


def test_a_building_code_opens_the_english_form_locked_to_its_place(city):
    from minhu.qrcodes.models import code_for

    building = (Place.objects.filter(community__code="DC0101", kind="building")
                .order_by("pk").first())
    client = in_english()
    page = page_of(client.get(f"/qr/{code_for(building).code}/", follow=True))
    assert_english(page, "Report a problem here", "Your community handles it first")
    assert building.name in page

    gone = client.get("/qr/NO-SUCH-CODE/")
    assert gone.status_code == 404
    assert_english(page_of(gone), "This QR code is no longer in use",
                   "Report a problem online")


def test_the_sms_opt_out_page_is_english(db):
    from minhu.notices.links import optout_token

    page = page_of(in_english().get(f"/notify/optout/{optout_token('13812345678')}/"))
    assert_english(page, "Unsubscribe", "138****5678")


# --- Staff pages --------------------------------------------------------------------------


def test_the_grid_workers_patrol_pages_are_english(city):
    client = in_english(city.user("dc010101_handler"))
    assert_english(page_of(client.get("/patrol/")), "Patrol report", "My reports", "Photos",
                   "What is the problem?", "Choose a place in your grid",
                   "Use my current location", "Already handled on the spot")
    assert_english(page_of(client.get("/patrol/mine/")), "My reports", "New report")


def test_the_discovery_figures_are_english(city):
    page = page_of(in_english(city.supervisor).get("/patrol/stats/"))
    assert_english(page, "Problems found by grid workers", "Found proactively",
                   "Reported by citizens", "Share found proactively")
    assert "群众反映" not in page  # the chart's series names too


def test_the_call_pop_and_the_linked_registration_are_english(city, at):
    _, key = ApiToken.objects.issue(city.user("admin"), "话务系统", [Scope.CTI])
    agent = in_english(city.agent)
    with at(2025, 9, 30, 10, 0, 5):
        answer = Client().post(
            "/api/v1/cti/calls",
            json.dumps({"call_id": "C-7001", "event": "ringing", "caller": "13905719999",
                        "at": city_time(2025, 9, 30, 10), "agent": "agent1"}),
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert answer.status_code in (200, 201, 202), answer.content
        pop = agent.get("/cti/pop/")
        assert pop.status_code == 200
        # a fragment swapped into the console: no <html>, but every word English
        html = pop.content.decode()
        assert "Incoming call" in html and "Register (number filled in)" in html
        assert "Call ID" in html and untranslated(html) == []

        form = page_of(agent.get("/agent/?call=C-7001"))
        assert_english(form, "Register a call", "Linked call",
                       "The call ID is recorded with the order")


def test_the_call_centre_figures_are_english(city):
    page = page_of(in_english(city.supervisor).get("/cti/"))
    assert_english(page, "Call answer rate", "Answer rate by day", "By agent",
                   "Recent calls", "Calls offered (counted)")


def test_the_partner_outbox_exchange_and_overview_pages_are_english(city):
    client = in_english(city.supervisor)
    assert_english(page_of(client.get("/partners/")), "Partners and today's traffic",
                   "Submissions rejected in the last 7 days", "Status pushes and dead letters")
    assert_english(page_of(client.get("/outbox/")), "Status pushes · dead letters",
                   "Endpoint health")
    assert_english(page_of(client.get("/exchange/")), "Provincial exchange",
                   "Exchange status", "Updates waiting")
    overview = page_of(client.get("/intake/"))
    assert_english(overview, "Channel intake", "Requests by channel", "Today",
                   "Last 7 days", "Intake records without an order", "Grid discoveries")
    assert ">Channel intake</a>" in overview  # the top navigation


def test_the_communitys_qr_code_page_is_english(city):
    from minhu.qrcodes.models import code_for

    code_for(Place.objects.filter(community__code="DC0101", kind="building").first())
    page = page_of(in_english(city.user("dc0101_handler")).get("/qr/manage/"))
    assert_english(page, "QR codes for buildings", "Generate in bulk", "Print sheet",
                   "New code", "None yet", "Problems reported by scanning go first to the building")


# --- The templates ------------------------------------------------------------------------

CHANNEL_APPS = ("portal", "qrcodes", "patrol", "telephony", "partners", "outbox", "exchange",
                "intake", "notices", "open311")


def test_the_channel_templates_mark_all_their_chinese_text():
    """As for the web's own templates: shown Chinese text is inside {% translate %} or
    {% blocktranslate %}; Chinese inside other tags ({% if s == "…" %}) is never shown."""
    from django.conf import settings

    marked = re.compile(r'\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}'
                        r'|\{%.*?%\}|\{#.*?#\}', re.S)
    unmarked = []
    for app in CHANNEL_APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).glob("templates/**/*.html")):
            source = path.read_text(encoding="utf-8")
            rest = marked.sub(lambda m: "\n" * m.group(0).count("\n"), source)
            unmarked += [f"{app}/{path.name}:{n}: {line.strip()[:80]}"
                         for n, line in enumerate(rest.splitlines(), 1)
                         if CHINESE.search(line)]
    assert unmarked == []
