from django.dispatch import Signal

# Sent after the transaction that moved a case commits, with `event_id` of its STAGE_CHANGED event.
# Receivers only enqueue tasks: they must not do slow I/O or change cases.
case_transitioned = Signal()
