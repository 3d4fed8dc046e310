"""The conversation as the case screen and the API read it: messages, oldest first, with their files."""

from django.db.models import QuerySet

from cases.models import Message


def messages(*, case_id: int) -> QuerySet[Message]:
    return (
        Message.objects.filter(case_id=case_id)
        .select_related("case", "author", "notification")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
