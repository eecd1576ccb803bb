#!/bin/bash
# Runs next to every mongod; only the first pod (ordinal 0) acts, and only once per data set:
# it initiates the replica set and creates the root user through the localhost exception
# (both are refused once a user exists, which makes this idempotent). Then it idles.
set -u
if [ "${HOSTNAME##*-}" != "0" ]; then exec sleep infinity; fi
until mongosh --quiet --eval 'db.adminCommand({ping: 1}).ok' >/dev/null 2>&1; do sleep 2; done
domain="mongodb.${POD_NAMESPACE}.svc.cluster.local"
mongosh --quiet --eval "
  try { rs.status() } catch (e) {
    if (e.codeName === 'NotYetInitialized') {
      rs.initiate({_id: 'rs0', members: [0, 1, 2].map(i => ({_id: i,
        host: 'mongodb-' + i + '.${domain}:27017'}))});
      print('replica set rs0 initiated');
    }
  }" || true
until mongosh --quiet --eval 'db.hello().isWritablePrimary' 2>/dev/null | grep -q true; do
  sleep 2
done
mongosh --quiet admin --eval "
  try {
    db.createUser({user: process.env.MONGODB_USER, pwd: process.env.MONGODB_PASS,
                   roles: [{role: 'root', db: 'admin'}]});
    print('root user created');
  } catch (e) { print('root user exists: ' + e.codeName) }" || true
exec sleep infinity
