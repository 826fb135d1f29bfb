#!/usr/bin/env bash
# System packages a fresh Debian/Ubuntu machine lacks: the Fashion-MNIST files, bubblewrap (the
# sandbox of `cnncourse grade`: one per submission) and, for the browser tests, Chromium and a
# Korean font; npm, which fetches the offline copies of reveal.js/MathJax for the slide
# decks and the course site (tools/vendor-web.sh, into build/vendor/). Installed only where apt is
# usable as root; otherwise we say what to do.
set -u
need=()
[[ -d /usr/share/datasets/fashion-mnist ]] || need+=(dataset-fashion-mnist)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
# A Hangul font, so the Korean terms show in the browser (decks, site, JupyterLab screenshots).
fc-list :lang=ko 2>/dev/null | grep -q . || need+=(fonts-nanum)
here=$(dirname "$0")
vendor() {
  bash "$here/vendor-web.sh" || echo "warning: could not vendor reveal.js/MathJax (see above)" >&2
}
((${#need[@]})) || { vendor; exit 0; }

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; } \
    || echo "warning: apt-get could not install ${need[*]}" >&2
else
  echo "note: not installing ${need[*]} (needs apt-get as root)." >&2
  echo "  Fashion-MNIST: 'sudo apt-get install dataset-fashion-mnist', or set CNNCOURSE_DATA," >&2
  echo "  or let Keras download it on first use. Browser tests are skipped without chromium." >&2
  echo "  Grading without bubblewrap ('sudo apt-get install bubblewrap') is not isolated." >&2
fi
vendor
exit 0
