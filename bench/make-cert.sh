#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A throwaway test CA and a P-256 server certificate for localhost and
# 127.0.0.1, valid two days, for the TLS benchmarks: DIR/ca.pem,
# DIR/cert.pem, DIR/key.pem. Usage: bench/make-cert.sh DIR
set -euo pipefail
dir=$1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/CN=sockkit bench CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$dir/key.pem" -out "$dir/req.pem" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/ext"
openssl x509 -req -in "$dir/req.pem" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 2 -extfile "$dir/ext" -out "$dir/cert.pem" 2>/dev/null
