from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.forms import ProfileForm
from accounts.lockout import password_reset_limited_response, password_reset_retry_after
from accounts.services import set_preferred_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie), remembered on the profile when signed in."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        set_preferred_language(user=request.user, language=language)
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Say it in the language just chosen: the next page is shown in that language.
        with translation.override(user.preferred_language or translation.get_language()):
            messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, limited per client address and per e-mail address entered; the
    answer is the same whether an account has that address or not."""

    def form_valid(self, form):
        retry_after = password_reset_retry_after(self.request, email=form.cleaned_data["email"])
        if retry_after:
            return password_reset_limited_response(self.request, retry_after=retry_after)
        return super().form_valid(form)
