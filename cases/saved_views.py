"""Saved views: a filtered All cases kept under a name, in its owner's nav or (a manager's) everyone's.

A view is only a name for a query string; opening it runs the list's own filters (CaseFilter) again.
The query is checked with those filters when it is saved, so a view never opens onto an error.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict

from cases.filters import CaseFilter
from cases.models import RecoveryCase, SavedView
from recovery.errors import InvalidInput, NotFound, NotPermitted
from recovery.roles import User, is_manager, require_case_worker

# Parameters of the list's page, not filters: a view opens on the first page of its list.
PAGE_PARAMS = ("cursor", "page_size")
NAME_LENGTH: int = SavedView._meta.get_field("name").max_length or 0
QUERY_LENGTH: int = SavedView._meta.get_field("query").max_length or 0


def save_view(*, actor: User, name: str, query: str, shared: bool = False) -> SavedView:
    require_case_worker(actor, doing="save views of the case list")
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Give the view a name.", field="name")
    if len(name) > NAME_LENGTH:
        raise InvalidInput(f"A view's name has at most {NAME_LENGTH} characters.", field="name")
    if shared and not is_manager(actor):
        raise NotPermitted("Only managers may share a view with everyone.")
    view = SavedView(owner=actor, name=name, query=filters_only(query), shared=shared)
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise InvalidInput(
            f"You already have a view named “{name}”. Choose another name.", field="name"
        ) from None
    return view


def delete_view(*, actor: User, view_id: int) -> None:
    """Its owner deletes a view; a manager may also delete a view shared with everyone."""
    view = SavedView.objects.filter(pk=view_id).first()
    if view is None or not _visible_to(view, actor):
        raise NotFound("There is no such saved view.")
    if view.owner_id != actor.pk and not (view.shared and is_manager(actor)):
        raise NotPermitted("Only the person who saved this view, or a manager, may delete it.")
    view.delete()


def views_for(user: User) -> QuerySet[SavedView]:
    """The views in `user`'s nav: their own and those shared with everyone, by name."""
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).only(
        "id", "name", "query", "shared", "owner_id"
    )


def filters_only(query: str) -> str:
    """`query` without the page's parameters, refused (naming the filter) if the list cannot read it."""
    params = QueryDict(query or "", mutable=True)
    for name in PAGE_PARAMS:
        params.pop(name, None)
    for name in [name for name, values in params.lists() if not any(value.strip() for value in values)]:
        del params[name]  # an empty field of the form filters nothing
    checked = CaseFilter(params, queryset=RecoveryCase.objects.none())
    if not checked.is_valid():
        field, errors = next(iter(checked.errors.items()))
        raise InvalidInput(f"The filter '{field}' could not be read: {' '.join(errors)}", field="query")
    text = params.urlencode()
    if len(text) > QUERY_LENGTH:
        raise InvalidInput(
            f"These filters are too long to save (at most {QUERY_LENGTH} characters).", field="query"
        )
    return text


def filters_or_empty(query: str) -> str:
    """`filters_only`, or "" for a query the list cannot read: for comparing, never for storing."""
    try:
        return filters_only(query)
    except InvalidInput:
        return ""


def _visible_to(view: SavedView, user: User) -> bool:
    return view.owner_id == user.pk or view.shared
