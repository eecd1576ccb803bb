"""What planning does with each language version of a notice for one unit, given the
deliveries it already has: create one to send, create one held for a translation, release a
held one, or leave what exists alone (a delivery exists once per key).

A version waiting for its translation (or, policy ``wait``, the Vietnamese copy waiting for
the unit's translations) is stored as a ``held`` delivery, so officers see it per recipient
with its reason, and the same delivery is released, not created again, when it may go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .delivery import Delivery
from .notices import DEFAULT_LANGUAGE
from .planning import DeliveryPlan
from .vocabulary import DeliveryStatus, HoldReason, LanguageState, ReleaseReason, Step


@dataclass(frozen=True)
class VersionStep:
    language: str
    step: Step
    hold_reason: HoldReason | None = None
    release_reason: ReleaseReason | None = None
    delivery: Delivery | None = None  # the held delivery to release


_HOLD_REASON = {LanguageState.AWAITING_TRANSLATION: HoldReason.AWAITING_TRANSLATION,
                LanguageState.HELD: HoldReason.WAITING_FOR_TRANSLATIONS}


def version_steps(plan: DeliveryPlan, existing: Iterable[Delivery]) -> list[VersionStep]:
    """The steps for one unit. ``existing``: the notice's deliveries (those of other units
    are ignored), any channel."""
    by_language: dict[str, list[Delivery]] = {}
    for delivery in existing:
        if delivery.unit_id == plan.unit_id:
            by_language.setdefault(delivery.language, []).append(delivery)
    # A Vietnamese copy that may go while a translation is still missing goes because policy
    # wait's deadline passed.
    untranslated = any(v.state is LanguageState.AWAITING_TRANSLATION for v in plan.languages)
    steps: list[VersionStep] = []
    for version in plan.languages:
        found = by_language.get(version.language, [])
        held = next((d for d in found if d.status is DeliveryStatus.HELD), None)
        if version.state is not LanguageState.READY:
            if not found:
                steps.append(VersionStep(version.language, Step.HOLD,
                                         hold_reason=_HOLD_REASON[version.state]))
            continue
        if held is not None:
            reason = (ReleaseReason.TRANSLATION_DEADLINE
                      if untranslated and version.language == DEFAULT_LANGUAGE
                      else ReleaseReason.TRANSLATION_APPROVED)
            steps.append(VersionStep(version.language, Step.RELEASE, release_reason=reason,
                                     delivery=held))
        elif not found:
            steps.append(VersionStep(version.language, Step.SEND))
    return steps
