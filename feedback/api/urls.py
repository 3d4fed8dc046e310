from rest_framework.routers import SimpleRouter

from feedback.api.data_subject import CustomerDataViewSet
from feedback.api.views import FeedbackViewSet
from feedback.widget.urls import api_urlpatterns as widget_api

router = SimpleRouter()
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("customers", CustomerDataViewSet, basename="customer-data")

urlpatterns = [*router.urls, *widget_api]
