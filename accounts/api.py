from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


class ObtainTokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}; 400 on bad credentials, 429 while locked out.

    Failed tries count towards the same lockout as the login page (django-axes, settings
    ``LOGIN_*``): one policy, whatever the door.
    """

    throttle_classes = []  # the lockout is the limit (accounts.lockout)

    def get_serializer_context(self):
        # authenticate() must see Django's request, not DRF's wrapper: axes marks the lockout
        # on it and AxesMiddleware answers 429 from that mark.
        return {**super().get_serializer_context(), "request": self.request._request}

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(
                response=inline_serializer("LockedOut", {"detail": serializers.CharField()}),
                description="Too many failed sign-ins: try again after the time in detail "
                "(Retry-After gives the seconds).",
            ),
        },
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
