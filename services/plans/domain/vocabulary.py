"""Closed vocabularies shared by plans, tasks, reports and the import format."""

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
