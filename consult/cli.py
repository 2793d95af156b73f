"""Command-line tools: `flask consult …` for operations, `flask translate …` for catalogs."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from consult.config import LANGUAGES, ROOT
from consult.database import commit
from consult.extensions import db
from consult.models import Agency, Location, Role, StaffUser, today_in
from consult.passwords import MIN_PASSWORD_LENGTH, hash_password

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        raise click.ClickException(f"pybabel {args[0]} failed")


@click.group("translate", cls=AppGroup)
def translate() -> None:
    """Extract, update and compile the message catalogs."""


@translate.command("extract")
def translate_extract() -> None:
    """Collect every marked string into translations/messages.pot."""
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "--sort-by-file",
        "--no-wrap", "--project", "consult", "-o", str(POT), ".",
    )  # fmt: skip


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge new strings into every language's catalog."""
    translate_extract.callback()  # type: ignore[misc]
    for language in LANGUAGES:
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language,
                     "--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching")  # fmt: skip
        else:
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language, "--no-wrap")


@translate.command("compile")
def translate_compile() -> None:
    """Compile every catalog to the .mo files the application reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@click.group("consult", cls=AppGroup)
def consult_group() -> None:
    """Operate consult: accounts, demo data."""


@consult_group.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency", "agency_slug", help="The advisor's agency (its short slug).")
@click.option("--location", "location_slugs", multiple=True, help="Front desk locations.")
@click.option("--language", type=click.Choice(LANGUAGES), default="de")
@click.password_option(help="At least 10 characters; asked for when not given.")
def create_user(
    email: str,
    name: str,
    role: str,
    agency_slug: str | None,
    location_slugs: tuple[str, ...],
    language: str,
    password: str,
) -> None:
    """Create a staff account (the password is stored only as an Argon2id hash)."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="password"
        )
    if db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email)):
        raise click.BadParameter(f"an account for {email} already exists", param_hint="--email")
    agency = None
    if agency_slug:
        agency = db.session.scalar(sa.select(Agency).where(Agency.slug == agency_slug))
        if agency is None:
            raise click.BadParameter(f"no agency {agency_slug!r}", param_hint="--agency")
    if Role(role) is Role.ADVISOR and agency is None:
        raise click.BadParameter("an advisor needs --agency", param_hint="--agency")
    locations = []
    for slug in location_slugs:
        location = db.session.scalar(sa.select(Location).where(Location.slug == slug))
        if location is None:
            raise click.BadParameter(f"no location {slug!r}", param_hint="--location")
        locations.append(location)
    user = StaffUser(
        email=email,
        name=name,
        role=Role(role),
        agency=agency,
        locations=locations,
        language=language,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    commit()
    click.echo(f"Created {role} account {email}.")


@consult_group.command("demo")
def demo() -> None:
    """Load demo data for Sachsen-Anhalt (safe to run again)."""
    from consult.demo import load_demo

    summary = load_demo()
    click.echo(summary)


@consult_group.command("demo-logins")
def demo_logins() -> None:
    """Print the demo staff log-ins."""
    from consult.demo import DEMO_PASSWORD, DEMO_STAFF
    from consult.demo_mediators import DEMO_MEDIATORS

    click.echo(f"Demo staff log-ins (password for all: {DEMO_PASSWORD}):")
    for staff in [*DEMO_STAFF, *DEMO_MEDIATORS]:
        click.echo(f"  {staff.role:<12} {staff.email:<40} {staff.note}")
    base = "http://127.0.0.1:5000"
    click.echo(f"Open {base}/ — staff sign in at {base}/staff/login")
    location = db.session.scalar(sa.select(Location).where(Location.slug == "magdeburg"))
    if location is not None:
        # Today's joint day in Magdeburg has people checked in and in the queue.
        on = today_in(location.timezone).isoformat()
        click.echo(f"Front desk Magdeburg today: {base}/staff/desk/{location.id}/{on}")
        click.echo(f"Waiting-room display Magdeburg: {base}/staff/desk/display/{location.id}")


@consult_group.command("purge")
def purge() -> None:
    """Erase personal data older than CONSULT_RETENTION_DAYS (anonymous counts stay)."""
    from consult.purge import purge_as_configured

    click.echo(purge_as_configured().summary())


@consult_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (Ctrl-C, SIGTERM).")
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds between rounds with --loop."
)
@click.option("--rounds", type=click.IntRange(min=1), help="With --loop: stop after this many.")
def deliver(loop: bool, interval: float, rounds: int | None) -> None:
    """Send the messages that are due (e-mail and SMS), then exit, or keep going with --loop."""
    from consult.database import atomic
    from consult.messages.delivery import configured_transports, deliver_due
    from consult.waitlist import expire_offers

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    transports = configured_transports()
    done = 0
    try:
        while True:
            with atomic():
                expire_offers()  # their seats go to the next in line, who are told too
            report = deliver_due(transports)
            if report.sent or report.failed or report.dropped or report.retrying or not loop:
                click.echo(
                    f"Sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
                    f"dropped {report.dropped}."
                )
            done += 1
            if not loop or (rounds is not None and done >= rounds) or stop.wait(interval):
                break
    except KeyboardInterrupt:
        pass
    finally:
        transports.close()


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(translate)
    app.cli.add_command(consult_group)
