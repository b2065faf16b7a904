"""Pages of live sessions: ``schedule`` (the list, scheduling, editing, cancelling, the
attendance export, a consultation's session) and ``calendar`` (iCalendar files and the
personal feed)."""
