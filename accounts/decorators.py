"""View decorators for the platform's roles."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def author_required(view: Callable) -> Callable:
    """Signed-in instructors (of an institution) and site admins; others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.can_author:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
