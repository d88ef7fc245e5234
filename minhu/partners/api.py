from ninja import Router

router = Router(tags=["合作方"])
