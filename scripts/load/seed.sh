#!/usr/bin/env bash
# Seed N debtors for the verified-turn load test (scripts/load/verified.lua):
# debtor LOAD-<i> has phone +55 11 97<i as 7 digits>, a CPF starting with 123
# (what the load test answers to the verification question) and two charges,
# one 20 days late and one due in 10 days. Importing again changes nothing.
# Usage: scripts/load/seed.sh [N]   (default 2000; needs bin/regua and the
# service's settings, e.g. after `make run`)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-2000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
late=$(date -d '-20 days' +%F)
soon=$(date -d '+10 days' +%F)
awk -v n="$n" -v late="$late" -v soon="$soon" -v out="$dir" 'BEGIN {
  print "external_id,name,document,phone" > (out "/debtors.csv")
  print "external_id,debtor_external_id,description,amount,due_date" > (out "/charges.csv")
  for (i = 0; i < n; i++) {
    base = sprintf("123%06d", i)
    s = 0; for (k = 1; k <= 9; k++) s += substr(base, k, 1) * (11 - k)
    c1 = 11 - s % 11; if (c1 >= 10) c1 = 0
    s = 0; for (k = 1; k <= 9; k++) s += substr(base, k, 1) * (12 - k)
    s += c1 * 2
    c2 = 11 - s % 11; if (c2 >= 10) c2 = 0
    printf "LOAD-%d,Pessoa Carga %d,%s%d%d,+55119%08d\n", i, i, base, c1, c2, 70000000 + i >> (out "/debtors.csv")
    printf "LOAD-%d-A,LOAD-%d,Mensalidade,%d.%02d,%s\n", i, i, 100 + i % 400, i % 100, late >> (out "/charges.csv")
    printf "LOAD-%d-B,LOAD-%d,Mensalidade,%d.%02d,%s\n", i, i, 150 + i % 300, i % 100, soon >> (out "/charges.csv")
  }
}'
./bin/regua import debtors "$dir/debtors.csv"
./bin/regua import charges "$dir/charges.csv"
