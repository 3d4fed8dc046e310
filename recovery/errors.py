"""Domain errors, each message fit to show an agent verbatim; `recovery.api.errors` maps them to HTTP."""

from django.utils.translation import gettext_lazy as _


class MendError(Exception):
    """Base of every domain error."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(MendError):
    """The request is understood but a rule of the domain refuses its values (HTTP 400)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotPermitted(MendError):
    """The actor's role does not allow this (HTTP 403)."""


class Conflict(MendError):
    """The case is not in a state where this can happen (HTTP 409)."""


class TransitionNotAllowed(Conflict):
    def __init__(self, *, stage: str, action: str, allowed: list[str]):
        allowed_text = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"Cannot {action.replace('_', ' ')} a case that is {stage.replace('_', ' ')}. "
            f"Allowed now: {allowed_text}."
        )
        self.stage = stage
        self.action = action
        self.allowed = allowed


class StaleCase(Conflict):
    def __init__(self, *, expected: int, actual: int):
        super().__init__(
            f"The case changed since you loaded it (version {expected}, now {actual}). Reload and try again."
        )
        self.expected = expected
        self.actual = actual


class SurveyUnavailable(MendError):
    """A customer's survey link cannot be answered. `reason`: invalid (tampered or mangled), expired,
    answered (used already) or withdrawn (the follow-up no longer exists: its case was reopened)."""

    # Lazy: the customer reads them in their own language, active when the page renders.
    MESSAGES = {
        "invalid": _("We could not read this link. Please use the link exactly as it appears in our email."),
        "expired": _(
            "This survey link has expired. Thank you all the same for wanting to tell us how we did."
        ),
        "answered": _("This survey has already been answered. Thank you, we have your answer."),
        "withdrawn": _("This survey is no longer open: we are already working on your case again."),
    }

    def __init__(self, reason: str):
        # str() would fix the language now; the lazy message is read in the customer's, when shown.
        super().__init__(self.MESSAGES[reason])  # type: ignore[arg-type]
        self.reason = reason


class IdempotencyKeyReused(MendError):
    """An Idempotency-Key came back with a different request body (HTTP 422, per the IETF draft)."""


class NotFound(MendError):
    """The thing named does not exist, or is not linked where the caller says (HTTP 404)."""


class ManagersOnlyTransition(TransitionNotAllowed, NotPermitted):
    """The stage allows the action, but only for a manager (an override close): a matter of role (403).

    Still a TransitionNotAllowed, so callers that handle refused transitions see its stage and the
    actions the actor may take instead.
    """

    def __init__(self, *, stage: str, action: str, allowed: list[str]):
        super().__init__(stage=stage, action=action, allowed=allowed)
        allowed_text = ", ".join(allowed) if allowed else "none"
        self.message = (
            f"Only a manager may {action.replace('_', ' ')} a case that is {stage.replace('_', ' ')}. "
            f"Allowed now: {allowed_text}."
        )
        self.args = (self.message,)


class PreconditionFailed(MendError):
    """The caller edited from an out-of-date copy (If-Match did not match): nothing was changed (HTTP 412)."""

    def __init__(self, *, expected: int, actual: int):
        super().__init__(
            f"The case changed since you loaded it (version {expected}, now {actual}). "
            "Reload it and send its current ETag in If-Match."
        )
        self.expected = expected
        self.actual = actual
