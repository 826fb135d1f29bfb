"""The nbconvert templates of the offline decks and pages (used by :mod:`cnncourse.slides`).

Both extend nbconvert's own templates (``reveal`` for decks, ``lab`` for pages) and change:

- no Mermaid (nbconvert imports it as an ES module from a CDN; the course has no diagrams);
- the Jupyter widgets HTML manager finds its Font Awesome files in the deck's asset folder;
- the course widgets' frame players (see :mod:`cnncourse.deck_widgets`) get their style and script;
- Hangul (the Korean edition, and the Korean terms of the English one) is drawn with an installed
  Hangul font (:data:`HANGUL_CSS`: NanumGothic, Noto Sans CJK KR, Malgun Gothic, Apple SD Gothic
  Neo, ...), else with the copy in the folder's ``assets/fonts/`` when the exporter made one
  (``resources.cnncourse_hangul_url``); nothing is fetched from the network. Korean text breaks
  lines between words (``word-break: keep-all``), as Korean is set;
- a page can carry a navigation bar (``resources.cnncourse_nav``: the site's language switch).

Decks also get a 16:9 slide (1280x720, scaled by reveal.js to any screen of that shape), prompts
hidden, code that wraps instead of running off the right edge, and a fitting pass: a slide whose
content is taller than the screen is drawn with smaller type and pictures (down to
``MIN_FIT`` of the normal size); if it still does not fit it scrolls, and each fragment is
scrolled into view when it appears. Navigation is linear: the arrow keys and the space bar
walk through every slide, vertical ones included, and every fragment.
"""
from __future__ import annotations

SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
MIN_FIT = 0.7

_WIDGETS_BLOCK = """
{% block jupyter_widgets %}
{%- if "widgets" in nb.metadata -%}
<style>.jupyter-widgets { font-family: var(--jp-ui-font-family, sans-serif); }</style>
<script>
require.config({paths: {
  "@jupyter-widgets": "{{ resources.cnncourse_widgets_dir }}",
  "@jupyter-widgets/html-manager/dist": "{{ resources.cnncourse_widgets_dir }}"
}});
</script>
{%- endif -%}
{{ super() }}
{% endblock jupyter_widgets %}
"""

# Players of precomputed widget frames: a range input, a play button, one frame shown at a time.
# (Also: MathJax 2's hidden copy of each formula for screen readers is MathML, which Chromium now
# draws itself and no longer hides with `clip`: every formula appeared twice, "zz".)
PLAYER_CSS = """
.MJX_Assistive_MathML { clip-path: inset(50%) !important; }
.cnncourse-bar { display: flex; align-items: center; gap: 0.6em; margin: 0.2em 0; }
.cnncourse-bar input[type=range] { width: 40%; }
.cnncourse-play { font-size: 1em; min-width: 2.2em; cursor: pointer; }
.cnncourse-label { font-family: var(--jp-ui-font-family, sans-serif); }
.cnncourse-frames { display: grid; }
.cnncourse-frame { grid-area: 1 / 1; display: flex; flex-wrap: wrap; align-items: flex-start;
                   column-gap: 1.2em; }
.cnncourse-frame[hidden] { display: flex; visibility: hidden; }
.cnncourse-frame > .before { flex-basis: 100%; }
.cnncourse-frame > img { flex: 0 1 auto; min-width: 0; }
.cnncourse-frame > .cnncourse-after { flex: 1 1 20em; }
.cnncourse-frame img, .cnncourse-static img { max-width: 100%; height: auto; display: block; }
.cnncourse-note { color: #666; font-style: italic; font-size: 0.8em; margin: 0.2em 0; }
"""

