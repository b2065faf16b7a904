from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "preferred_language", "timezone"]
        help_texts = {
            "preferred_language": _("Used for pages and emails; empty follows your browser."),
            "timezone": _("Times are shown in this zone; empty uses the platform default."),
        }
