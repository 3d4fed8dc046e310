from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination

from bench.ceiling.models import CeilingRow


class CeilingRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = CeilingRow
        fields = [
            "id",
            "channel",
            "rating",
            "nps",
            "comment",
            "touchpoint",
            "customer_external_id",
            "metadata",
            "created_at",
        ]


class CeilingPagination(CursorPagination):
    page_size = 50
    ordering = "-created_at"


class CeilingRows(generics.ListCreateAPIView):
    """POST inserts one row; GET lists a cursor page. Same auth and renderer as Mend's API."""

    queryset = CeilingRow.objects.all()
    serializer_class = CeilingRowSerializer
    pagination_class = CeilingPagination


class CeilingRowDetail(generics.RetrieveAPIView):
    """GET one row by id: the yardstick for a case's detail."""

    queryset = CeilingRow.objects.all()
    serializer_class = CeilingRowSerializer
