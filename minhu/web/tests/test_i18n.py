"""Languages of the web interface: Chinese by default, English with the switch in the top
bar, and an English catalog that is complete and compiled.

Chinese is the source language: every msgid is the Chinese text, so an untranslated
string simply stays Chinese. What is kept with an order (notices, the reason of a
return) stays Chinese whatever language the person who caused it reads.
"""

import ast
import gettext as gnu_gettext
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from minhu.notices.models import Notice
from minhu.orders import actions as a
from minhu.orders.models import ReturnRequest
from minhu.orders.states import State

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
TEMPLATES = Path(settings.BASE_DIR) / "web" / "templates" / "web"


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request leaves its language active in the thread: later tests expect Chinese."""
    yield
    translation.deactivate()


def text(response) -> str:
    return response.content.decode()


def switch(client: Client, language: str, next_url: str = "/") -> object:
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def login(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        switch(client, language)
    return client


# --- Choosing the language ----------------------------------------------------------------


def test_the_login_page_is_chinese_by_default_even_for_an_english_browser(db):
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}):
        page = text(Client().get("/login/", **headers))
        assert '<html lang="zh-hans">' in page
        assert "登录民呼工作台" in page and "Log in" not in page
        # The switch offers both languages, each named in its own language.
        assert 'action="/i18n/setlang/"' in page
        assert 'value="en" lang="en">English</button>' in page
        assert 'value="zh-hans" lang="zh-hans" aria-pressed="true">中文</button>' in page


def test_switching_on_the_login_page_keeps_where_the_person_was_going(db):
    client = Client()
    page = text(client.get("/login/?next=/orders/"))
    assert 'name="next" value="/login/?next=/orders/"' in page

    response = switch(client, "en", "/login/?next=/orders/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/orders/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    english = text(client.get("/login/?next=/orders/"))
    assert '<html lang="en">' in english
    assert "Log in to Minhu" in english and ">Log in</button>" in english
    assert "User name" in english and "Password" in english
    assert "登录民呼工作台" not in english
    assert 'name="next" value="/orders/"' in english  # the login form's own next

    switch(client, "zh-hans", "/login/")
    assert "登录民呼工作台" in text(client.get("/login/"))


def test_a_page_answering_a_post_switches_back_to_home(city):
    """A form that failed shows its page again in answer to a POST: the switch must not
    send the person back to that POST-only address."""
    page = login(city.agent).post("/agent/register/", {"citizen_phone": "", "content": ""})
    assert page.status_code == 422
    assert '<input type="hidden" name="next" value="/">' in text(page)


def test_the_error_page_follows_the_language(db):
    client = Client()
    assert "页面不存在" in text(client.get("/no-such-page/"))
    switch(client, "en")
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "Page not found" in text(page)


def test_an_unknown_language_falls_back_to_chinese(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "登录民呼工作台" in text(client.get("/login/"))


# --- Pages in English ---------------------------------------------------------------------


def test_home_in_english_and_back(city, dispatched_order):
    order = dispatched_order()
    a.do_sign(order, city.street_handler)
    client = login(city.dispatcher, "en")

    page = text(client.get("/"))
    assert "<title>Home · 12345 Citizen Hotline</title>" in page
    assert f"Hello, {city.dispatcher}" in page
    for words in ("Dispatch desk", "Search orders", "Notices", "Log out",
                  "Overdue", "Due soon (yellow)", "To dispatch", "Returns to review",
                  "Open in all", "Orders that need you most"):
        assert words in page, words
    assert "最需要处理的工单" not in page and "派单台" not in page

    switch(client, "zh-hans")
    page = text(client.get("/"))
    assert "最需要处理的工单" in page and "派单台" in page
    assert "Orders that need you most" not in page


def test_the_order_page_in_english_shows_translated_labels(city, dispatched_order):
    order = dispatched_order()
    page = text(login(city.dispatcher, "en").get(f"/orders/{order.number}/"))

    # the state label
    assert '<span class="state warn" data-state="dispatched">To sign for</span>' in page
    assert "To dispatch → To sign for" in page  # the timeline's moves
    assert "<b>Register</b>" in page and "<b>Dispatch</b>" in page  # action names
    assert "<td>Lead</td>" in page  # the assignment's role
    for words in ("Request", "Timeline", "Handling units", "Actions", "Deadline",
                  "Channel", "Phone", "Reassign"):
        assert words in page, words
    assert re.search(r'class="badge (green|yellow)">\d+(d|h|d \d+h|h \d+m| min) left<', page)
    for chinese in ("待签收", "时间线", "承办单位"):
        assert chinese not in page, chinese


def test_desks_in_english(city, dispatched_order):
    order = dispatched_order()
    street = login(city.street_handler, "en")
    inbox = text(street.get("/inbox/"))
    assert "Unit inbox" in inbox and ">Sign for</button>" in inbox
    assert order.number in inbox and "Return</a>" in inbox
    form = text(street.get(f"/inbox/{order.number}/form/return/?tab=pending",
                           HTTP_HX_REQUEST="true"))
    assert "Not this unit&#x27;s responsibility" in form and "Submit return" in form

    agent = text(login(city.agent, "en").get("/agent/"))
    assert "Register a call" in agent and "Caller's number" in agent

    callback = text(login(city.callback_agent, "en").get("/callback/"))
    assert "Callback desk" in callback and "To call again" in callback

    search = text(login(city.dispatcher, "en").get("/orders/?flag=supervised&q=油烟"))
    assert "<h1>Search orders</h1>" in search and "No orders match" in search
    assert "Flags: Under supervision" in search and "Contains: 油烟" in search
    assert "Export to Excel" in text(login(city.dispatcher, "en").get("/orders/?q=油烟"))


def test_messages_from_the_views_follow_the_language(city):
    client = login(city.dispatcher, "en")
    page = text(client.post("/orders/saved/", {"name": "Mine", "querystring": "q=x"},
                            follow=True))
    assert "Saved search “Mine”" in page


def test_the_excel_export_in_english(city, dispatched_order):
    order = dispatched_order()
    response = login(city.dispatcher, "en").get(f"/orders/export.xlsx?number={order.number}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Order number", "State", "Channel")
    assert rows[1][:3] == (order.number, "To sign for", "Phone")


# --- What is kept stays Chinese ------------------------------------------------------------


def test_text_kept_with_an_order_stays_chinese_when_the_actor_reads_english(
        city, dispatched_order, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        order = dispatched_order()
    notice = Notice.objects.filter(order=order).latest("pk")
    assert "（主办）" in notice.text

    street = login(city.street_handler, "en")
    street.post(f"/inbox/{order.number}/return/", {
        "category": "not_duty", "tab": "pending",
        "explanation": "该路段路灯由市城市管理局路灯所管护，不在本街道职责范围内"})
    reason = ReturnRequest.objects.get(order=order).reason
    assert reason.startswith("【非本单位职责】")


def test_choice_labels_are_lazy_with_chinese_source_labels():
    with translation.override("en"):
        assert State.label_of(State.REGISTERED) == "To dispatch"
        assert f"{State.REGISTERED.label}" == "To dispatch"
        assert State.source_label_of(State.REGISTERED) == "待派单"
        assert State.label_of("no-such-state") == "no-such-state"
    assert State.label_of(State.REGISTERED) == "待派单"


# --- The catalog -------------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: flags, msgctxt, msgid, msgid_plural, msgstr[...]."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": "", "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] += value
                else:
                    entry[key] += value
            else:
                word, _, rest = line.partition(" ")
                value = ast.literal_eval(rest)
                match = re.fullmatch(r"msgstr\[(\d+)\]", word)
                if match:
                    key = ("msgstr", int(match[1]))
                    entry["msgstr"][key[1]] = value
                elif word == "msgstr":
                    key = ("msgstr", 0)
                    entry["msgstr"][0] = value
                else:
                    key = word
                    entry[key] = value
        if "msgid" in entry:
            entries.append(entry)
    return entries


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    entries = read_po(LOCALE / "django.po")
    header = next(e for e in entries if e["msgid"] == "")
    assert "fuzzy" not in header["flags"] and "charset=UTF-8" in header["msgstr"][0]
    messages = [e for e in entries if e["msgid"]]
    assert len(messages) > 400
    assert [e["msgid"] for e in messages if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in messages if not all(e["msgstr"].values())] == []
    # Placeholders survive translation.
    for e in messages:
        wanted = sorted(re.findall(r"%\(\w+\)s", e["msgid"]))
        assert sorted(re.findall(r"%\(\w+\)s", e["msgstr"][0])) == wanted, e["msgid"]


def test_the_compiled_catalog_matches_the_po_file():
    """The .mo is committed: it must say what the .po says (run `minhu compilemessages`)."""
    with (LOCALE / "django.mo").open("rb") as f:
        compiled = gnu_gettext.GNUTranslations(f)._catalog
    expected = {}
    for e in read_po(LOCALE / "django.po"):
        if not e["msgid"] or "fuzzy" in e["flags"]:
            continue
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            for n, value in e["msgstr"].items():
                expected[(key, n)] = value
        else:
            expected[key] = e["msgstr"][0]
    compiled.pop("", None)
    assert compiled == expected


@pytest.mark.parametrize("msgid, english", [
    ("待派单", "To dispatch"), ("话务台", "Agent desk"), ("登录", "Log in"), ("首页", "Home"),
])
def test_known_strings_translate(msgid, english):
    with translation.override("en"):
        assert translation.gettext(msgid) == english
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == msgid


def test_templates_mark_all_their_chinese_text():
    """Chinese text in the web templates is inside {% translate %} or {% blocktranslate %}
    (punctuation between marked parts, and the language switch's own "中文", excepted)."""
    marked = re.compile(r'\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}'
                        r'|\{%\s*translate\s+"[^"]*"[^%]*%\}|\{#.*?#\}', re.S)
    chinese = re.compile(r"[\u4e00-\u9fff]")
    unmarked = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        rest = marked.sub("", path.read_text(encoding="utf-8")).replace(">中文<", "><")
        unmarked += [f"{path.relative_to(TEMPLATES)}: {line.strip()[:80]}"
                     for line in rest.splitlines() if chinese.search(line)]
    assert unmarked == []


def test_the_order_page_carries_machine_readable_state_and_timeline_hooks(
        city, dispatched_order):
    from django.test import Client

    order = dispatched_order()
    client = Client()
    client.force_login(city.dispatcher)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-state="dispatched"' in html
    assert 'data-action="register"' in html and 'data-action="dispatch"' in html
    assert "web/favicon.svg" in html
