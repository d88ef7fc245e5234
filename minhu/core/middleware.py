"""A page people can read for a wrong HTTP method.

``require_POST`` and friends answer 405 with an empty body; a citizen who reloads a form
result or follows a stale link would see a blank screen. Pages (not the APIs, which
answer in their own formats) get a short Chinese explanation instead; the status and the
``Allow`` header stay as they were.
"""

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
