import pytest

from minhu.geo import store


@pytest.fixture(autouse=True)
def fresh_gazetteer():
    """Each test sees a gazetteer built from its own database state (rows a test adds are
    rolled back afterwards, which sends no signal)."""
    store.committed()
    yield
    store.committed()


@pytest.fixture
def resolve(db):
    from minhu.geo.resolve import resolve_place
    from minhu.org.models import Unit

    class Resolved:
        def __init__(self, match):
            self.match = match
            ids = {v: k for k, v in match.chain_ids().items() if v}
            codes = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "code"))
            self.codes = {level: codes.get(pk) for level, pk in match.chain_ids().items()}

        @property
        def community(self):
            return self.codes["community"]

        @property
        def street(self):
            return self.codes["street"]

        @property
        def grid(self):
            return self.codes["grid"]

    def run(address="", content="", lat=None, lng=None):
        return Resolved(resolve_place(address, content, lat, lng))

    return run
