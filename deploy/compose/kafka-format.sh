#!/usr/bin/env bash
# Entry point of docker-compose.yml's `kafka`: formats an empty volume (KRaft) with the SCRAM user of the
# admin, the broker's own principal and only super user, so that it can log in (the image's own format
# step creates no user; it then finds the volume formatted and goes on), writes the admin's client
# settings for the healthcheck (/tmp, readable by this container's user only), and runs the image.
# The other principals and their ACLs are created by kafka-init (create-topics.sh).
set -euo pipefail

password="${BOI_KAFKA_ADMIN_PASSWORD:?BOI_KAFKA_ADMIN_PASSWORD is not set}"
umask 077
cat >/tmp/boi-admin.properties <<CONFIG
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${password}";
CONFIG

if [[ ! -e "${KAFKA_LOG_DIRS}/meta.properties" ]]; then
  cat >/tmp/boi-format.properties <<CONFIG
process.roles=${KAFKA_PROCESS_ROLES}
node.id=${KAFKA_NODE_ID}
controller.quorum.voters=${KAFKA_CONTROLLER_QUORUM_VOTERS}
controller.listener.names=${KAFKA_CONTROLLER_LISTENER_NAMES}
listeners=${KAFKA_LISTENERS}
listener.security.protocol.map=${KAFKA_LISTENER_SECURITY_PROTOCOL_MAP}
log.dirs=${KAFKA_LOG_DIRS}
CONFIG
  /opt/kafka/bin/kafka-storage.sh format --cluster-id "${CLUSTER_ID}" -c /tmp/boi-format.properties \
    --add-scram "SCRAM-SHA-512=[name=admin,password=${password}]" >/dev/null
  rm -f /tmp/boi-format.properties
  echo "formatted ${KAFKA_LOG_DIRS} with the admin's SCRAM user"
fi
exec /etc/kafka/docker/run
