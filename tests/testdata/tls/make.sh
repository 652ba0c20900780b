#!/bin/sh
# Regenerates the fixtures of tests/fetch/crl_test.ts, pin_test.ts and tls_config_test.ts: a CA valid for 100 years,
# two leaves signed by it (serials 1000 and 1001), a CRL of that CA revoking 1001, and a CRL under the same CA name
# signed by another key ("forged") that revokes 1000. Certificates are never checked for dates by those tests.
set -e
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
cnf() { # name: an `openssl ca` configuration with its database in $work
  : > "$work/$1.index"; echo 1000 > "$work/$1.serial"; echo 01 > "$work/$1.crlnumber"
  printf '[ca]\ndefault_ca=x\n[x]\ndatabase=%s\nnew_certs_dir=%s\nserial=%s\ncrlnumber=%s\ndefault_md=sha256\ndefault_crl_days=36500\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n' \
    "$work/$1.index" "$work" "$work/$1.serial" "$work/$1.crlnumber" > "$work/$1.cnf"
}
openssl req -x509 $ec -keyout "$work/ca.key" -out ca.pem -days 36500 -subj "/CN=rawhttpget fixture CA" 2>/dev/null
openssl req -x509 $ec -keyout "$work/forger.key" -out "$work/forger.pem" -days 36500 -subj "/CN=rawhttpget fixture CA" 2>/dev/null
cnf ca; cnf forger
for leaf in good revoked; do
  openssl req $ec -keyout "$leaf.key" -out "$work/$leaf.csr" -subj "/CN=$leaf.test" 2>/dev/null
  printf 'subjectAltName=DNS:%s.test\n' "$leaf" > "$work/$leaf.ext"
  openssl ca -batch -notext -config "$work/ca.cnf" -cert ca.pem -keyfile "$work/ca.key" -in "$work/$leaf.csr" \
    -out "$leaf.pem" -days 36500 -extfile "$work/$leaf.ext" 2>/dev/null
done
openssl ca -config "$work/ca.cnf" -cert ca.pem -keyfile "$work/ca.key" -revoke revoked.pem 2>/dev/null
openssl ca -config "$work/ca.cnf" -cert ca.pem -keyfile "$work/ca.key" -gencrl -out crl.pem 2>/dev/null
# The forger's database lists serial 1000 (the good leaf) as revoked.
printf 'R\t21000101000000Z\t200101000000Z\t1000\tunknown\t/CN=good.test\n' > "$work/forger.index"
openssl ca -config "$work/forger.cnf" -cert "$work/forger.pem" -keyfile "$work/forger.key" -gencrl -out forged-crl.pem 2>/dev/null
openssl x509 -in good.pem -pubkey -noout > good.pub.pem
openssl pkey -pubin -in good.pub.pem -outform der -out good.pub.der
openssl pkey -pubin -in good.pub.pem -outform der | openssl dgst -sha256 -binary | base64 > good.pub.sha256
