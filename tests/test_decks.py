"""Every lecture deck, built once, copied to another folder and opened from there in Chromium at
1280x720 and 1920x1080 with no network: every slide's content fits its slide (nothing wider than
its box, nothing taller unless the slide scrolls, and then each fragment is scrolled into view
when it appears), every asset loads from the copied folder, and no request leaves the machine.

The notebooks are executed through cnncourse.slides' cache (build/executed/ of the checkout), so
a second run only exports and checks. Screenshots of every slide at 1280x720 go to
test-artifacts/decks/<deck>/, with a summary (fit factor, scrolling slides, times) in
test-artifacts/decks/summary.json.

The Korean edition's decks have the same template and fitting: a cheap subset of them
(KOREAN_LECTURES, whose runs tests/test_i18n.py records into the same cache) gets the same
checks, plus ``<html lang="ko">`` and Hangul drawn with a Hangul font (Chromium says which font
drew each text node), with screenshots in test-artifacts/decks/ko/<deck>/.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from cnncourse import slides

from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _REVEAL
from .test_lab import REPO

SIZES = [(1280, 720), (1920, 1080)]
LECTURES = sorted((REPO / "notebooks").glob("*.ipynb"))
# Cheap Korean decks (no training): the welcome chapter (two widgets) and padding (Keras layers,
# the PaddingExplorer); the code is the English notebooks', whose decks are all checked above.
KOREAN_LECTURES = [REPO / "notebooks" / "ko" / f"{name}.ipynb"
                   for name in ("00_welcome", "03_padding")]
SHOTS = ARTIFACTS / "decks"
TIMES: dict[str, float] = {}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no chromium at {CHROMIUM}"),
]


def build_and_copy(tmp_path_factory, lectures, name, label):
    """Build the decks of lectures into one folder, copy that folder elsewhere and delete the
    original: what is left can only load what the copy holds."""
    tmp = tmp_path_factory.mktemp(name)
    start = time.perf_counter()
    decks, errors = slides.build_decks(lectures, tmp / "built", timeout=1800, log=lambda *a: None)
    TIMES[f"{label} (execute or reuse build/executed/, export)"] = time.perf_counter() - start
    assert not errors, "\n".join(errors)
    assert [d.name for d in decks] == [f"{p.stem}.slides.html" for p in lectures]
    shutil.copytree(tmp / "built", tmp / "copied")
    shutil.rmtree(tmp / "built")
    return tmp / "copied"


@pytest.fixture(scope="module")
def copied_decks(tmp_path_factory):
    """Every lecture deck, built and copied elsewhere."""
    return build_and_copy(tmp_path_factory, LECTURES, "decks", "build")


@pytest.fixture(scope="module")
def copied_korean_decks(tmp_path_factory):
    """The Korean subset's decks, built and copied elsewhere."""
    return build_and_copy(tmp_path_factory, KOREAN_LECTURES, "decks-ko", "Korean build")


