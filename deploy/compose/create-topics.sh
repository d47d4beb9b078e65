#!/usr/bin/env bash
# Create every topic of the contract (boi_shared.topics.ALL_TOPICS) with its declared partition count, then
# fail if a topic exists with another count; then the SCRAM users of the services and the partner and their
# ACLs (boi_shared.kafka_auth.GRANTS). Runs in the apache/kafka image: the `kafka-init` job of
# docker-compose.yml mounts this file, and deploy/k8s/topics-job.yaml embeds it verbatim;
# tests/unit/test_deploy_manifests.py checks both against the code. The replication factor is the
# cluster's default.replication.factor. It connects as BOI_KAFKA_USERNAME (the cluster's admin, a super
# user) over SASL/SCRAM-SHA-512; passwords go through files only this job can read, never a command line.
set -euo pipefail

bootstrap="${BOI_KAFKA_BOOTSTRAP_SERVERS:?BOI_KAFKA_BOOTSTRAP_SERVERS is not set}"
umask 077
private="$(mktemp -d)"
trap 'rm -rf "$private"' EXIT
auth=()
if [[ -n "${BOI_KAFKA_USERNAME:-}" ]]; then
  cat >"$private/admin.properties" <<CONFIG
security.protocol=${BOI_KAFKA_SECURITY_PROTOCOL:-SASL_PLAINTEXT}
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${BOI_KAFKA_USERNAME}" password="${BOI_KAFKA_PASSWORD:?BOI_KAFKA_PASSWORD is not set}";
CONFIG
  auth=(--command-config "$private/admin.properties")
fi
kafka_topics() { /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" "${auth[@]}" "$@"; }

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
create_topic notify.webhook-retries.v1 6
create_topic notify.webhook-retries.v1.dlq 1

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
if [[ "$status" -ne 0 ]]; then
  exit "$status"
fi
echo "all ${#declared[@]} topics of the contract exist with their declared partitions"
if [[ ${#auth[@]} -eq 0 ]]; then
  echo "BOI_KAFKA_USERNAME is not set: no users or ACLs (a cluster without authentication)"
  exit 0
fi

# A SCRAM user per principal whose password variable is set (created, or its password replaced).
scram_user() {
  local password="${!2:-}"
  if [[ -z "$password" ]]; then
    echo "$2 is not set: the SCRAM user $1 is left as it is"
    return
  fi
  printf 'SCRAM-SHA-512=[password=%s]\n' "$password" >"$private/user.properties"
  /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$bootstrap" "${auth[@]}" --alter \
    --entity-type users --entity-name "$1" --add-config-file "$private/user.properties" >/dev/null
}
scram_user ingest KAFKA_INGEST_PASSWORD
scram_user enrich KAFKA_ENRICH_PASSWORD
scram_user catalog KAFKA_CATALOG_PASSWORD
scram_user notify KAFKA_NOTIFY_PASSWORD
scram_user metrics KAFKA_METRICS_PASSWORD
scram_user partner KAFKA_PARTNER_PASSWORD

# grant PRINCIPAL OPERATION topic|group NAME [prefixed]: one ALLOW ACL (adding an existing one is a no-op).
# No ACL means no access (allow.everyone.if.no.acl.found=false); the admin is the only super user.
grant() {
  local resource=(--topic "$4")
  [[ "$3" == group ]] && resource=(--group "$4")
  local pattern=()
  [[ "${5:-}" == prefixed ]] && pattern=(--resource-pattern-type prefixed)
  /opt/kafka/bin/kafka-acls.sh --bootstrap-server "$bootstrap" "${auth[@]}" --add \
    --allow-principal "User:$1" --operation "$2" "${resource[@]}" "${pattern[@]}" >/dev/null
}
grant ingest WRITE topic calls.raw.v1
grant enrich READ topic calls.raw.v1
grant enrich WRITE topic calls.enriched.v1
grant enrich WRITE topic calls.raw.v1.dlq
grant enrich READ group enrich
grant catalog READ topic calls.enriched.v1
grant catalog WRITE topic calls.published.v1
grant catalog WRITE topic metrics.impressions.v1
grant catalog WRITE topic bulletins.published.v1
grant catalog WRITE topic calls.enriched.v1.dlq
grant catalog READ group catalog
grant notify READ topic calls.published.v1
grant notify READ topic bulletins.published.v1
grant notify WRITE topic metrics.impressions.v1
grant notify WRITE topic calls.published.v1.dlq
grant notify WRITE topic bulletins.published.v1.dlq
grant notify READ topic notify.webhook-retries.v1
grant notify WRITE topic notify.webhook-retries.v1
grant notify WRITE topic notify.webhook-retries.v1.dlq
grant notify READ group notify
grant metrics READ topic metrics.impressions.v1
grant metrics READ topic calls.published.v1
grant metrics WRITE topic metrics.impressions.v1.dlq
grant metrics WRITE topic calls.published.v1.dlq
grant metrics READ group metrics
grant metrics READ group metrics-calls
grant partner READ topic calls.published.v1
grant partner READ group partner- prefixed
echo "the SCRAM users and ACLs of every principal are in place"
