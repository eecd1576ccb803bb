"""RPC payloads of the thresholds monitoring judges items by: each topic's and the harmful
one, read and set at run time (who and when kept), beside the alert rules' own bars."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from services.contracts.monitoring import THRESHOLDS_NOTE, Actor, Reply, Request


class SetThresholdsRequest(Request):
    """New thresholds: for items analysed from now on (stored items keep their verdicts)."""

    topics: dict[str, float] = Field(default_factory=dict, max_length=100,
                                     examples=[{"drugs": 0.55, "gambling": 0.45}],
                                     description="Topic id -> threshold in [0, 1].")
    harmful: float | None = Field(default=None, ge=0, le=1, examples=[0.45],
                                  description="The harmful threshold in [0, 1].")
    actor: str = Actor


class TopicThreshold(Reply):
    topic: str
    label: str
    threshold: float = Field(description="A topic is assigned when its score reaches this.")
    own: bool = Field(description="Set on the topic; false: the taxonomy's default.")


class ThresholdChange(Reply):
    what: str = Field(examples=["harmful", "topic:drugs"])
    before: float | None
    after: float
    by: str = Field(description="Who set it (a user id).")
    at: datetime


class AlertRuleBar(Reply):
    rule_id: str
    min_harmful: float
    min_topic_confidence: float


class ThresholdsReply(Reply):
    """Every threshold in force, the alert rules' own bars, and who changed what when."""

    harmful: float = Field(description="An item is harmful when its score reaches this.")
    harmful_default: float = Field(description="As data/harmful.yaml sets it.")
    topic_default: float = Field(description="A topic without its own threshold uses this.")
    candidate_floor: float = Field(description="Below-threshold topic scores from here up are "
                                               "shown as candidates (not assigned).")
    topics: list[TopicThreshold]
    alert_rules: list[AlertRuleBar] = Field(
        description="Alert rules apply their own bars on top (an item may be harmful and still "
                    "raise no alert when a rule's min_harmful is stricter).")
    history: list[ThresholdChange] = Field(description="Newest first.")
    note: str = THRESHOLDS_NOTE
