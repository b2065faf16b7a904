"""Certification API under /api/v1/: each concern's routes beside its views."""

from certification.api.urls_certificates import urlpatterns as certificate_urls
from certification.api.urls_logbook import urlpatterns as logbook_urls
from certification.api.urls_programmes import urlpatterns as programme_urls

urlpatterns = certificate_urls + logbook_urls + programme_urls
