from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "email",
            "preferred_language",
            "timezone",
            "data_saver",
        ]
        help_texts = {
            "data_saver": _(
                "Videos play in their lowest quality unless you choose another one next to "
                "the video: for slow or metered connections."
            ),
            "preferred_language": _("Used for pages and emails; empty follows your browser."),
            "timezone": _("Times are shown in this zone; empty uses the platform default."),
        }
