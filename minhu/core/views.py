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


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "internal_error", "message": "服务器内部错误，请稍后再试",
                             "details": {}}, status=500)
    return render(request, "errors/500.html", status=500)