PLAYER_JS = """
(function () {
  function setUp(player) {
    var frames = player.querySelectorAll('.cnncourse-frame');
    var range = player.querySelector('.cnncourse-step');
    var label = player.querySelector('.cnncourse-label');
    var button = player.querySelector('.cnncourse-play');
    var timer = null;
    function show(i) {
      frames.forEach(function (f, k) { f.hidden = (k !== i); });
      range.value = i;
      label.textContent = label.dataset.format.replace('{i}', i + 1).replace('{n}', frames.length);
    }
    function stop() { clearInterval(timer); timer = null; button.innerHTML = '&#9654;'; }
    range.addEventListener('input', function () { stop(); show(+range.value); });
    button.addEventListener('click', function () {
      if (timer) { stop(); return; }
      button.innerHTML = '&#10074;&#10074;';
      if (+range.value === frames.length - 1) show(0);
      timer = setInterval(function () {
        var next = +range.value + 1;
        if (next >= frames.length) { stop(); } else { show(next); }
      }, 700);
    });
    show(0);
  }
  function init() { document.querySelectorAll('.cnncourse-player').forEach(setUp); }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else { init(); }
})();
"""

# Hangul glyphs from an installed Korean font (names as Chromium's local() matches them: full or
# PostScript names), else from the deck folder's own copy; only for Hangul (unicode-range), so
# Latin text keeps the theme's fonts. The font stacks of reveal.js and JupyterLab get the face
# before their generic family.
HANGUL_FAMILY = "cnncourse Hangul"
HANGUL_RANGE = "U+1100-11FF, U+3130-318F, U+A960-A97F, U+AC00-D7A3, U+D7B0-D7FF"
_HANGUL_LOCAL = ("NanumGothic", "Noto Sans CJK KR Regular", "NotoSansCJKkr-Regular",
                 "Noto Sans KR Regular", "NotoSansKR-Regular", "Malgun Gothic",
                 "Apple SD Gothic Neo Regular", "AppleSDGothicNeo-Regular", "AppleGothic",
                 "NanumBarunGothic")
_HANGUL_LOCAL_BOLD = ("NanumGothicBold", "NanumGothic Bold", "Noto Sans CJK KR Bold",
                      "NotoSansCJKkr-Bold", "Malgun Gothic Bold", "MalgunGothicBold",
                      "Apple SD Gothic Neo Bold", "AppleSDGothicNeo-Bold")


def _local(names):
    return ", ".join(f'local("{n}")' for n in names)


HANGUL_CSS = (
    '@font-face { font-family: "FAMILY"; font-weight: normal; src: ' + _local(_HANGUL_LOCAL)
    + '{% if resources.cnncourse_hangul_url %}, url("{{ resources.cnncourse_hangul_url }}")'
      '{% endif %}; unicode-range: RANGE; }\n'
    '@font-face { font-family: "FAMILY"; font-weight: bold; src: ' + _local(_HANGUL_LOCAL_BOLD)
    + '; unicode-range: RANGE; }\n' + """
:root:root {
  --jp-ui-font-family: system-ui, -apple-system, blinkmacsystemfont, 'Segoe UI', helvetica,
    arial, "FAMILY", sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji', 'Segoe UI Symbol';
  --jp-content-font-family: system-ui, -apple-system, blinkmacsystemfont, 'Segoe UI', helvetica,
    arial, "FAMILY", sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji', 'Segoe UI Symbol';
  --jp-code-font-family: menlo, consolas, 'DejaVu Sans Mono', "FAMILY", monospace;
  --r-main-font: Source Sans Pro, Helvetica, "FAMILY", sans-serif;
  --r-heading-font: Source Sans Pro, Helvetica, "FAMILY", sans-serif;
}
:lang(ko) .jp-RenderedHTMLCommon, :lang(ko) .cnncourse-nav { word-break: keep-all; }
""").replace("FAMILY", HANGUL_FAMILY).replace("RANGE", HANGUL_RANGE)

# The site's navigation bar at the top of a page (the language switch, the chapter list).
NAV_CSS = """
.cnncourse-nav { display: flex; justify-content: space-between; gap: 1em; padding: 0.5em 1em;
                 border-bottom: 1px solid #ddd; font-family: var(--jp-ui-font-family); }
"""
_NAV_BLOCK = """
{% block body_header %}{{ super() }}
{%- if resources.cnncourse_nav %}
<nav class="cnncourse-nav">{{ resources.cnncourse_nav }}</nav>
{%- endif %}
{% endblock body_header %}
"""

