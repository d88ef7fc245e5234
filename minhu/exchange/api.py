from ninja import Router

router = Router(tags=["省级平台"])
