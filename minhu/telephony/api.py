from ninja import Router

router = Router(tags=["话务"])
