"""Running the service: the API, the demo, the worker and the one beat."""

from __future__ import annotations

import sys

import click

from feecollect.cli.common import (
    load_settings,
    main,
    open_database,
)
from feecollect.db.engine import unit_of_work
from feecollect.schedules.service import current_catalogue


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Migrate the database, load the schedules and serve the API."""
    _serve(host, port, workers, access_log)


def _serve(host: str, port: int, workers: int, access_log: bool = True) -> None:
    from feecollect.api.serving import serve as run_server

    click.echo(f"feecollect API on http://{host}:{port}/docs (OpenAPI docs; the API is under /api/v1/)")
    sys.stdout.flush()
    run_server(host, port, workers, access_log)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="prepare the demo database and exit")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Prepare the embedded demo (SQLite, shipped schedules, demo users and cases) and serve it."""
    from feecollect.devtools.demo import seed

    settings = load_settings()
    sessions = open_database(settings)
    with unit_of_work(sessions) as session:
        catalogue = current_catalogue(session)
        seeded = seed(session, catalogue, settings)
    click.echo(f"database: {settings.database_url}")
    click.echo(f"schedules: {len(catalogue)} fee items loaded from {settings.schedules_dir}")
    click.echo("demo users (new tokens each run; send as 'Authorization: Bearer <token>'):")
    for name, role, department, token in seeded.tokens:
        click.echo(f"  {name:<12} {role:<8} {department or '-':<6} {token}")
    click.echo("web pages: sign in at /login (new passwords each run):")
    for name, password in seeded.passwords:
        click.echo(f"  {name:<12} {password}")
    for case_no, code, amount in seeded.notices:
        click.echo(f"  case {case_no}: notice {code}, {amount} yuan")
    from feecollect.devtools.demo import pay_through_the_bank_client

    case_no, code, amount = seeded.notices[1]
    bill = pay_through_the_bank_client(settings, code, amount)
    if bill is not None:
        click.echo(
            f"  case {case_no}: paid through the reference bank client; bill {bill['code']}/{bill['number']}"
        )
        click.echo(
            f"     verify: http://{host}:{port}/verify?code={bill['code']}&number={bill['number']}"
            f"&check={bill['check']}&format=html"
        )
    from feecollect.devtools.demo import reconcile_today

    summary, report = reconcile_today(settings, seeded)
    found = ", ".join(f"{name} {count}" for name, count in summary["exceptions"].items() if count)
    click.echo(
        f"  reconciliation of {summary['date']}: {summary['matched']} statement credits matched; {found}"
    )
    click.echo(f"     report: {report}")
    clerk_token = seeded.tokens[1][3]
    click.echo(f"try: curl http://{host}:{port}/api/v1/schedules")
    click.echo(f"     curl -H 'Authorization: Bearer {clerk_token}' http://{host}:{port}/api/v1/notices")
    if not no_serve:
        _serve(host, port, 1)


@main.command()
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64))
def worker(concurrency: int) -> None:
    """Run a Celery worker against FEECOLLECT_BROKER_URL."""
    settings = load_settings()
    if settings.broker_url is None:
        raise click.ClickException("FEECOLLECT_BROKER_URL is not set: without a broker, tasks run in-process")
    open_database(settings)
    from feecollect.tasks import celery_app  # its worker_init signal imports the event handlers

    celery_app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}"])


@main.command()
@click.option(
    "--schedule-file", default="celerybeat-schedule", show_default=True, type=click.Path(dir_okay=False)
)
def beat(schedule_file: str) -> None:
    """Run the Celery beat scheduler (exactly one per deployment) against FEECOLLECT_BROKER_URL."""
    settings = load_settings()
    if settings.broker_url is None:
        raise click.ClickException("FEECOLLECT_BROKER_URL is not set: the embedded default has no scheduler")
    from feecollect.tasks import celery_app

    celery_app.start(["beat", "--loglevel=INFO", f"--schedule={schedule_file}"])
