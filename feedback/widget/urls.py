from django.contrib.auth.decorators import login_not_required
from django.urls import path
from rest_framework.routers import SimpleRouter

from feedback.widget import demo
from feedback.widget.api import WidgetFeedbackView, WidgetKeyViewSet

router = SimpleRouter()
router.register("widget-keys", WidgetKeyViewSet, basename="widget-key")

# Under /api/v1/.
api_urlpatterns = [
    *router.urls,
    path("widget/feedback/", WidgetFeedbackView.as_view(), name="widget-feedback"),
]

# The workspace's side: the DEBUG demo page (a 404 otherwise), open to anyone as a shop's page would be.
urlpatterns = [path("widget/demo/", login_not_required(demo.demo_page), name="widget-demo")]
