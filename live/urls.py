"""Pages of live sessions under /live/. ``live:session`` (the session page, ``<id>/``) is the
room branch's; the placeholder here only gives the links of these pages somewhere to go."""

from django.urls import path

from live.views import calendar, schedule

app_name = "live"

urlpatterns = [
    path("", schedule.session_list, name="list"),
    path("schedule/", schedule.schedule, name="schedule"),
    path("<int:pk>/", schedule.session_detail, name="session"),  # placeholder (room branch)
    path("<int:pk>/edit/", schedule.edit, name="edit"),
    path("<int:pk>/cancel/", schedule.cancel, name="cancel"),
    path("<int:pk>/attendance.csv", schedule.attendance_export, name="attendance"),
    path("<int:pk>/calendar.ics", calendar.session_ics, name="ics"),
    path("consult/<int:pk>/", schedule.for_consult, name="for_consult"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<str:token>.ics", calendar.feed, name="feed"),
]
