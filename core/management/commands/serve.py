"""``manage.py serve``: the web server and the Celery workers (one per queue, the light one
with an embedded beat for the periodic tasks) together, for a laptop or a demo.

The web server serves the ASGI application (``training.asgi``): pages and the live rooms'
websockets on one port — gunicorn with uvicorn workers (``training.uvicorn_worker``), as in
production, or uvicorn alone reloading on code changes (``--server runserver``). Without
CHANNEL_REDIS_URL the rooms' channel layer lives in memory, which is right for one process
only: ``--web-workers`` is then 1 unless asked otherwise (two would split a room in two).

Two workers, not one consuming both queues: a worker busy with cine loops (minutes each) on
every pool process would leave a deadline waiting behind them. Production runs gunicorn, the
workers and one beat as separate services (see the README); this command is what
``make run`` starts.
"""

import io
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.supervisor import ChildSpec, Supervisor, port_open
from training.tasks import CINE, LIGHT


class Command(BaseCommand):
    help = (
        "Run the web server and a Celery worker per queue together until Ctrl-C; stop them all "
        "if one dies."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument(
            "--server",
            choices=["gunicorn", "runserver"],
            default="gunicorn",
            help=(
                "gunicorn with uvicorn workers (default, as in production) or uvicorn alone, "
                "reloading when the code changes."
            ),
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=None,
            help="Web processes (default: 2 with CHANNEL_REDIS_URL, else 1: see above).",
        )
        parser.add_argument(
            "--worker-concurrency",
            type=int,
            default=2,
            help="Pool processes of the cine worker: loops processed at once.",
        )
        parser.add_argument(
            "--light-concurrency",
            type=int,
            default=2,
            help="Pool processes of the light worker (deadlines, curves, sweeps).",
        )
        parser.add_argument(
            "--demo-data",
            action="store_true",
            help="Load the demo courses and accounts first when the database has no users.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if os.name != "posix":
            raise CommandError("serve needs a POSIX system; run runserver and a worker by hand.")
        host, port = options["host"], options["port"]
        follow_port(host, port)
        if options["demo_data"]:
            self._load_demo_data_if_empty()

        if port_open(host, port):
            # Checked first: the readiness probe below would take the other server for ours.
            raise CommandError(
                f"{host}:{port} is already in use; stop what listens there or choose another "
                "port (make run PORT=8080)."
            )
        supervisor = Supervisor(
            specs=[
                _web_spec(options["server"], host, port, web_workers(options["web_workers"])),
                *_worker_specs(options["worker_concurrency"], options["light_concurrency"]),
            ]
        )
        supervisor.install_signal_handlers()
        supervisor.start()
        pids = ", ".join(f"{c.spec.name} pid {c.pid}" for c in supervisor.children)
        self.stdout.write(f"Started {pids}")
        if supervisor.wait_until(lambda: port_open(host, port), timeout=60):
            self._print_banner(host, port)
        code = supervisor.run_until_stopped()
        self.stdout.write("Stopped.")
        if code:
            sys.exit(code)

    def _load_demo_data_if_empty(self) -> None:
        if get_user_model().objects.exists():
            return
        if "load_demo_data" not in get_commands():
            self.stderr.write("No load_demo_data command is installed; starting with no data.")
            return
        self.stdout.write("Empty database: loading the demo data …")
        call_command("load_demo_data")

    def _print_banner(self, host: str, port: int) -> None:
        shown_host = f"[{host}]" if ":" in host else host
        lines = ["", f"  CEUS Training is running at http://{shown_host}:{port}/", ""]
        accounts = _demo_account_lines()
        if accounts:
            lines += [*accounts, ""]
        lines.append("  Press Ctrl-C to stop the web server and the workers.")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)) + "\n")


def _demo_account_lines() -> list[str]:
    """The demo accounts present, as the demo app's ``demo_accounts`` command prints them; none
    when that app is not installed (found by command name: the product apps do not import it)."""
    if "demo_accounts" not in get_commands():
        return []
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    return out.getvalue().splitlines()


def follow_port(host: str, port: int) -> None:
    """Development without PLATFORM_BASE_URL: links in e-mails, badges and QR codes point at
    the address served here, not at the default port. Set in the environment for the web server
    and worker started below (they read settings afresh) and in this process (the demo data)."""
    if settings.PRODUCTION or os.environ.get("PLATFORM_BASE_URL"):
        return
    shown = {"0.0.0.0": "127.0.0.1", "::": "localhost"}.get(host, host)
    shown = f"[{shown}]" if ":" in shown else shown
    base_url = f"http://{shown}:{port}"
    os.environ["PLATFORM_BASE_URL"] = base_url
    settings.PLATFORM_BASE_URL = base_url


def web_workers(asked: int | None) -> int:
    """Web processes: as asked, else 2 when the channel layer is shared (Redis), else 1."""
    if asked is not None:
        return asked
    return 2 if settings.CHANNEL_REDIS_URL else 1


def _web_spec(server: str, host: str, port: int, workers: int) -> ChildSpec:
    if server == "runserver":
        # The reloader's parent does not forward signals to the server it restarts.
        argv = [
            sys.executable, "-m", "uvicorn", "training.asgi:application",
            "--host", host, "--port", str(port), "--lifespan", "off", "--reload",
        ]  # fmt: skip
        for folder in _code_folders():
            argv += ["--reload-dir", folder]
        return ChildSpec("web", argv, signal_group=True)
    argv = [
        sys.executable, "-m", "gunicorn", "training.asgi:application",
        "--worker-class", "training.uvicorn_worker.Worker",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--graceful-timeout", "10",
        "--access-logfile", "-",
    ]  # fmt: skip
    if _gunicorn_has_setting("control_socket_disable"):
        # Recent gunicorn opens a control socket under $HOME, one path for every instance.
        argv.append("--no-control-socket")
    return ChildSpec("web", argv)


def _code_folders() -> list[str]:
    """The project's own packages (not the virtualenv, not var/): what the reloader watches."""
    from django.apps import apps

    base = Path(settings.BASE_DIR).resolve()
    folders = {Path(config.path).resolve() for config in apps.get_app_configs()}
    folders.add(base / "training")
    return sorted(str(f) for f in folders if f.is_relative_to(base))


def _gunicorn_has_setting(name: str) -> bool:
    from gunicorn.config import Config

    return name in Config().settings


def _worker_specs(cine_concurrency: int, light_concurrency: int) -> list[ChildSpec]:
    """One worker per queue (``training.tasks.QUEUES``): cine processing, and the light work.

    The light one embeds beat (--beat): the periodic tasks of CELERY_BEAT_SCHEDULE run there.
    Fine for a laptop; production runs a single `celery beat` of its own.
    """
    common = [sys.executable, "-m", "celery", "-A", "training", "worker", "--loglevel", "INFO"]
    cine = [
        *common,
        "--queues", CINE,
        "--concurrency", str(cine_concurrency),
        "--hostname", "serve-cine@%h",
    ]  # fmt: skip
    light = [
        *common,
        "--queues", LIGHT,
        "--concurrency", str(light_concurrency),
        "--hostname", "serve-light@%h",
        "--beat",
        "--schedule", str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
    ]  # fmt: skip
    return [ChildSpec("cine worker", cine), ChildSpec("light worker", light)]
