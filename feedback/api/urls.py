from rest_framework.routers import SimpleRouter

from feedback.api.views import FeedbackViewSet

router = SimpleRouter()
router.register("feedback", FeedbackViewSet, basename="feedback")

urlpatterns = router.urls
