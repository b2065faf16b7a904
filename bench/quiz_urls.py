"""The platform's URLs, for bench/quiz_bench.py.

The token endpoint has no request-rate throttle any more: only failed sign-ins count, per
account (django-axes), so the bench's virtual trainees logging in from one address within a
second are not held back.
"""

from django.urls import include, path

urlpatterns = [path("", include("training.urls"))]
