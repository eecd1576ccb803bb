"""The `campaign` command (pyproject `[project.scripts]`, and the Docker image's entrypoint):
serve a process, create the first admin, import plans, list and replay dead letters, show how
an event was processed, rotate secrets. Help in English, or Vietnamese with CAMPAIGN_LANG=vi.

A bad argument is a usage error (exit 2) and a platform that cannot be reached or refuses is
one line on stderr (exit 1): never a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from services.cli.texts import help_text, short, text

# The platform's processes: the gateway runs on uvicorn, the others are nameko services.
PROCESSES: dict[str, str] = {
    "gateway": "gateway",
    "plans": "services.plans.service:PlansService",
    "notifications": "services.notifications.service:NotificationsService",
    "monitoring": "services.monitoring.service:MonitoringService",
}
# Processes that run as a Python module rather than a nameko service.
MODULE_PROCESSES: dict[str, str] = {"gateway": "services.gateway"}
CONSUMER_SERVICES = ("monitoring", "notifications", "plans")
TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
RPC_TIMEOUT = 30.0
IMPORT_TIMEOUT = 120.0
errors = Console(stderr=True)

app = typer.Typer(name="campaign", help=help_text("app"), no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})
dead_letters = typer.Typer(help=help_text("dead_letters"), no_args_is_help=True)
app.add_typer(dead_letters, name="dead-letters")


def fail(message: str) -> NoReturn:
    errors.print(f"error: {message}", style="red", markup=False, highlight=False,
                 soft_wrap=True)
    raise typer.Exit(1)


def progress() -> Progress:
    """A bar on stderr (stdout stays for what scripts read)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=errors)


def say(bar: Progress, message: str) -> None:
    """A line above the progress bar, as written (no markup, no wrapping)."""
    bar.console.print(message, markup=False, highlight=False, soft_wrap=True)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@contextmanager
def platform_rpc() -> Iterator[Callable[..., Any]]:
    """RPC to the services (AMQP_URI), with their errors turned into one clear line."""
    from services.contracts.errors import ServiceError
    from services.runtime.rpc_sync import BlockingRpc
    from services.runtime.settings import CommonSettings, load_settings

    settings = load_settings(CommonSettings)
    # The AMQP library logs its own line for a failed connection; the CLI says it once.
    logging.getLogger("aiormq").setLevel(logging.CRITICAL)
    try:
        rpc = BlockingRpc(settings.amqp_uri, timeout=RPC_TIMEOUT, client_name="campaign-cli")
    except Exception as exc:
        fail(text("error.unavailable", what="the broker", detail=exc))
    try:
        yield rpc.call
    except ServiceError as exc:
        fail(text("error.service", service=exc.details.get("service", "the platform"),
                  code=exc.code, message=exc.message))
    finally:
        rpc.close()


@app.command(help=help_text("serve"),
              short_help=short("serve"))
def serve(process: Annotated[str, typer.Argument(help=text("serve.process"),
                                                 metavar="PROCESS")]) -> None:
    target = PROCESSES.get(process, process)
    if target not in MODULE_PROCESSES and not TARGET.fullmatch(target):
        raise typer.BadParameter(text("serve.bad", value=process,
                                      choices=", ".join(PROCESSES)), param_hint="PROCESS")
    if target not in MODULE_PROCESSES and process not in PROCESSES:
        _check_target(process, target)
    # Replace this process: signals reach the server directly, and eventlet (nameko) patches
    # the standard library before anything else is imported, as it must.
    command = ["-m", MODULE_PROCESSES[target]] if target in MODULE_PROCESSES else \
        ["-m", "services.runtime.nameko_ext.launcher", target]
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, *command])


def _check_target(process: str, target: str) -> None:
    """A usage error (exit 2), not the launcher's traceback, for a module:Class that is not
    there. Importing here is harmless: this process is replaced by the launcher right after."""
    import importlib

    module_name, _, class_name = target.partition(":")
    try:
        with warnings.catch_warnings():  # eventlet's deprecation notice is not for operators
            warnings.simplefilter("ignore")
            module = importlib.import_module(module_name)
    except ImportError as exc:
        reason = f"no module {exc.name or module_name!r}"
    else:
        if hasattr(module, class_name):
            return
        reason = f"module {module_name!r} has no {class_name!r}"
    raise typer.BadParameter(text("serve.unknown_target", value=process, reason=reason),
                             param_hint="PROCESS")


@app.command("create-admin", help=help_text("create_admin"),
              short_help=short("create_admin"))
