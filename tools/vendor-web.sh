#!/usr/bin/env bash
# Local copies of the JavaScript the slide decks and the course site load, so both work offline:
# reveal.js (slides + speaker notes), require.js and jQuery (nbconvert's templates use them),
# MathJax 2 (formulas) and the Jupyter widgets HTML manager (widgets saved in the outputs).
#
# Fetched once from the npm registry with `npm pack` (the package tarball only, no dependency
# tree) into build/vendor/<name>/. Run again only when the pinned versions below change.
# Usage: bash tools/vendor-web.sh [DEST]   (default DEST: build/vendor)
set -euo pipefail
dest=${1:-build/vendor}
packages=(
  "reveal.js@5.2.1:reveal.js"
  "requirejs@2.3.7:requirejs"
  "jquery@3.7.1:jquery"
  "mathjax@2.7.9:mathjax"
  "@jupyter-widgets/html-manager@1.0.15:html-manager"
)
stamp="$dest/.vendored"
if [[ -f $stamp && "$(cat "$stamp")" == "${packages[*]}" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "note: npm not found: slide decks and the course site need build/vendor/ (reveal.js, MathJax)." >&2
  echo "  Install Node.js/npm (Debian: 'sudo apt-get install npm') and run 'make setup' again." >&2
  exit 0
fi

echo "Vendoring web assets for offline slides into $dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"
for entry in "${packages[@]}"; do
  spec=${entry%%:*}
  name=${entry##*:}
  tarball=$(cd "$tmp" && npm pack --silent --no-fund --no-audit "$spec" | tail -n 1)
  rm -rf "${dest:?}/$name" "$tmp/package"
  # MathJax 2: drop the un-minified copy and the fonts CommonHTML never uses (about 45 of 73 MB).
  tar -xzf "$tmp/$tarball" -C "$tmp" \
    --exclude='package/unpacked' --exclude='package/test' \
    --exclude='package/fonts/HTML-CSS/[!T]*' --exclude='package/fonts/HTML-CSS/TeX/png' \
    --exclude='package/fonts/HTML-CSS/TeX/svg' --exclude='package/fonts/HTML-CSS/TeX/eot'
  mv "$tmp/package" "$dest/$name"
done
printf '%s' "${packages[*]}" > "$stamp"
du -sh "$dest" | sed 's/^/vendored: /'
