#!/usr/bin/env bash
# Look at the Word notice and the Excel ledger as a person would: render both from
# the ledger (default: this repository's data/), convert them to PDF with
# LibreOffice and the PDF pages to PNG images.
#   bench/look_docx.sh [LEDGER_ROOT] [OUT_DIR]
# Needs soffice (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)
# and pdftoppm (poppler-utils). Not part of CI: LibreOffice is a large install.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="${1:-$here}"
out="${2:-$here/bench/look}"
ledger="${LEDGER:-$here/.venv/bin/ledger}"
for tool in soffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "缺少 $tool" >&2; exit 2; }
done
mkdir -p "$out"
"$ledger" --root "$root" render -o "$out/通报.docx"
"$ledger" --root "$root" render -t table -o "$out/台账.xlsx"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for file in "$out/通报.docx" "$out/台账.xlsx"; do
  soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf \
    --outdir "$out" "$file" >/dev/null
done
pdftoppm -png -r 60 "$out/通报.pdf" "$out/通报"
pdftoppm -png -r 60 "$out/台账.pdf" "$out/台账"
ls "$out"
