"""Requests the quiz API tests make again and again."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from quizzes.models import Attempt
from quizzes.option_tokens import attempt_tokens, response_to_tokens

API = "/api/v1"


def token_client(user) -> APIClient:
    """A client authenticating the way scripts and apps do: ``Authorization: Token …``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def start(api: APIClient, quiz) -> Any:
    return api.post(f"{API}/quizzes/{quiz.pk}/attempts/")


def as_sent(attempt_id: int, response: Any) -> Any:
    """``response`` (option ids, as the factories and storage have it) named the way the
    attempt's trainee sees and sends it: by the attempt's option tokens."""
    return response_to_tokens(response, attempt_tokens(Attempt.objects.get(pk=attempt_id)))


def put_answer(api: APIClient, attempt_id: int, question_id: int, body: Any, **kw) -> Any:
    url = f"{API}/attempts/{attempt_id}/answers/{question_id}/"
    return api.put(url, body, format="json", **kw)
