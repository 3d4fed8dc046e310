from rest_framework.routers import SimpleRouter

from feedback.api.data_subject import CustomerDataViewSet
from feedback.api.views import FeedbackViewSet

router = SimpleRouter()
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("customers", CustomerDataViewSet, basename="customer-data")

urlpatterns = router.urls
