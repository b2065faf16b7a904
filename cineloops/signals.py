"""Signals other apps listen to without cineloops knowing them.

``loops_updated`` is sent (``sender=CineLoop``, ``pks=[…]``) after loop rows were changed with
``QuerySet.update()``, which sends no ``post_save``: the status moves of the dispatch
(uploaded ⇄ queued) and of the failure handling (failed outside a run, or by the stalled-loop
sweep). Only when at least one row changed. The case library listens to refresh its cached
pages (``cases.cache``); code adding such an ``update()`` of a loop's status sends it too.
"""

from django.dispatch import Signal

loops_updated = Signal()