def create_admin(
        username: Annotated[str, typer.Option(help=text("create_admin.username"))],
        password_env: Annotated[str | None, typer.Option(
            help=text("create_admin.password_env"))] = None) -> None:
    from services.contracts.gateway import USERNAME_PATTERN
    from services.gateway import cli as gateway_cli
    from services.gateway import passwords
    from services.gateway.settings import GatewaySettings
    from services.runtime.settings import load_settings

    if not re.fullmatch(USERNAME_PATTERN, username):
        raise typer.BadParameter(text("create_admin.bad_username", pattern=USERNAME_PATTERN),
                                 param_hint="--username")
    password = gateway_cli.read_password(password_env)
    try:
        passwords.check(password, username)
    except passwords.WeakPassword as weak:
        raise typer.BadParameter(text("create_admin.weak", reason=weak.reason,
                                      advice=weak.advice), param_hint="password") from None
    settings = load_settings(GatewaySettings)
    try:
        created = asyncio.run(gateway_cli.create_admin(settings, username, password))
    except Exception as exc:
        fail(text("error.unavailable", what="the gateway's database", detail=exc))
    if not created:
        errors.print(text("create_admin.exists", name=username), markup=False)
        raise typer.Exit(1)
    print(text("create_admin.created", name=username))


def _plan_format(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "yaml"


@app.command("import-plan", help=help_text("import_plan"),
              short_help=short("import_plan"))
def import_plan(
        files: Annotated[list[Path], typer.Argument(
            help=text("import_plan.files"), exists=True, dir_okay=False, readable=True)],
        issue: Annotated[bool, typer.Option("--issue", help=text("import_plan.issue"))] = False
) -> None:
    failed = 0
    with platform_rpc() as call, progress() as bar:
        task = bar.add_task(text("import_plan.progress"), total=len(files))
        for path in files:
            content = path.read_text(encoding="utf-8")
            # No idempotency key: the plans service recognises a file it imported before
            # (by its hash) and says so, where a key would replay the first answer.
            actor = f"cli:{os.environ.get('USER', 'operator')}"[:100]
            try:
                result = call("plans", "import_plan", content=content,
                              format=_plan_format(path), issue=False, actor=actor,
                              timeout=IMPORT_TIMEOUT)
            except Exception as exc:  # one bad file does not stop the others
                failed += 1
                say(bar, text("import_plan.failed", file=path.name,
                              message=getattr(exc, "message", exc)))
                bar.advance(task)
                continue
            plan = result["plan"]
            what = text("import_plan.created" if result["created"] else "import_plan.unchanged")
            # Issued as a second step, so that a plan that cannot be issued (no signer, say)
            # is reported as imported, which it is.
            if issue and plan.get("status") == "draft":
                try:
                    call("plans", "issue_plan", plan_id=plan["id"], actor=actor)
                except Exception as exc:
                    failed += 1
                    say(bar, text("import_plan.not_issued", file=path.name,
                                  number=plan["number"], plan_id=plan["id"],
                                  message=getattr(exc, "message", exc)))
                    bar.advance(task)
                    continue
                what = f"{what}, {text('import_plan.issued')}"
            say(bar, text("import_plan.done", file=path.name, number=plan["number"],
                          plan_id=plan["id"], tasks=result["tasks"], what=what))
            bar.advance(task)
    if failed:
        raise typer.Exit(1)


def _service(value: str) -> str:
    if value not in CONSUMER_SERVICES:
        raise typer.BadParameter(f"{value!r}: {', '.join(CONSUMER_SERVICES)}")
    return value


ServiceArg = Annotated[str, typer.Argument(help=text("dead_letters.service"),
                                           callback=_service, metavar="SERVICE")]


@dead_letters.command("list", help=help_text("dead_letters.list"))
def list_dead_letters(
        service: ServiceArg,
        status: Annotated[str, typer.Option(help=text("dead_letters.status"))] = "pending",
        limit: Annotated[int, typer.Option(min=1, max=1000,
                                           help=text("dead_letters.limit"))] = 100,
        table: Annotated[bool, typer.Option("--table",
                                            help=text("dead_letters.table"))] = False) -> None:
    if status not in ("pending", "replayed"):
        raise typer.BadParameter(f"{status!r}: pending, replayed", param_hint="--status")
    with platform_rpc() as call:
        letters = call(service, "ops_dead_letters", status=status, limit=limit)
    if not table:
        print_json(letters)
        return
    # Ids whole and unwrapped: they are copied into `replay`; the other columns give way.
    widest = max((len(str(letter.get("id"))) for letter in letters), default=2)
    view = Table(Column("id", no_wrap=True, min_width=widest), "consumer", "event", "reason",
                 "error")
    for letter in letters:
        view.add_row(str(letter.get("id")), str(letter.get("consumer")),
                     str(letter.get("event_type", "")), str(letter.get("reason")),
                     str(letter.get("error", ""))[:80])
    Console().print(view)


@dead_letters.command("replay", help=help_text("dead_letters.replay"))
def replay_dead_letters(
        service: ServiceArg,
        ids: Annotated[list[str] | None, typer.Argument(help=text("dead_letters.ids"))] = None,
        all_: Annotated[bool, typer.Option("--all", help=text("dead_letters.all"))] = False,
        batch_size: Annotated[int, typer.Option(min=1, max=500,
                                                help=text("dead_letters.batch"))] = 50
) -> None:
    chosen = list(ids or [])
    if not chosen and not all_:
        raise typer.BadParameter(text("dead_letters.none"), param_hint="IDS")
    if chosen and all_:
        raise typer.BadParameter(text("dead_letters.ids_and_all"), param_hint="IDS")
    outcomes: dict[str, str] = {}
    with platform_rpc() as call:
        if all_:
            chosen += [d["id"] for d in call(service, "ops_dead_letters", limit=1000)]
        with progress() as bar:
            task = bar.add_task(text("dead_letters.progress"), total=len(chosen))
            for start in range(0, len(chosen), batch_size):
                batch = chosen[start:start + batch_size]
                outcomes.update(call(service, "ops_replay_dead_letters", ids=batch))
                bar.advance(task, len(batch))
    print_json(outcomes)
    unknown = [i for i, outcome in outcomes.items() if outcome == "not_found"]
    if unknown:
        fail(text("dead_letters.not_found", ids=", ".join(unknown), service=service))


@app.command("event-status", help=help_text("event_status"),
              short_help=short("event_status"))
def event_status(event_id: Annotated[str, typer.Argument(
        help=text("event_status.event_id"))]) -> None:
    with platform_rpc() as call:
        print_json({s: call(s, "ops_event_status", event_id=event_id)
                    for s in CONSUMER_SERVICES})


SECRETS = ("jwt", "ack-link", "webhook", "unit-webhook")


def _which(value: str) -> str:
    if value not in SECRETS:
        raise typer.BadParameter(f"{value!r}: {', '.join(SECRETS)}")
    return value


@app.command("rotate-secret", help=help_text("rotate_secret"),
              short_help=short("rotate_secret"))
def rotate_secret(
        which: Annotated[str, typer.Argument(help=text("rotate_secret.which"), callback=_which,
                                             metavar="SECRET")],
        env_file: Annotated[Path | None, typer.Option(
            help=text("rotate_secret.env_file"), dir_okay=False)] = None,
        subscription: Annotated[list[str] | None, typer.Option(
            help=text("rotate_secret.subscription"))] = None,
        all_: Annotated[bool, typer.Option("--all", help=text("rotate_secret.all"))] = False,
        unit: Annotated[str | None, typer.Option(help=text("rotate_secret.unit"))] = None,
        revoke_previous: Annotated[bool, typer.Option(
            "--revoke-previous", help=text("rotate_secret.revoke_previous"))] = False
) -> None:
    from services.cli import rotation

    if which in ("jwt", "ack-link"):
        name, who, effect = (("AUTH_JWT_SECRET", "gateway", "rotate_secret.jwt_effect")
                             if which == "jwt" else
                             ("ACK_LINK_SECRET", "notifications", "rotate_secret.ack_effect"))
        value = rotation.new_env_secret()
        if env_file is not None:
            rotation.write_env_file(env_file, name, value)
            print(text("rotate_secret.written", name=name, path=env_file, who=who))
        else:
            errors.print(text("rotate_secret.next", name=name, who=who, effect=text(effect)),
                         markup=False)
            print(value)
    elif which == "webhook":
        _rotate_subscriptions(subscription, all_, revoke_previous)
    else:
        if not unit:
            raise typer.BadParameter(text("rotate_secret.need_unit"), param_hint="--unit")
        with platform_rpc() as call:
            print_json({"unit_id": unit, "secret": rotation.rotate_unit_webhook(call, unit)})


def _rotate_subscriptions(ids: list[str] | None, all_: bool, revoke_previous: bool) -> None:
    from services.cli import rotation
    from services.gateway.settings import GatewaySettings
    from services.runtime.settings import load_settings

    if not ids and not all_:
        raise typer.BadParameter(text("rotate_secret.need_target"),
                                 param_hint="--subscription")
    settings = load_settings(GatewaySettings)
    with progress() as bar:
        task = bar.add_task(text("rotate_secret.progress"), total=None)
        try:
            rotated = asyncio.run(rotation.rotate_subscriptions(
                settings, None if all_ else list(ids or []),
                revoke_previous=revoke_previous, advance=lambda n: bar.advance(task, n),
                on_total=lambda n: bar.update(task, total=n)))
        except Exception as exc:
            fail(text("error.unavailable", what="the gateway's database", detail=exc))
    print_json(rotated)
    if any(r["secret"] is None for r in rotated):
        fail(", ".join(text("rotate_secret.not_found", id=r["id"])
                       for r in rotated if r["secret"] is None))


def run() -> None:
    """The console script."""
    app()


def main(argv: list[str] | None = None) -> int:
    """Run with these arguments; answers the exit status (for the older module commands)."""
    try:
        app(args=argv, prog_name="campaign", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    run()
