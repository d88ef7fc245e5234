"""Duplicates and incidents: the same caller again (repeat), many callers about one problem
at one place (incident). ``find_duplicates(order)`` gives the hints the dispatcher sees."""


def find_duplicates(order, limit: int = 5):
    from .detect import find_duplicates as find

    return find(order, limit=limit)
