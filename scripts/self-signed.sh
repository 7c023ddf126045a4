#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes a throw-away self-signed certificate for localhost (P-256, two days)
# into DIR/cert.pem and DIR/key.pem, for the consumer's TLS round trips.
#   scripts/self-signed.sh DIR
set -euo pipefail
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
