#!/usr/bin/env bash
# Create every topic of the contract (boi_shared.topics.ALL_TOPICS) with its declared partition count, then
# fail if a topic exists with another count. Runs in the apache/kafka image: the `kafka-init` job of
# docker-compose.yml mounts this file, and deploy/k8s/topics-job.yaml embeds it verbatim;
# tests/unit/test_deploy_manifests.py checks both against the code. The replication factor is the
# cluster's default.replication.factor.
set -euo pipefail

bootstrap="${BOI_KAFKA_BOOTSTRAP_SERVERS:?BOI_KAFKA_BOOTSTRAP_SERVERS is not set}"
kafka_topics() { /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" "$@"; }

declared=()
create_topic() {
  kafka_topics --create --if-not-exists --topic "$1" --partitions "$2"
  declared+=("$1 $2")
}

create_topic calls.raw.v1 6
create_topic calls.raw.v1.dlq 1
create_topic calls.enriched.v1 6
create_topic calls.enriched.v1.dlq 1
create_topic calls.published.v1 6
create_topic calls.published.v1.dlq 1
create_topic metrics.impressions.v1 6
create_topic metrics.impressions.v1.dlq 1
create_topic bulletins.published.v1 1
create_topic bulletins.published.v1.dlq 1

# `--if-not-exists` accepts a topic created earlier with another count. Adding partitions in place would
# move keys to other partitions and break the per-call order, so a mismatch stops here for a human.
actual="$(kafka_topics --describe | awk '$1 == "Topic:" && $5 == "PartitionCount:" { print $2, $6 }')"
status=0
for want in "${declared[@]}"; do
  name="${want% *}"
  partitions="${want#* }"
  found="$(awk -v topic="$name" '$1 == topic { print $2 }' <<<"$actual")"
  if [[ "$found" != "$partitions" ]]; then
    echo "topic $name has ${found:-no} partitions, the contract declares $partitions" >&2
    status=1
  fi
done
if [[ "$status" -eq 0 ]]; then
  echo "all ${#declared[@]} topics of the contract exist with their declared partitions"
fi
exit "$status"
