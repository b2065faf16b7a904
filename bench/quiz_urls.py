"""The platform's URLs, for bench/quiz_bench.py, with the token endpoint's throttle raised.

The bench's virtual trainees all log in from 127.0.0.1 within a second; the real throttle
(20 a minute per address, against password guessing) would keep most of them out.
"""

from django.urls import include, path

from accounts.api import TokenThrottle

TokenThrottle.rate = "100000/min"

urlpatterns = [path("", include("training.urls"))]
