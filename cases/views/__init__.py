"""Case library pages: ``library`` (list, detail, bookmark) and ``authoring`` (create, edit,
review, history)."""
