"""Server-rendered pages: learning (trainees), authoring (instructors), cohorts (directors)."""
