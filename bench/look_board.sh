#!/bin/sh
# Screenshots of the wall chart for a person to look at: 1600 px wide on screen, and the
# A3 landscape print as PDF and PNG pages. Usage: bench/look_board.sh BOARD.html [OUTDIR]
# Needs chromium (Debian: chromium), fonts-noto-cjk and poppler-utils (pdftoppm).
set -eu
board=$(realpath "$1")
out=${2:-/tmp/look_board}
mkdir -p "$out"
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
flags="--headless --no-sandbox --disable-gpu --hide-scrollbars --run-all-compositor-stages-before-draw"
# Full page height: ask the page for its height first (a generous window otherwise).
"$chrome" $flags --window-size=1600,1000 --screenshot="$out/screen-top.png" "file://$board" 2>/dev/null
"$chrome" $flags --window-size=1600,4000 --screenshot="$out/screen-full.png" "file://$board" 2>/dev/null
"$chrome" $flags --no-pdf-header-footer --print-to-pdf="$out/print.pdf" "file://$board" 2>/dev/null
pdftoppm -r 60 -png "$out/print.pdf" "$out/print"
pdfinfo "$out/print.pdf" | grep -E 'Pages|Page size' || true
ls "$out"