DECK_CSS = """
:root {
  --jp-cell-prompt-width: 0px;
  --jp-ui-font-size1: 18px;
}
.reveal .slides { text-align: left; }
.reveal .slides section { --fit: 1; padding: 0 !important; }
.reveal .slides section section {
  --jp-content-font-size1: calc(var(--fit) * 23px);
  --jp-code-font-size: calc(var(--fit) * 15px);
  --jp-ui-font-size1: calc(var(--fit) * 18px);
  font-size: calc(var(--fit) * 23px);
  line-height: 1.35;
}
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
.reveal .jp-Cell { padding: calc(var(--fit) * 4px) 0; }
.reveal .jp-RenderedHTMLCommon { padding-right: 0; }
.reveal .slides section h1, .reveal .slides section h2, .reveal .slides section h3 {
  text-transform: none; line-height: 1.2; margin: 0 0 0.3em 0;
}
.reveal .slides section h1 { font-size: calc(var(--fit) * 46px); }
.reveal .slides section h2 { font-size: calc(var(--fit) * 36px); }
.reveal .slides section h3 { font-size: calc(var(--fit) * 28px); }
.reveal .jp-RenderedHTMLCommon p, .reveal .jp-RenderedHTMLCommon li { margin-bottom: 0.4em; }
.reveal pre, .reveal .highlight pre, .reveal .jp-OutputArea-output pre {
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal;
  font-size: var(--jp-code-font-size); line-height: 1.35; width: 100%; box-sizing: border-box;
}
.reveal .jp-OutputArea-output { overflow-x: visible; }
.reveal .jp-OutputArea-output img, .reveal .cnncourse-frame img, .reveal .cnncourse-static img {
  max-width: 100%; max-height: calc(var(--fit) * 560px); width: auto; height: auto;
}
.reveal table { font-size: calc(var(--fit) * 19px); }
.reveal section.cnncourse-scroll { height: HEIGHTpx; overflow-y: auto; }
.reveal .cnncourse-cont { color: #888; font-size: calc(var(--fit) * 20px); margin: 0 0 0.3em 0; }
""".replace("HEIGHT", str(SLIDE_HEIGHT))

