"""REST API for courses, enrolments and progress (mounted under /api/v1/)."""
