from rest_framework.routers import SimpleRouter

from .views import FeedbackViewSet

router = SimpleRouter()
router.register("feedback", FeedbackViewSet, basename="feedback")

urlpatterns = router.urls
