"""Consultation pages. Until the consult page exists, its address (which e-mails link to)
opens the consult in the browsable API, for the same readers."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from consults.selectors import visible_consults


@login_required
def consult_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not visible_consults(request.user).filter(pk=pk).exists():
        raise Http404
    return redirect(reverse("api-consults-detail", kwargs={"pk": pk}))
