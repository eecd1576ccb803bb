"""The plans domain's words, in one glossary: the closed vocabularies shared by plans, tasks,
reports and the import format, and every kind, status and outcome of the domain."""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    """Content topics of a plan (taxonomy shared with monitoring's topic matcher)."""

    DRUGS = "drugs"
    HUMAN_TRAFFICKING = "human_trafficking"
    LOAN_SHARKING = "loan_sharking"
    HIGH_TECH_CRIME = "high_tech_crime"
    CHILD_ABUSE = "child_abuse"
    WEAPONS_GANGS = "weapons_gangs"
    MURDER = "murder"
    ROBBERY = "robbery"
    RESISTING_OFFICERS = "resisting_officers"
    YOUTH_CRIME = "youth_crime"
    CROSS_BORDER_CRIME = "cross_border_crime"
    GAMBLING = "gambling"


class Channel(StrEnum):
    """Forms / channels of propaganda (Hình thức tuyên truyền)."""

    PRESS = "press"
    RADIO = "radio"
    TELEVISION = "television"
    E_NEWSPAPER = "e_newspaper"
    PORTAL = "portal"
    BULLETIN = "bulletin"
    PROPAGANDA_DOCUMENT = "propaganda_document"
    LOUDSPEAKER = "loudspeaker"
    MOBILE_VAN = "mobile_van"
    SOCIAL_MEDIA = "social_media"
    MEETING = "meeting"
    OTHER = "other"


class KpiMetric(StrEnum):
    """Countable outputs a KPI target can ask for."""

    ARTICLES = "articles"
    BROADCASTS = "broadcasts"
    MOBILE_VAN_SESSIONS = "mobile_van_sessions"
    LOUDSPEAKER_BROADCASTS = "loudspeaker_broadcasts"
    DOCUMENTS = "documents"
    MEETINGS = "meetings"
    INSPECTIONS = "inspections"


class PeriodKind(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    WHOLE_PLAN = "whole_plan"


class AlertKind(StrEnum):
    """What a deadline alert says of a task's deadline."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class EvidenceOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # the item was already counted: a no-op
    TASK_CANCELLED = "task_cancelled"
    UNIT_NOT_ASSIGNED = "unit_not_assigned"
    OUTSIDE_WINDOW = "outside_window"
    NO_MATCHING_TARGET = "no_matching_target"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RecurrenceKind(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    REGULAR = "regular"  # "thường xuyên": continuous work, reported every ``report_every``


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class EvidenceKind(StrEnum):
    ARTICLE = "article"
    BROADCAST = "broadcast"
    POST = "post"
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"
    OTHER = "other"


class RollOverAction(StrEnum):
    TASK_LEFT_OUT = "task_left_out"
    UNIT_DROPPED = "unit_dropped"  # a coordinating unit removed from its task
    KPI_DROPPED = "kpi_dropped"
    KEPT_AS_TEXT = "kept_as_text"  # a recipient line kept without its unit
    MERGED = "merged"  # a group subtask whose unit merged into another's: one task remains


class StatusBucket(StrEnum):
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    NOT_COMPLETED_WITHIN_DEADLINE = "not_completed_within_deadline"
    OVERDUE = "overdue"


class SuccessionOutcome(StrEnum):
    SAME = "same"  # the unit itself is valid on the date
    SUCCEEDED = "succeeded"  # exactly one unit valid on the date took over
    NO_SUCCESSOR = "no_successor"
    AMBIGUOUS = "ambiguous_successors"  # several units took over (a split)
    UNKNOWN = "unknown_unit"


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class UnitType(StrEnum):
    DEPARTMENT = "department"
    PRESS_OUTLET = "press_outlet"
    DISTRICT_CULTURE_OFFICE = "district_culture_office"
    CULTURE_CENTRE = "culture_centre"
    COMMUNE = "commune"
    PARTY_OR_STATE_BODY = "party_or_state_body"


class PressSubtype(StrEnum):
    LOCAL = "local"
    CENTRAL = "central"
    SECTORAL = "sectoral"
    OTHER_PROVINCE_OFFICE = "other_province_office"


class ContactKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"
    TELEGRAM = "telegram"
    WEBHOOK = "webhook"
