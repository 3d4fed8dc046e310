"""Acting on several cases at once, from the queue or All cases: assign to, acknowledge, put on hold.

There is no bulk rule. Each case goes through the same service an agent's click on the case screen
calls (`services.edit_case`, `workflow.acknowledge`, `workflow.hold`), in a transaction of its own, so
each case is locked, checked and recorded exactly as it would be alone, and one refusal neither undoes
nor blocks the others. What comes back says which cases were done and, in the service's own words,
why each of the others was refused.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from cases import services, workflow
from cases.models import RecoveryCase, format_reference, parse_reference
from recovery.errors import InvalidInput, MendError, NotFound
from recovery.roles import User

# One page of All cases at its largest (recovery.api.pagination.MAX_PAGE_SIZE): what a person can tick.
MAX_CASES = 200


@dataclass(frozen=True)
class Refusal:
    reference: str
    reason: str


@dataclass
class BulkResult:
    action: str
    done_word: str  # "acknowledged", "put on hold", "assigned to Bob"
    done: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """`3 acknowledged; 1 refused.` The refusals themselves are listed one by one beside it."""
        text = f"{len(self.done)} {self.done_word}"
        return f"{text}; {len(self.refused)} refused." if self.refused else f"{text}."


def _assign(case_id: int, actor: User, owner: User | None, reason: str) -> object:
    return services.edit_case(case_id=case_id, actor=actor, expected_version=None, changes={"owner": owner})


def _acknowledge(case_id: int, actor: User, owner: User | None, reason: str) -> object:
    return workflow.acknowledge(case_id=case_id, actor=actor)


def _hold(case_id: int, actor: User, owner: User | None, reason: str) -> object:
    return workflow.hold(case_id=case_id, actor=actor, reason=reason)


ACTIONS: dict[str, Callable[[int, User, User | None, str], object]] = {
    "assign": _assign,
    "acknowledge": _acknowledge,
    "hold": _hold,
}


def run(
    *, action: str, references: list[str], actor: User, owner: User | None = None, reason: str = ""
) -> BulkResult:
    """Do `action` to each case named in `references`, one case (and one transaction) at a time.

    An InvalidInput is about what was asked (no reason for a hold, an owner who is not an agent), not
    about one case: the services raise it before writing anything, so it is raised here on the first
    case and nothing is stored. Every other refusal is the case's own and is reported.
    """
    if action not in ACTIONS:
        raise InvalidInput(f"Unknown action '{action}'. Actions: {', '.join(ACTIONS)}.", field="action")
    ids = list(dict.fromkeys(parse_reference(reference) for reference in references))
    if not ids:
        raise InvalidInput("Select at least one case.", field="case")
    if len(ids) > MAX_CASES:
        raise InvalidInput(f"Select at most {MAX_CASES} cases at a time.", field="case")
    if action == "assign" and owner is None:
        raise InvalidInput("Pick who the cases go to.", field="owner")
    result = BulkResult(action, _done_word(action, owner))
    for case_id in ids:
        if case_id is None:
            result.refused.append(Refusal("?", "That is not a case reference."))
            continue
        reference = format_reference(case_id)
        try:
            ACTIONS[action](case_id, actor, owner, reason)
        except (RecoveryCase.DoesNotExist, NotFound):  # NotFound: another team's case, as if none
            result.refused.append(Refusal(reference, f"There is no case {reference}."))
        except InvalidInput:
            raise
        except MendError as error:
            result.refused.append(Refusal(reference, _reason(reference, error)))
        else:
            result.done.append(reference)
    return result


def _done_word(action: str, owner: User | None) -> str:
    if action == "assign":
        return f"assigned to {owner.get_full_name() or owner.get_username()}" if owner else "assigned"
    return {"acknowledge": "acknowledged", "hold": "put on hold"}[action]


def _reason(reference: str, error: MendError) -> str:
    """The service's message, naming the case (a refusal for someone else's case names its owner)."""
    return error.message if error.message.startswith(reference) else f"{reference}: {error.message}"
