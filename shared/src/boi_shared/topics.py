"""Kafka topics of the public contract: names and declared partition counts (never auto-created)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    """A topic and the partition count it is created with (the scaling limit of its consumers)."""

    name: str
    partitions: int
    description: str

    @property
    def dlq(self) -> "TopicSpec":
        return TopicSpec(f"{self.name}.dlq", 1, f"Dead letters of {self.name}")


CALLS_RAW = TopicSpec("calls.raw.v1", 6, "Calls as fetched and normalized by ingest")
CALLS_ENRICHED = TopicSpec("calls.enriched.v1", 6, "Calls summarized and classified by enrich")
CALLS_PUBLISHED = TopicSpec("calls.published.v1", 6, "Changes of public calls, emitted by catalog")
IMPRESSIONS = TopicSpec("metrics.impressions.v1", 6, "Impressions of calls on every channel")
BULLETINS = TopicSpec(
    "bulletins.published.v1", 1, "Weekly bulletins approved by a curator, emitted by catalog (one a week)"
)

WEBHOOK_RETRIES = TopicSpec(
    "notify.webhook-retries.v1",
    6,
    "Partner webhook deliveries that failed and are due again later (notify's own retry schedule; keyed "
    "by endpoint, never read by partners)",
)


MAIN_TOPICS = (CALLS_RAW, CALLS_ENRICHED, CALLS_PUBLISHED, IMPRESSIONS, BULLETINS, WEBHOOK_RETRIES)
ALL_TOPICS = tuple(t for main in MAIN_TOPICS for t in (main, main.dlq))


def dlq_name(topic: str) -> str:
    return f"{topic}.dlq"
