from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from feecollect.db.engine import make_engine, migrate
from feecollect.db.models import Base


def test_migrations_build_exactly_the_models_and_rerun_harmlessly(database_url):
    engine = make_engine(database_url)
    migrate(engine)  # the fixture already migrated: a second run must be a no-op
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == [], "a model changed without a migration: run alembic revision --autogenerate"
    assert {"fee_item_versions", "alembic_version"} <= tables
