from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from cases.access import register_key_lock
        from cineloops.visibility import register_visibility_rule
        from courses.progress_hooks import register_progress_items
        from quizzes.hooks import loops_in_visible_quizzes, quiz_progress_items
        from quizzes.locks import exam_key_lock

        # Trainees may play the loops of the questions of quizzes they may take.
        register_visibility_rule(loops_in_visible_quizzes)
        # A module with a quiz is complete only when the quiz is passed.
        register_progress_items(quiz_progress_items)
        # The cases and loops of a user's exam in progress answer its questions: locked.
        register_key_lock(exam_key_lock)
        # Demo quizzes on the demo cases: registered after the cases app's loader (the order of
        # INSTALLED_APPS), so the cases exist when it runs.
        from courses.demo import register_demo_loader

        register_demo_loader(_load_demo_quizzes)


def _load_demo_quizzes() -> str:
    from quizzes.demo import load_demo_quizzes

    return load_demo_quizzes()
