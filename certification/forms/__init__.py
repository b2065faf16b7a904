"""Forms of the certification pages, by concern."""
