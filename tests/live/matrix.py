"""Who may do what with a session of the two county hospitals hosted at the centre (the pages'
and the API's permission tests): outside it, a 404; seen but not allowed, a 403."""

from __future__ import annotations

OUTSIDE = {"centre_trainee", "outsider_trainee", "outsider_instructor"}
MANAGERS = {"host", "cohost", "site_admin"}
ATTENDANCE = MANAGERS | {"centre_director", "county_director"}
HOSTS = {"host", "cohost", "county_instructor", "outsider_instructor", "site_admin"}


def expected(role: str, allowed: set[str]) -> int:
    if role in OUTSIDE:
        return 404
    return 200 if role in allowed else 403
