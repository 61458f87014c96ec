#!/bin/bash
# Entrypoint of the compose `mongo` container: a replica set with access control needs a key
# file (members authenticate each other with it, even a set of one). It comes from the
# environment (MONGO_REPLICA_KEY, never committed), is written where only mongod can read it,
# and then the image's own entrypoint runs as usual (it creates the root user on first start).
set -euo pipefail

: "${MONGO_REPLICA_KEY:?MONGO_REPLICA_KEY is not set; see deploy/env.example}"
keyfile=/etc/mongo/replica.key
mkdir -p "$(dirname "$keyfile")"
printf '%s\n' "$MONGO_REPLICA_KEY" > "$keyfile"
chown mongodb:mongodb "$keyfile"
chmod 400 "$keyfile"
unset MONGO_REPLICA_KEY

exec docker-entrypoint.sh "$@" --keyFile "$keyfile"
