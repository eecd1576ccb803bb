"""The audit journal as a table (the CSV export): one row per changed field, local time."""

from datetime import UTC, datetime

from services.plans.domain import AuditEntry, FieldChange
from services.plans.domain.exports import AUDIT_HEADER, journal_table


def test_one_row_per_changed_field_and_one_for_an_entry_without_changes():
    at = datetime(2021, 3, 1, 2, 0, tzinfo=UTC)
    table = journal_table([
        AuditEntry("officer-1", "task.updated", "task", "t1", at,
                   (FieldChange("title", "Cũ", "Mới"),
                    FieldChange("topics", ["drugs"], ["drugs", "gambling"]))),
        AuditEntry("bao-gia-lai", "directive.acknowledged", "plan", "p1", at,
                   extra={"via": "email", "late": False}),
        AuditEntry("director", "plan.cancelled", "plan", "p1", at,
                   (FieldChange("status", "issued", "cancelled"),), "Thay thế"),
    ])
    assert table.header == AUDIT_HEADER
    assert [r[5:8] for r in table.rows] == [
        ["title", "Cũ", "Mới"], ["topics", "drugs", "drugs; gambling"],
        [None, None, None], ["status", "issued", "cancelled"]]
    assert table.rows[0][0] == "2021-03-01T09:00:00+07:00"
    assert table.rows[2][8] == "via=email; late=False"
    assert table.rows[3][8] == "Thay thế"
