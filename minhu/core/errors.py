"""Errors that cross the edge of the platform with a stable code and a Chinese message.

Views, the API and the command line all catch ``MinhuError`` and show
``code`` and ``message``; nothing below the edge formats HTTP responses.
"""


class MinhuError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, code: str | None = None, **details):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class NotFound(MinhuError):
    """Raised both for missing objects and for objects the user may not see,
    so the two cannot be told apart from outside."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "工单不存在或您无权查看", code: str | None = None):
        super().__init__(message, code)


class Forbidden(MinhuError):
    status = 403
    code = "forbidden"


class TransitionError(MinhuError):
    """The order is not in a state (or the actor not in a role) that allows the action."""

    status = 409
    code = "transition_not_allowed"


class ValidationFailed(MinhuError):
    status = 422
    code = "validation_failed"
