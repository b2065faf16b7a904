from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from cases.access import KEY_LOCKS
        from cineloops.visibility import LOOP_VISIBILITY
        from courses.progress_hooks import PROGRESS_ITEMS
        from quizzes.hooks import loops_in_visible_quizzes, quiz_progress_items
        from quizzes.locks import exam_key_lock

        # Trainees may play the loops of the questions of quizzes they may take.
        LOOP_VISIBILITY.register(loops_in_visible_quizzes)
        # A module with a quiz is complete only when the quiz is passed.
        PROGRESS_ITEMS.register(quiz_progress_items)
        # The cases and loops of a user's exam in progress answer its questions: locked.
        KEY_LOCKS.register(exam_key_lock)
