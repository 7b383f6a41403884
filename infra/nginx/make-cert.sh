#!/usr/bin/env bash
# A TLS certificate for the local nginx edge: infra/nginx/make-cert.sh [DIR]  (default: infra/nginx/certs)
# Writes DIR/xops.crt and DIR/xops.key for localhost, 127.0.0.1 and ::1 (plus $XOPS_CERT_NAMES, space-
# separated). With mkcert on PATH the certificate is signed by mkcert's local CA (trusted by the browser
# after `mkcert -install`); otherwise it is self-signed with openssl (the browser warns once).
set -euo pipefail
dir="${1:-$(dirname "$0")/certs}"
names=(localhost 127.0.0.1 ::1 ${XOPS_CERT_NAMES:-})
mkdir -p "$dir"
crt="$dir/xops.crt" key="$dir/xops.key"
if command -v mkcert >/dev/null 2>&1 && [ "${XOPS_CERT_TOOL:-}" != openssl ]; then
  mkcert -cert-file "$crt" -key-file "$key" "${names[@]}"
  echo "mkcert certificate: $crt"
else
  command -v openssl >/dev/null 2>&1 || { echo "error: neither mkcert nor openssl is installed; install one" >&2; exit 2; }
  san=""
  for n in "${names[@]}"; do
    if [[ "$n" =~ ^[0-9.]+$ || "$n" == *:* ]]; then san+="IP:$n,"; else san+="DNS:$n,"; fi
  done
  openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes -keyout "$key" -out "$crt" \
    -subj "/CN=xops local edge" -addext "subjectAltName=${san%,}" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign" \
    -addext "extendedKeyUsage=serverAuth" 2>/dev/null
  echo "self-signed certificate (openssl): $crt"
fi
chmod 0644 "$crt"
chmod 0600 "$key"
