from datetime import timedelta

from notifications_fixtures import T0, build_notice

from services.notifications.domain.ack import record_ack
from services.notifications.domain.escalation import EscalationPolicy, due_steps
from services.notifications.domain.vocabulary import AckVia, StepKind

DEADLINE = T0 + timedelta(days=2)
POLICY = EscalationPolicy(department_unit_id="so-vhttdl", escalation_delay=timedelta(hours=24))
PARENTS = {"xa-ia-hrung": "ubnd-huyen-ia-grai", "bao-gia-lai": None}
NOTICE = build_notice(recipients=("xa-ia-hrung", "bao-gia-lai"), ack_deadline=DEADLINE).approve()


def test_nothing_before_the_deadline() -> None:
    assert due_steps(NOTICE, [], DEADLINE - timedelta(seconds=1), PARENTS, POLICY) == ()


def test_reminder_to_the_same_unit_at_the_deadline() -> None:
    steps = due_steps(NOTICE, [], DEADLINE, PARENTS, POLICY)
    assert [(s.kind, s.unit_id, s.target_unit_id) for s in steps] == [
        (StepKind.REMINDER, "bao-gia-lai", "bao-gia-lai"),
        (StepKind.REMINDER, "xa-ia-hrung", "xa-ia-hrung"),
    ]


def test_escalation_goes_to_parent_or_department() -> None:
    now = DEADLINE + timedelta(hours=24)
    steps = due_steps(NOTICE, [], now, PARENTS, POLICY)
    escalations = {s.unit_id: s.target_unit_id for s in steps if s.kind is StepKind.ESCALATION}
    assert escalations == {"xa-ia-hrung": "ubnd-huyen-ia-grai", "bao-gia-lai": "so-vhttdl"}


def test_repeated_runs_return_the_same_keys_and_skip_done_ones() -> None:
    now = DEADLINE + timedelta(days=3)
    first = due_steps(NOTICE, [], now, PARENTS, POLICY)
    assert first == due_steps(NOTICE, [], now, PARENTS, POLICY)
    keys = [s.key for s in first]
    assert len(set(keys)) == 4
    assert "esc:ntc-1:xa-ia-hrung:reminder" in keys
    assert due_steps(NOTICE, [], now, PARENTS, POLICY, done_keys=set(keys)) == ()


def test_acknowledged_units_are_not_chased() -> None:
    ack = record_ack(NOTICE, "xa-ia-hrung", [], DEADLINE + timedelta(hours=1), AckVia.LINK).ack
    steps = due_steps(NOTICE, [ack], DEADLINE + timedelta(days=2), PARENTS, POLICY)
    assert {s.unit_id for s in steps} == {"bao-gia-lai"}


def test_no_deadline_or_cancelled_means_no_steps() -> None:
    later = DEADLINE + timedelta(days=9)
    assert due_steps(build_notice(), [], later, PARENTS, POLICY) == ()
    assert due_steps(NOTICE.cancel(), [], later, PARENTS, POLICY) == ()