# Reveal.initialize and the fitting pass. `require` loads reveal.js and its notes plugin from the
# deck's asset folder (paths given by the exporter).
DECK_JS = """
require({waitSeconds: 30},
  ["{{ resources.reveal.url_prefix }}/dist/reveal.js", "{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"],
  function (Reveal, RevealNotes) {
    // fit above the bottom strip where reveal.js draws its arrows and the slide number
    var H = HEIGHT - 36, FITS = [1, 0.93, 0.86, 0.8, 0.75, MIN_FIT];
    Reveal.initialize({
      width: WIDTH, height: HEIGHT, margin: 0.03, center: false, hash: true,
      controls: true, progress: true, slideNumber: "c/t", transition: "slide",
      navigationMode: "linear", plugins: [RevealNotes]
    });
    function leaves() {
      return Array.prototype.filter.call(document.querySelectorAll('.reveal .slides section'),
        function (s) { return !s.querySelector('section'); });
    }
    // a slide continued on the next one (a vertical slide without a heading) repeats the title
    function continuationTitles() {
      var last = '';
      leaves().forEach(function (s) {
        var heading = s.querySelector('h1, h2, h3');
        if (heading) {
          last = heading.textContent.replace('\u00b6', '').trim();
        } else if (last && !s.querySelector(':scope > .cnncourse-cont')) {
          var p = document.createElement('p');
          p.className = 'cnncourse-cont';
          p.textContent = {{ resources.cnncourse_continued | default("{title} (continued)") | tojson }}
            .replace('{title}', last);
          s.insertBefore(p, s.firstChild);
        }
      });
    }
    continuationTitles();
    function fit(section) {
      section.classList.remove('cnncourse-scroll');
      for (var i = 0; i < FITS.length; i++) {
        section.style.setProperty('--fit', FITS[i]);
        if (section.scrollHeight <= H) { return FITS[i]; }
      }
      section.classList.add('cnncourse-scroll');
      return FITS[FITS.length - 1];
    }
    function fitAll() {
      // slides far from the current one are display:none in reveal.js; measure them shown
      leaves().forEach(function (s) {
        var hidden = s.style.display === 'none', parent = s.parentNode;
        var parentHidden = parent && parent.style && parent.style.display === 'none';
        if (hidden) s.style.display = 'block';
        if (parentHidden) parent.style.display = 'block';
        fit(s);
        if (hidden) s.style.display = 'none';
        if (parentHidden) parent.style.display = 'none';
      });
      Reveal.layout();
      document.documentElement.dataset.deckFits =
        (+(document.documentElement.dataset.deckFits || 0) + 1).toString();
    }
    window.cnncourseFitAll = fitAll;
    var pending = null;
    function refit() { clearTimeout(pending); pending = setTimeout(fitAll, 150); }
    function scrollIntoSlide(el) {
      var section = el.closest('section');
      if (!section || !section.classList.contains('cnncourse-scroll')) return;
      var box = section.getBoundingClientRect(), r = el.getBoundingClientRect();
      var scale = box.height / section.offsetHeight || 1, delta = 0;
      if (r.bottom > box.bottom) {          // below: show its end, but never hide its start
        delta = Math.min(r.bottom - box.bottom + 8 * scale, r.top - box.top - 4 * scale);
      } else if (r.top < box.top) {         // above (going back): show its start
        delta = r.top - box.top - 4 * scale;
      }
      section.scrollTop += delta / scale;
    }
    Reveal.on('fragmentshown', function (e) { scrollIntoSlide(e.fragment); });
    Reveal.on('slidechanged', function (e) {
      if (window.MathJax && MathJax.Hub && MathJax.Hub.getAllJax(e.currentSlide).length) {
        MathJax.Hub.Rerender(e.currentSlide);
      }
    });
    Reveal.on('ready', function () {
      refit();
      if (window.MathJax && MathJax.Hub) { MathJax.Hub.Queue(refit); }
      document.querySelectorAll('.reveal img').forEach(function (img) {
        if (!img.complete) img.addEventListener('load', refit);
      });
      // widgets rendered by the HTML manager arrive after the page: fit again when they do
      new MutationObserver(function (records) {
        if (records.some(function (r) { return r.addedNodes.length; })) refit();
      }).observe(document.querySelector('.reveal .slides'), {childList: true, subtree: true});
    });
  });
""".replace("WIDTH", str(SLIDE_WIDTH)).replace("HEIGHT", str(SLIDE_HEIGHT)) \
   .replace("MIN_FIT", str(MIN_FIT))

DECK_TEMPLATE = ("{%- extends 'index.html.j2' -%}\n"
                 "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
                 + _WIDGETS_BLOCK +
                 "{% block html_head_css %}<style>" + PLAYER_CSS + DECK_CSS + HANGUL_CSS
                 + "</style>"
                 "{% endblock html_head_css %}\n"
                 "{% block footer_js %}<script>" + PLAYER_JS + "</script>\n<script>" + DECK_JS
                 + "</script>{% endblock footer_js %}\n")

PAGE_TEMPLATE = ("{%- extends 'index.html.j2' -%}\n"
                 "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
                 + _WIDGETS_BLOCK +
                 "{% block html_head_css %}{{ super() }}<style>" + PLAYER_CSS + HANGUL_CSS
                 + NAV_CSS + "</style>{% endblock html_head_css %}\n" + _NAV_BLOCK +
                 "{% block footer_js %}<script>" + PLAYER_JS + "</script>{% endblock footer_js %}\n")
