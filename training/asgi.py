"""ASGI entry point: pages (Django) and the live rooms' websockets (Channels), one application.

``manage.py serve`` runs it under gunicorn with uvicorn workers; production does the same (see
the README). Websockets are accepted only from the hosts in ALLOWED_HOSTS (the Origin header,
against cross-site socket hijacking) and carry the signed-in user from the session cookie.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training.settings")
# Before anything that imports models: it sets Django up.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
