"""Pages people can read when a request is refused before (or after) a view.

ReadableMethodNotAllowed: a page people can read for a wrong HTTP method.

``require_POST`` and friends answer 405 with an empty body; a citizen who reloads a form
result or follows a stale link would see a blank screen. Pages (not the APIs, which
answer in their own formats) get a short Chinese explanation instead; the status and the
``Allow`` header stay as they were.
"""

from django.http import QueryDict
from django.shortcuts import render

MACHINE_PREFIXES = ("/api/", "/open311/", "/notify/sms/")


class ReadableMethodNotAllowed:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 405 and not response.content
                and not request.path.startswith(MACHINE_PREFIXES)):
            page = render(request, "errors/405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response


class DropNulFromPageQueries:
    """NUL never belongs in a link a person follows, and PostgreSQL refuses it in any text
    comparison: a page given ``?area=%00`` would fail deep inside a query. Pages get their
    query parameters without NUL characters (``?q=%00abc`` searches for ``abc``), and a
    path holding one is refused with the 400 page. The APIs keep their own checks and
    formats (they store raw payloads and answer in JSON or Open311's error list)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(MACHINE_PREFIXES):
            if "\x00" in request.path:
                return render(request, "errors/400.html", status=400)
            if "%00" in request.META.get("QUERY_STRING", ""):
                clean = QueryDict(mutable=True)
                for key, values in request.GET.lists():
                    clean.setlist(key.replace("\x00", ""),
                                  [v.replace("\x00", "") for v in values])
                clean._mutable = False
                request.GET = clean
        return self.get_response(request)
