"""A hand-counted world for the emerging-issue detector: a spike among 4 weeks of background.

`NOW` is Sunday 6 December 2026, 12:00 UTC. The same 2 hours of the week are 10:00-12:00 on the four
previous Sundays (29 Nov, 22 Nov, 15 Nov, 8 Nov).

delivery, "parcel late" wording:
  last 2 hours: 4 (11:10, 11:20, 11:35, 11:50)            -> count 4
  10:00-12:00 on previous Sundays: 1, 1, 1, 0 = 3 pieces   -> expected 0.75; 4 >= 3 and 4 >= 2.25: emerging
  at other hours (Sunday 14:00, Monday 11:00, Saturday 11:00 of each week): never counted
  earlier today (08:00): in the group's cases, not in its count
delivery, "courier rude" wording:
  last 2 hours: 3; previous Sundays 10:00-12:00: 2, 1, 1, 1 -> expected 1.25; 3 < 3.75: not emerging
checkout, "payment failed": 2 in the last 2 hours -> under the minimum of 3, never a group.
"""

from datetime import UTC, datetime, timedelta

from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Sentiment
from feedback.tests.factories import FeedbackFactory

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LATE = ["My parcel arrived late", "parcel arrived very late again", "Late parcel, arrived two days late",
        "the parcel arrived late"]  # fmt: skip
RUDE = ["The courier was rude", "rude courier at the door", "courier rude and unhelpful"]


def negative(comment: str, *, at: datetime, touchpoint: str = "delivery"):
    case = RecoveryCaseFactory(title=comment)
    return FeedbackFactory(
        case=case,
        comment=comment,
        touchpoint=touchpoint,
        received_at=at,
        rating=1,
        sentiment=Sentiment.NEGATIVE,
    )


def build() -> dict[str, list]:
    spike = [
        negative(text, at=NOW - timedelta(minutes=m)) for text, m in zip(LATE, (50, 40, 25, 10), strict=True)
    ]
    earlier = [negative("parcel arrived late", at=NOW - timedelta(hours=4))]
    for week, late in zip(range(1, 5), (1, 1, 1, 0), strict=True):
        sunday = NOW - timedelta(weeks=week)
        for _ in range(late):
            negative("parcel late again", at=sunday - timedelta(minutes=30))
        negative("parcel late", at=sunday + timedelta(hours=2))  # Sunday 14:00: another hour
        negative("parcel late", at=sunday + timedelta(days=1, minutes=-30))  # Monday 11:30
        negative("parcel late", at=sunday - timedelta(days=1, minutes=30))  # Saturday 11:30
    rude = [negative(text, at=NOW - timedelta(minutes=m)) for text, m in zip(RUDE, (100, 70, 5), strict=True)]
    for week, count in zip(range(1, 5), (2, 1, 1, 1), strict=True):
        for _ in range(count):
            negative("courier was rude", at=NOW - timedelta(weeks=week, minutes=45))
    negative("payment failed", at=NOW - timedelta(minutes=15), touchpoint="checkout")
    negative("payment failed twice", at=NOW - timedelta(minutes=20), touchpoint="checkout")
    return {"spike": spike, "earlier": earlier, "rude": rude}
