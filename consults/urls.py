"""Pages of consultations under /consults/. The consult page's address (``consults:detail``)
is also what the e-mails link to."""

from django.urls import path

from consults.views import actions, pages, report, request

app_name = "consults"

urlpatterns = [
    path("inbox/", pages.inbox, name="inbox"),
    path("new/", request.new, name="new"),
    path("queue/", pages.queue, name="queue"),
    path("mine/", pages.mine, name="mine"),
    path("report/", report.report, name="report"),
    path("report/export.csv", report.report_csv, name="report_csv"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/claim/", actions.claim, name="claim"),
    path("<int:pk>/release/", actions.release, name="release"),
    path("<int:pk>/decline/", actions.decline, name="decline"),
    path("<int:pk>/answer/", actions.answer, name="answer"),
    path("<int:pk>/second-opinion/ask/", actions.second_opinion_ask, name="second_opinion_ask"),
    path("<int:pk>/second-opinion/", actions.second_opinion_give, name="second_opinion_give"),
    path("<int:pk>/withdraw/", actions.withdraw, name="withdraw"),
    path("<int:pk>/close/", actions.close, name="close"),
    path("<int:pk>/consent/", actions.consent, name="consent"),
    path("<int:pk>/teaching-case/", actions.teaching_case, name="teaching_case"),
    path("<int:pk>/messages/", actions.message, name="message"),
]
