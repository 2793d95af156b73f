"""The demo shows a family: a couple with a shared Jobcenter appointment and one each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from consult import models
from consult.demo import load_demo
from consult.extensions import db
from consult.models import Visit


def test_the_demo_has_a_couple_with_a_shared_jobcenter_appointment(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "utcnow", lambda: datetime(2030, 3, 12, 7, tzinfo=UTC))
    with app.app_context():
        load_demo(history=0)
        amir = db.session.scalar(sa.select(Visit).where(Visit.name == "Amir"))

        (leyla,) = amir.members
        assert leyla.name == "Leyla" and leyla.phone is None
        shared = [a for a in amir.appointments if a.companions]
        assert [a.agency.slug for a in shared] == ["jobcenter"]
        assert [c.visit for c in shared[0].companions] == [leyla]
        own = {v.name: [a for a in v.appointments if not a.sharing[1:]] for v in amir.group}
        assert {name: len(mine) for name, mine in own.items()} == {"Amir": 1, "Leyla": 1}
        assert (amir.consent_to_share, leyla.consent_to_share) == (True, False)
