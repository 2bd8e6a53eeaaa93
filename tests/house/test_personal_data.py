"""The house: every table that refers to a person is answered for by a feature's
``personal_data`` (the data download and the account's deletion), or declared as holding
nothing personal — so a new feature's table cannot be forgotten by the GDPR's rights."""

from __future__ import annotations

from m100hub.extensions import db
from m100hub.features import registry


def tables_with_a_person_column() -> set[str]:
    return {table.name for table in db.metadata.tables.values()
            for column in table.columns
            for key in column.foreign_keys if key.column.table.name == "users"}


def test_every_table_with_a_person_column_is_covered(app):
    covered = {model.__table__.name for _name, part in registry(app).personal_data()
               for model in (*part.models, *part.not_personal)}
    # the sample feature's table joins the metadata when another test imports it; it is
    # covered in tests/house/test_features.py, in an app of its own
    missing = tables_with_a_person_column() - covered - {"sample_notes"}
    assert missing == set(), "declare them in a Feature's personal_data (m100hub/features.py)"
    assert {"forum_posts", "consultation_ballots", "event_registrations", "reports",
            "notifications", "activity_log", "memberships", "users"} <= covered


def test_every_feature_part_exports_and_erases(app):
    for name, part in registry(app).personal_data():
        assert callable(part.export) and callable(part.erase), name
        assert part.models, f"{name} declares personal data but no table"
