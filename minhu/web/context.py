from django.urls import NoReverseMatch, reverse

from .roles import desks_for


def workspace(request):
    """Navigation and the unread-notice count for the layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from minhu.notices.models import Notice

    nav = []
    for desk in desks_for(user):
        try:
            nav.append({"url": reverse(desk.url_name), "label": desk.label,
                        "active": request.path.startswith(reverse(desk.url_name))})
        except NoReverseMatch:  # a desk whose app is not installed in this deployment
            continue
    unread = 0
    if user.unit_id:
        unread = Notice.objects.filter(unit_id=user.unit_id, read_at__isnull=True).count()
    return {"nav_desks": nav, "unread_notices": unread}
