"""Declaring a stateful aggregate: its states, its moves and its event types, once, as data.

An aggregate (a case, a back-office task, a catalogue item, an import job, an outbox message,
and the work orders to come) describes itself with one ``StateMachine``::

    CASE_MACHINE = StateMachine(
        name="cases.case",
        model="cases.Case",
        states=CaseState,
        running={CaseState.ACCEPTED},             # where the promised clock runs
        terminal={CaseState.DELIVERED, ...},
        events=CASE_EVENTS,                       # the one vocabulary, with labels
        moves=[
            Move("accept", {NEW, CaseState.SUPPLEMENT_REQUESTED}, CaseState.ACCEPTED,
                 permission=Action.CASE_ACCEPT, notifies=True),
            ...
        ],
        event_model="cases.CaseEvent",
        event_fields=lambda case: {"case": case},
        notifier="onewindow.cases.notifications.case_event_notify",
    )

``workflow.mover.move`` is the only code that changes such a state. Pages, the API, the staff
timeline, the public progress page and the message templates read the labels from the same
vocabulary — an event's name is written once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.module_loading import import_string, module_has_submodule

from onewindow.workflow.errors import StaleRevision, TransitionNotAllowed

# Stands for "no row yet": the moves out of it create the aggregate.
NEW = "new"


@dataclass(frozen=True)
class EventType:
    """One kind of event of an aggregate.

    ``label`` is what staff read on a timeline; ``public_label`` what the applicant reads on
    the progress page (``None``: the event is never shown publicly); ``verb`` names the action
    in refusals ("… it cannot <verb> now").
    """

    code: str
    label: str | Promise
    public_label: str | Promise | None = None
    verb: str | Promise | None = None


class EventVocabulary:
    """The event types of one aggregate, looked up by code; iterable in declaration order."""

    def __init__(
        self, types: Iterable[EventType], *, other_label: str | Promise, other_public_label: Any
    ):
        self._types: dict[str, EventType] = {}
        for event_type in types:
            if event_type.code in self._types:
                raise ValueError(f"event type {event_type.code!r} declared twice")
            self._types[event_type.code] = event_type
        self.other_label = other_label
        self.other_public_label = other_public_label

    def __iter__(self) -> Iterator[EventType]:
        return iter(self._types.values())

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __getitem__(self, code: str) -> EventType:
        return self._types[code]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self._types)

    @property
    def choices(self) -> list[tuple[str, str | Promise]]:
        return [(t.code, t.label) for t in self._types.values()]

    def label(self, code: str) -> str:
        """The staff label of ``code`` (an unknown code: the vocabulary's "other" label)."""
        event_type = self._types.get(code)
        return str(event_type.label if event_type else self.other_label)

    def public_label(self, code: str) -> str:
        event_type = self._types.get(code)
        if event_type is None or event_type.public_label is None:
            return str(self.other_public_label)
        return str(event_type.public_label)

    def verb(self, code: Any) -> Any:
        """The (lazy) verb of ``code``; anything else is returned as it is, so a verb already
        looked up passes through unchanged."""
        event_type = self._types.get(code) if isinstance(code, str) else None
        if event_type is None or event_type.verb is None:
            return code
        return event_type.verb

    def labels(self) -> dict[str, str]:
        """Every staff label by code, for templates."""
        return {code: str(t.label) for code, t in self._types.items()}


@dataclass(frozen=True)
class Move:
    """``action`` takes the aggregate from any of ``sources`` to ``target``.

    ``permission``: the ``Action`` a caller must hold (checked by the service before its
    transaction, through ``StateMachine.permission_for``, so that a refusal's audit row stays).
    ``public``: the move is shown on the applicant's timeline. ``notifies``: a public move of
    this kind is told to the applicant (the machine's ``notifier``, after commit). ``event``:
    the event type written (default: the action's own code).
    """

    action: str
    sources: frozenset[str]
    target: str
    permission: str | None = None
    public: bool = True
    notifies: bool = False
    event: str | None = None

    def __init__(
        self,
        action: str,
        sources: Iterable[str],
        target: str,
        *,
        permission: str | None = None,
        public: bool = True,
        notifies: bool = False,
        event: str | None = None,
    ):
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "permission", permission)
        object.__setattr__(self, "public", public)
        object.__setattr__(self, "notifies", notifies)
        object.__setattr__(self, "event", event)


# Every machine declared so far, by name (a later declaration of a name replaces the earlier).
_machines: dict[str, StateMachine] = {}
MACHINES_MODULE = "transitions"