@pytest.fixture(scope="module")
def offline_browser(tmp_path_factory):
    """Chromium in which every request that is not a local file is refused and recorded."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-decks")
    remote = []

    def refuse(route):
        remote.append(route.request.url)
        route.abort()

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context.route(lambda url: not url.startswith(("file:", "data:", "blob:")), refuse)
        try:
            yield context, remote
        finally:
            context.close()


# Runs in the page: show each slide with all its fragments and list what does not fit.
_GEOMETRY = """(H) => {
  const R = window.__reveal;
  const describe = el => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
      ? '.' + String(el.className).trim().split(/\\s+/).slice(0, 2).join('.') : '');
  const leaves = [...document.querySelectorAll('.reveal .slides section')]
      .filter(s => !s.querySelector('section'));
  const out = [];
  for (const s of leaves) {
    const idx = R.getIndices(s);
    R.slide(idx.h, idx.v, 1000);
    const box = s.getBoundingClientRect();
    const cs = getComputedStyle(s);
    const scrolls = ['auto', 'scroll'].includes(cs.overflowY) && s.clientHeight <= H + 1;
    const problems = [];
    if (s.scrollHeight > H + 1 && !scrolls)
      problems.push(`content ${s.scrollHeight}px tall in a ${H}px slide that does not scroll`);
    for (const el of s.querySelectorAll('*')) {
      if (el.closest('.MJX_Assistive_MathML, script, style, aside.notes')) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      if (r.right > box.right + 1 || r.left < box.left - 1) {
        problems.push(`${describe(el)} sticks out of the slide (${Math.round(r.left)}..` +
                      `${Math.round(r.right)} outside ${Math.round(box.left)}..${Math.round(box.right)})`);
        continue;
      }
      const ox = getComputedStyle(el).overflowX;
      if (ox !== 'visible' && el.scrollWidth > el.clientWidth + 1)
        problems.push(`${describe(el)} cuts its content at the right ` +
                      `(${el.scrollWidth}px in ${el.clientWidth}px)`);
    }
    const title = (s.querySelector('h1, h2, h3') || {}).textContent || '';
    out.push({h: idx.h, v: idx.v, title: title.replace('¶', '').trim().slice(0, 60),
              fit: +(s.style.getPropertyValue('--fit') || 1), scrolls, height: s.scrollHeight,
              problems: [...new Set(problems)].slice(0, 4)});
  }
  return out;
}"""

# Runs in the page on a scrolling slide: reveal its fragments one by one; each must be in view.
_FRAGMENTS_IN_VIEW = """([h, v]) => {
  const R = window.__reveal;
  R.slide(h, v, -1);
  const s = R.getCurrentSlide();
  s.scrollTop = 0;
  const unseen = [];
  const n = s.querySelectorAll('.fragment').length;
  for (let i = 0; i < n; i++) {
    R.nextFragment();
    const box = s.getBoundingClientRect();
    for (const f of s.querySelectorAll('.fragment.current-fragment')) {
      const r = f.getBoundingClientRect();
      const inView = r.top >= box.top - 1 && r.top < box.bottom - 20 &&
                     (r.bottom <= box.bottom + 1 || r.height > box.height);
      if (!inView) unseen.push(`fragment ${i + 1} at ${Math.round(r.top)}..${Math.round(r.bottom)}` +
                               ` in a view ${Math.round(box.top)}..${Math.round(box.bottom)}`);
    }
  }
  return unseen;
}"""


def open_deck(context, deck: Path, size):
    page = context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    failed, errors = [], []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(deck.as_uri())
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    page.wait_for_function("() => +document.documentElement.dataset.deckFits > 0 && "
                           "(!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0)",
                           timeout=30_000)
    page.wait_for_timeout(400)                  # a last refit after MathJax is debounced
    page.evaluate(f"window.__reveal = ({_REVEAL})();"
                  "__reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    page.add_style_tag(content=".reveal .fragment { transition: none !important; }")
    return page, {"failed": failed, "errors": errors, "requests": requests}


def check_decks(folder: Path, context, size, shots: Path, page_check=None):
    """Open every deck of ``folder`` at ``size``: (problems, summary). Screenshots of every
    slide at the first size go to ``shots/<deck>/``; ``page_check(page, deck)`` adds problems
    (it runs after the page's requests are checked)."""
    problems, summary = [], {}
    for deck in sorted(folder.glob("*.slides.html")):
        page, seen = open_deck(context, deck, size)
        try:
            slides_seen = page.evaluate(_GEOMETRY, slides.deck_template.SLIDE_HEIGHT)
            for s in slides_seen:
                where = f"{deck.name} slide {s['h']}.{s['v']} ({s['title']!r})"
                problems += [f"{where}: {p}" for p in s["problems"]]
                if s["scrolls"]:
                    problems += [f"{where}: {p}" for p in
                                 page.evaluate(_FRAGMENTS_IN_VIEW, [s["h"], s["v"]])]
            if size == SIZES[0]:
                deck_shots = shots / deck.name.replace(".slides.html", "")
                shutil.rmtree(deck_shots, ignore_errors=True)
                deck_shots.mkdir(parents=True)
                for s in slides_seen:
                    page.evaluate(f"__reveal.slide({s['h']}, {s['v']}, 1000)")
                    page.screenshot(path=str(deck_shots / f"{s['h']:02d}-{s['v']:02d}.png"))
            outside = [u for u in seen["requests"]
                       if u.startswith("file:") and not u.startswith(folder.as_uri())]
            problems += [f"{deck.name} loads a file outside its folder: {u}" for u in outside]
            problems += [f"{deck.name} could not load {u}" for u in seen["failed"]]
            problems += [f"{deck.name}: script error {e}" for e in seen["errors"]]
            if page_check is not None:      # last: its DevTools calls may re-request the page
                problems += page_check(page, deck)
            summary[deck.name] = {
                "slides": len(slides_seen),
                "scrolling": [f"{s['h']}.{s['v']}" for s in slides_seen if s["scrolls"]],
                "shrunk": {f"{s['h']}.{s['v']}": s["fit"] for s in slides_seen if s["fit"] < 1}}
        finally:
            page.close()
    return problems, summary


@pytest.mark.timeout(2400)           # the first one may execute every notebook
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_slide_fits_offline(copied_decks, offline_browser, size):
    context, remote = offline_browser
    start = time.perf_counter()
    problems, summary = check_decks(copied_decks, context, size, SHOTS)
    TIMES[f"check at {size[0]}x{size[1]}"] = time.perf_counter() - start
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"summary-{size[0]}x{size[1]}.json").write_text(
        json.dumps({"decks": summary, "seconds": TIMES}, indent=1))
    assert not remote, f"the decks asked the network for: {sorted(set(remote))}"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])


