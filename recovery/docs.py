"""The ReDoc page, the one page whose third-party code needs a looser Content-Security-Policy.

ReDoc renders with styled-components, which writes its CSS into <style> elements at run time (no nonce
can be given to them), and parses the schema in a web worker it starts from a blob: URL. So this page
alone allows inline styles and blob: workers; scripts stay 'self' only. Swagger UI (/api/docs/) needs
no exception.
"""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView

redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="schema", template_name="docs/redoc.html")
)
