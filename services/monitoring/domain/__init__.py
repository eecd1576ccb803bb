"""Pure domain layer of the monitoring service (stdlib + numpy only, no I/O frameworks).

Entry point for the service layer: :class:`Pipeline` (``Pipeline.from_directory()`` loads the
editable data files in ``services/monitoring/data``) and ``Pipeline.analyse(Item) -> Analysis``.
"""

from .alerts import (
    AlertCandidate,
    AlertGate,
    AlertRule,
    counted_in,
    detect_spike,
    evaluate_rules,
    parse_alert_rules,
)
from .coverage import (
    Assignment,
    CoverageFact,
    WatchedPlan,
    coverage_keys,
    match_coverage,
    period_key,
)
from .dates import DEFAULT_TZ, DateParseError, local_day, parse_date
from .dedup import DedupIndex, DuplicateMatch, estimate_bytes_per_item, exact_key, normalise_url
from .feeds import FeedError, FeedItem, ParsedFeed, parse_feed
from .harmful import HarmfulScore, HarmfulScorer
from .pipeline import (
    DATA_DIR,
    SHIPPED_MODEL,
    Analysis,
    Item,
    Pipeline,
    Prepared,
    RawItem,
    load_data_file,
    shipped_model,
)
from .places import Gazetteer, PlaceMention, load_places
from .polling import SourceHealth, next_poll_interval, source_health
from .query import QuerySyntaxError, parse_query
from .raised_alerts import Alert, alert_id_for
from .sources import POLLED_KINDS, PollOutcome, Source
from .stories import StoryFeatures, StoryIndex, StoryMatch, StoryVectoriser
from .text import BOUNDARY, NormalisedText, normalise
from .topics import TOPIC_IDS, TopicClassifier, TopicMatch

__all__ = [
    "BOUNDARY",
    "DATA_DIR",
    "DEFAULT_TZ",
    "POLLED_KINDS",
    "SHIPPED_MODEL",
    "TOPIC_IDS",
    "Alert",
    "AlertCandidate",
    "AlertGate",
    "AlertRule",
    "Analysis",
    "Assignment",
    "CoverageFact",
    "DateParseError",
    "DedupIndex",
    "DuplicateMatch",
    "FeedError",
    "FeedItem",
    "Gazetteer",
    "HarmfulScore",
    "HarmfulScorer",
    "Item",
    "NormalisedText",
    "ParsedFeed",
    "Pipeline",
    "PlaceMention",
    "PollOutcome",
    "Prepared",
    "QuerySyntaxError",
    "RawItem",
    "Source",
    "SourceHealth",
    "StoryFeatures",
    "StoryIndex",
    "StoryMatch",
    "StoryVectoriser",
    "TopicClassifier",
    "TopicMatch",
    "WatchedPlan",
    "alert_id_for",
    "counted_in",
    "coverage_keys",
    "detect_spike",
    "estimate_bytes_per_item",
    "evaluate_rules",
    "exact_key",
    "load_data_file",
    "load_places",
    "local_day",
    "match_coverage",
    "next_poll_interval",
    "normalise",
    "normalise_url",
    "parse_alert_rules",
    "parse_date",
    "parse_feed",
    "parse_query",
    "period_key",
    "shipped_model",
    "source_health",
]
