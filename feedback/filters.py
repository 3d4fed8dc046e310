import django_filters

from feedback.models import Channel, Feedback, Sentiment
from recovery.filter_fields import MomentFilter, StrictBooleanFilter


class FeedbackFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    sentiment = django_filters.ChoiceFilter(choices=Sentiment.choices)
    has_case = StrictBooleanFilter(method="filter_has_case")
    customer = django_filters.CharFilter(field_name="customer__external_id")
    received_after = MomentFilter(field_name="received_at", lookup_expr="gte")
    received_before = MomentFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Feedback
        fields = []

    def filter_has_case(self, queryset, name, value):
        return queryset.filter(case__isnull=not value)
