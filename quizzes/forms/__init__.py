"""Forms validate input for the instructor pages (bank, builder, grading); services write."""

from quizzes.forms.question import OptionFormSet, QuestionForm, option_initial
from quizzes.forms.quiz import AddDrawForm, AddItemForm, GradeForm, QuizForm

__all__ = [
    "AddDrawForm",
    "AddItemForm",
    "GradeForm",
    "OptionFormSet",
    "QuestionForm",
    "QuizForm",
    "option_initial",
]