# Runs in the page: the text nodes of the first slide that hold Hangul (their parent elements get
# a data attribute so that the test can ask Chromium which font drew them).
_MARK_HANGUL = """() => {
  const walker = document.createTreeWalker(document.querySelector('.reveal .slides'),
                                           NodeFilter.SHOW_TEXT);
  const marked = [];
  for (let n = walker.nextNode(); n && marked.length < 6; n = walker.nextNode()) {
    const el = n.parentElement;
    if (/[\uac00-\ud7a3]/.test(n.textContent) && el.offsetParent !== null &&
        !el.closest('script, style, .MJX_Assistive_MathML') && !el.dataset.hangulCheck) {
      el.dataset.hangulCheck = String(marked.length);
      marked.push(n.textContent.trim().slice(0, 40));
    }
  }
  return marked;
}"""


def hangul_font_problems(page, deck: Path) -> list[str]:
    """``<html lang="ko">``, the Hangul on the first slide drawn by a font that has it
    (Chromium's CSS.getPlatformFontsForNode), and the deck's own Hangul face
    (deck_template.HANGUL_CSS) loaded, i.e. used for it."""
    problems = []
    page.evaluate("__reveal.slide(0, 0, 1000)")
    if page.evaluate("document.documentElement.lang") != "ko":
        problems.append(f"{deck.name}: <html lang> is not 'ko'")
    marked = page.evaluate(_MARK_HANGUL)
    if not marked:
        return problems + [f"{deck.name}: no Hangul text on the first slide"]
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        for i, text in enumerate(marked):
            node = cdp.send("DOM.querySelector", {"nodeId": root,
                                                  "selector": f'[data-hangul-check="{i}"]'})
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
            names = [f["familyName"] for f in fonts]
            if not any(re.search(r"nanum|cjk|noto sans kr|malgun|gothic", n, re.I)
                       for n in names):
                problems.append(f"{deck.name}: {text!r} drawn with {names}, no Hangul font")
    finally:
        cdp.detach()
    faces = page.evaluate("[...document.fonts].filter(f => f.family.includes('Hangul'))"
                          ".map(f => f.family + ' ' + f.weight + ': ' + f.status)")
    if not any(f.endswith(": loaded") for f in faces):
        problems.append(f"{deck.name}: the deck's Hangul font face is not in use: {faces}")
    return problems


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_korean_decks_fit_offline_and_draw_hangul(copied_korean_decks, offline_browser, size):
    context, remote = offline_browser
    start = time.perf_counter()
    problems, summary = check_decks(copied_korean_decks, context, size, SHOTS / "ko",
                                    page_check=hangul_font_problems)
    TIMES[f"Korean check at {size[0]}x{size[1]}"] = time.perf_counter() - start
    (SHOTS / "ko").mkdir(parents=True, exist_ok=True)
    (SHOTS / "ko" / f"summary-{size[0]}x{size[1]}.json").write_text(
        json.dumps({"decks": summary, "seconds": TIMES}, indent=1))
    assert not remote, f"the Korean decks asked the network for: {sorted(set(remote))}"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])
