"""Pages of live sessions under /live/."""

from django.urls import path

from live.views import calendar, room, schedule

app_name = "live"

urlpatterns = [
    path("", schedule.session_list, name="list"),
    path("schedule/", schedule.schedule, name="schedule"),
    # A session's page, its room and its replay (live/views/room.py).
    path("<int:pk>/", room.session_detail, name="session"),
    path("<int:pk>/room/", room.room, name="room"),
    path("<int:pk>/replay/", room.replay, name="replay"),
    path("<int:pk>/edit/", schedule.edit, name="edit"),
    path("<int:pk>/cancel/", schedule.cancel, name="cancel"),
    path("<int:pk>/attendance.csv", schedule.attendance_export, name="attendance"),
    path("<int:pk>/calendar.ics", calendar.session_ics, name="ics"),
    path("consult/<int:pk>/", schedule.for_consult, name="for_consult"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<str:token>.ics", calendar.feed, name="feed"),
]