def machines() -> list[StateMachine]:
    """Every declared machine, after importing the ``transitions`` module of each installed app
    (where the apps declare theirs), so a worker or a sweep sees them without naming an app."""
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, MACHINES_MODULE):
            importlib.import_module(f"{app_config.name}.{MACHINES_MODULE}")
    return list(_machines.values())


def machine_named(name: str) -> StateMachine:
    """The machine called ``name`` (``LookupError`` when no app declares it)."""
    if name not in _machines:
        machines()
    try:
        return _machines[name]
    except KeyError:
        raise LookupError(f"no state machine {name!r}") from None


def _own_fields(obj: Any) -> dict[str, Any]:
    return {"subject": obj}


@dataclass
class StateMachine:
    """The declaration of one stateful aggregate (see the module docstring)."""

    name: str
    model: str  # "app_label.Model"
    states: type[models.TextChoices]
    moves: list[Move]
    events: EventVocabulary
    event_model: str | None = None  # "app_label.Model"; None: the audit row is the record
    event_fields: Callable[[Any], dict[str, Any]] = _own_fields
    # The states whose event rows should carry another aggregate's state instead of this one's
    # (a task's events go to its case's log, with the case's state unchanged on them).
    event_states: Callable[[Any, str, str], tuple[str, str]] | None = None
    state_field: str = "state"
    revision_field: str | None = "revision"
    running: AbstractSet[str] = field(default_factory=frozenset)  # the clock runs in these
    terminal: AbstractSet[str] = field(default_factory=frozenset)
    audit_prefix: str = ""
    # Dotted path of a function ``f(*, event_id)`` (a ``core.tasks`` task) that hands the
    # event's message to the outbox, idempotently; ``workflow.tasks`` runs it after commit and
    # its sweep runs it again for every event still ``notify_pending``.
    notifier: str | None = None
    not_allowed: Callable[..., Exception] = TransitionNotAllowed
    stale: Callable[[], Exception] = StaleRevision
    _by_action: dict[str, Move] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.running = frozenset(str(s) for s in self.running)
        self.terminal = frozenset(str(s) for s in self.terminal)
        known = {NEW, *self.states.values}
        self._by_action = {}
        for move in self.moves:
            if move.action in self._by_action:
                raise ValueError(f"{self.name}: move {move.action!r} declared twice")
            unknown = (move.sources | {move.target}) - known
            if unknown:
                raise ValueError(f"{self.name}: move {move.action!r} names unknown {unknown}")
            if (move.event or move.action) not in self.events:
                raise ValueError(f"{self.name}: move {move.action!r} has no event type")
            self._by_action[move.action] = move
        for state in self.terminal:
            if any(state in m.sources for m in self.moves):
                raise ValueError(f"{self.name}: terminal state {state!r} has a move out")
        if not self.audit_prefix:
            self.audit_prefix = self.name + "."
        _machines[self.name] = self

    # --- the table ------------------------------------------------------------------------

    @property
    def actions(self) -> list[str]:
        return list(self._by_action)

    def move_for(self, action: str) -> Move | None:
        return self._by_action.get(action)

    def target(self, action: str, current: str) -> str | None:
        """The state ``action`` leads to from ``current``, or None if the move is not allowed."""
        move = self._by_action.get(action)
        if move is None or str(current) not in move.sources:
            return None
        return move.target

    def allowed_actions(self, current: str) -> list[str]:
        """The actions the table allows from ``current``, in declaration order."""
        return [m.action for m in self.moves if str(current) in m.sources]

    def table(self) -> dict[str, tuple[frozenset[str], str]]:
        """``{action: (from-states, to-state)}`` — the table as plain data."""
        return {m.action: (m.sources, m.target) for m in self.moves}

    def permission_for(self, action: str) -> Any:
        move = self._by_action[action]
        if move.permission is None:
            raise LookupError(f"{self.name}: move {action!r} declares no permission")
        from onewindow.org.permissions import Action

        return Action(move.permission)

    def clock_runs_in(self, state: str) -> bool:
        return str(state) in self.running

    def is_terminal(self, state: str) -> bool:
        return str(state) in self.terminal

    def state_label(self, state: str) -> Any:
        """The (lazy) label of ``state``: a refusal's message renders it in each of its
        languages (``core.errors.bilingual``), not in the one active when it was raised."""
        if state == NEW:
            return str(NEW)
        try:
            return self.states(state).label
        except ValueError:
            return str(state)

    # --- models ---------------------------------------------------------------------------

    def event_model_class(self) -> type[models.Model] | None:
        return apps.get_model(self.event_model) if self.event_model else None

    def notifier_function(self) -> Callable[..., Any] | None:
        return import_string(self.notifier) if self.notifier else None
