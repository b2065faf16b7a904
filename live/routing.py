"""Websocket routes (``training/asgi.py``)."""

from django.urls import re_path

from live.consumers import LiveConsumer

websocket_urlpatterns = [
    re_path(r"^ws/live/(?P<session_id>[0-9]{1,12})/$", LiveConsumer.as_asgi()),
]
