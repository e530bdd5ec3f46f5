"""Alembic environment: the URL comes from the caller (kequn.store.db.upgrade_store)."""

from alembic import context
from sqlalchemy import create_engine

from kequn.store.models import Base

config = context.config
target_metadata = Base.metadata

connectable = create_engine(config.get_main_option("sqlalchemy.url"))
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
