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
from feecollect.wording import EXCEPTION_CLASS_NAMES, STATUS_NAMES


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="uvicorn's own access lines, beside the structured line every request logs",
)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Migrate the database, load the schedules and serve the API."""
    _serve(host, port, workers, access_log)


def _serve(host: str, port: int, workers: int, access_log: bool = True) -> None:
    from feecollect import metrics_store

    metrics_store.start_afresh()
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
    click.echo(f"数据库：{settings.database_url}")
    click.echo(f"收费标准：自 {settings.schedules_dir} 载入 {len(catalogue)} 个收费项目")
    click.echo("演示用户（每次运行换发新令牌；API 请求头 'Authorization: Bearer <令牌>'）：")
    for name, role, department, token in seeded.tokens:
        click.echo(f"  {name:<12} {role:<8} {department or '-':<6} {token}")
    click.echo("网页登录 /login（每次运行换发新密码）：")
    for name, password in seeded.passwords:
        click.echo(f"  {name:<12} {password}")
    for case_no, code, amount in seeded.notices:
        click.echo(f"  办件 {case_no}：缴款通知书 {code}，{amount} 元")
    if seeded.project_notice:
        project_no, code, amount = seeded.project_notice
        click.echo(f"  项目 {project_no}（一表制）：缴款通知书 {code}，{amount} 元")
    from feecollect.devtools.demo import paid_notices, pay_through_the_bank_client, settle_demo_project

    paid = paid_notices(seeded)
    bills = pay_through_the_bank_client(settings, [code for _, code, _ in paid])
    for origin, code, _ in paid:
        if (bill := bills.get(code)) is not None:
            click.echo(f"  {origin}：经参考银行客户端缴款，财政电子票据 {bill['code']}/{bill['number']}")
            click.echo(
                f"     查验：http://{host}:{port}/verify?code={bill['code']}&number={bill['number']}"
                f"&check={bill['check']}&format=html"
            )
    status = settle_demo_project(settings)
    click.echo(f"  项目 {paid[-1][0]}：已决算（{STATUS_NAMES.get(status, status)}）")
    from feecollect.devtools.demo import reconcile_today

    summary, report = reconcile_today(settings, seeded)
    found = "，".join(
        f"{EXCEPTION_CLASS_NAMES[name]} {count}" for name, count in summary["exceptions"].items() if count
    )
    click.echo(f"  {summary['date']} 对账：到账 {summary['matched']} 笔已匹配；异常：{found}")
    click.echo(f"     对账报告：{report}")
    clerk_token = seeded.tokens[1][3]
    click.echo(f"试试：curl http://{host}:{port}/api/v1/schedules")
    click.echo(f"     curl -H 'Authorization: Bearer {clerk_token}' http://{host}:{port}/api/v1/notices")
    if not no_serve:
        _serve(host, port, 1)


@main.command()
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--queues",
    default="reconcile,celery",
    show_default=True,
    help="the queues to take tasks from, the first first: a day's reconciliation goes before bills",
)
def worker(concurrency: int, queues: str) -> None:
    """Run a Celery worker against FEECOLLECT_BROKER_URL."""
    settings = load_settings()
    if settings.broker_url is None:
        raise click.ClickException("FEECOLLECT_BROKER_URL is not set: without a broker, tasks run in-process")
    from feecollect import metrics_store

    metrics_store.start_afresh()
    open_database(settings)
    from feecollect.tasks import celery_app  # its worker_init signal imports the event handlers

    celery_app.worker_main(
        ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", f"--queues={queues}"]
    )


@main.command()
@click.option(
    "--schedule-file", default="celerybeat-schedule", show_default=True, type=click.Path(dir_okay=False)
)
def beat(schedule_file: str) -> None:
    """Run the Celery beat scheduler (exactly one per deployment) against FEECOLLECT_BROKER_URL."""
    settings = load_settings()
    if settings.broker_url is None:
        raise click.ClickException("FEECOLLECT_BROKER_URL is not set: the embedded default has no scheduler")
    from feecollect import logs
    from feecollect.beat_lock import BeatLock
    from feecollect.tasks import celery_app

    logs.configure_for(settings)
    lock = BeatLock.for_broker(settings.broker_url)
    if lock is not None and (holder := lock.acquire()) is not None:
        raise click.ClickException(f"另一个 beat 正在运行（{holder}）：一个部署只运行一个 beat")
    try:
        celery_app.start(["beat", "--loglevel=INFO", f"--schedule={schedule_file}"])
    finally:
        if lock is not None:
            lock.release()
