"""Health check and friendly error pages (no raw tracebacks, plain Chinese)."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def healthz(request):
    """For load balancers: the process answers and the database answers."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": "资源不存在", "details": {}},
                            status=404)
    return render(request, "errors/404.html", status=404)


def bad_request(request, exception=None):
    """Refused before any view ran (too many fields, an oversized upload, a bad host)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "message": "请求有误，已被拒绝",
                             "details": {}}, status=400)
    return render(request, "errors/400.html", status=400)


def csrf_failure(request, reason=""):
    """The form's security token was missing or stale: say so, in Chinese, and how to go on
    (the reason is for logs, not for citizens)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "csrf_failed", "message": "CSRF 校验失败，请刷新页面后重试",
                             "details": {}}, status=403)
    return render(request, "errors/403_csrf.html", status=403)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "internal_error", "message": "服务器内部错误，请稍后再试",
                             "details": {}}, status=500)
    return render(request, "errors/500.html", status=500)
