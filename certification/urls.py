"""Certification pages. Each concern keeps its routes beside its views; names live in the one
``certification`` namespace (e.g. ``certification:verify``, ``certification:logbook``)."""

from certification.urls_certificates import urlpatterns as certificate_urls
from certification.urls_dashboards import urlpatterns as dashboard_urls
from certification.urls_logbook import urlpatterns as logbook_urls

app_name = "certification"

urlpatterns = certificate_urls + dashboard_urls + logbook_urls
