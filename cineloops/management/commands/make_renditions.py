"""``manage.py make_renditions``: queue the lower video renditions of loops processed before
renditions existed; the cine workers make them (``cineloops.renditions``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cineloops.renditions import loops_without_renditions, renditions_queue


class Command(BaseCommand):
    help = "Queue lower video renditions for processed loops that have none."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", type=int, nargs="+", metavar="ID", help="only these loops")
        parser.add_argument("--dry-run", action="store_true", help="list the loops, queue none")

    def handle(self, *args, **options) -> None:
        pks = options["loop"]
        if options["dry_run"]:
            loops = loops_without_renditions()
            found = list((loops.filter(pk__in=pks) if pks else loops).values_list("pk", flat=True))
            self.stdout.write(f"{len(found)} loops without renditions: {_ids(found)}")
            return
        sent = renditions_queue(loop_pks=pks)
        self.stdout.write(f"{len(sent)} loops queued for renditions: {_ids(sent)}")
        waiting = loops_without_renditions().exclude(pk__in=sent)
        if pks is None and waiting.exists():
            self.stderr.write("The task broker refused some: run the command again later.")


def _ids(pks: list[int]) -> str:
    return ", ".join(map(str, pks)) or "none"
