"""The course the way a person meets it, in a real browser (Debian's chromium via Playwright):

- JupyterLab: open notebook 02, run all cells, wait for the kernel to go idle, move the
  convolution stepper's slider with the keyboard, and check the value it shows is what
  cnncourse.ops computes for that step; screenshot in test-artifacts/.
- A built slide deck, opened from the file system with no network: reveal.js starts, speaker
  notes are there, two slides forward; screenshot in test-artifacts/.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from cnncourse import ops, slides
from cnncourse.widgets.conv_stepper import OUTPUT_VALUE_CLASS, ConvStepper, format_value

from .test_lab import REPO, running_lab
from .test_slides import NOTE_TEXT, make_tiny_notebook

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"no chromium at {CHROMIUM}: 'sudo apt-get install chromium' "
                              "(make setup does it when run as root)"),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A fresh headless chromium profile (no cached state, no sync, no first-run pages)."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900})
        try:
            yield context
        finally:
            context.close()


def _watch(page) -> dict:
    """Collect page errors and every request that leaves the file system / the local server."""
    seen = {"errors": [], "requests": [], "failed": []}
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("requestfailed", lambda req: seen["failed"].append(req.url))
    page.on("request", lambda req: seen["requests"].append(req.url))
    return seen


# ------------------------------------------------------------------------------------------
# JupyterLab and notebook 02's convolution stepper
# ------------------------------------------------------------------------------------------
NOTEBOOK_02 = "notebooks/02_convolution_math.ipynb"

# The first ConvStepper notebook 02 displays: equation (4.10)'s 1D example of the slides
# (document 003). The test builds the same stepper to know what the page must show; the source
# lines below must appear in the notebook, so a change there fails here with a clear message.
STEPPER_02_SOURCE = ["z = np.array([1., 3., 2., 5., 4., 0., 1.])",
                     "u = np.array([1., 2., -1.])",
                     "ConvStepper(z, u, padding=1)"]


def first_stepper_of_notebook_02() -> ConvStepper:
    z = np.array([1., 3., 2., 5., 4., 0., 1.])
    u = np.array([1., 2., -1.])
    return ConvStepper(z, u, padding=1)


def _first_stepper_cell_matches(path: Path) -> None:
    import nbformat
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    first = next((i for i, src in enumerate(code) if "ConvStepper(" in src), None)
    assert first is not None, f"{NOTEBOOK_02} displays no ConvStepper"
    before = "\n".join(code[:first + 1])
    for line in STEPPER_02_SOURCE:
        assert line in before, (f"{NOTEBOOK_02}'s first ConvStepper no longer uses {line!r}; "
                                "update first_stepper_of_notebook_02() in this test")


_NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.sessionContext || !panel.content || !panel.content.widgets) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const code = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  for (const c of code) for (let i = 0; i < c.model.outputs.length; i++) {
    const o = c.model.outputs.get(i);
    if (o.type === 'error') errors.push(JSON.stringify(o.toJSON()).slice(0, 2000));
  }
  return {path: panel.context.path, kernel: kernel ? kernel.status : 'none',
          pending: code.filter(c => c.model.executionCount === null).length,
          total: code.length, errors};
}"""


def _notebook_state(page):
    return page.evaluate(_NOTEBOOK_STATE)


def run_all_and_wait(page, notebook: str, timeout: float = 150.0) -> dict:
    """Run every cell of the open notebook; return once all ran and the kernel is idle."""
    deadline = time.monotonic() + 60
    while True:                       # the kernel starts on its own (autoStartDefaultKernel)
        state = _notebook_state(page)
        if state and state["path"] == notebook and state["kernel"] == "idle":
            break
        assert time.monotonic() < deadline, f"kernel never became idle: {state}"
        page.wait_for_timeout(500)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + timeout
    while True:
        page.wait_for_timeout(1000)
        state = _notebook_state(page)
        assert not state["errors"], f"{notebook}: a cell failed in the browser: {state['errors']}"
        if state["pending"] == 0 and state["kernel"] == "idle":
            return state
        assert time.monotonic() < deadline, f"{notebook} did not finish in {timeout:.0f}s: {state}"


def drive_stepper(browser, tmp: Path, root: Path, notebook: str, make_stepper, shot: Path):
    """Open ``notebook`` in JupyterLab, run it, press ArrowRight on the first stepper's
    slider and check the value shown against ``make_stepper()`` and cnncourse.ops."""
    with running_lab(tmp, extra_flags=["--LabApp.expose_app_in_browser=True"],
                     root=root) as (base, token):
        page = browser.new_page()
        seen = _watch(page)
        try:
            page.goto(f"{base}/lab/tree/{notebook}?token={token}")
            state = run_all_and_wait(page, notebook)
            value = page.locator(f".{OUTPUT_VALUE_CLASS}").first
            value.wait_for(state="visible", timeout=30_000)
            box = value.locator("xpath=ancestor::div[contains(@class,'widget-hbox')][1]")
            handle = box.locator(".noUi-handle").first
            handle.scroll_into_view_if_needed()
            before = value.inner_text()

            expected = make_stepper()
            start = expected.step.value
            assert re.sub(r"\s+", " ", before).strip() == _shown(expected), before

            handle.focus()
            page.keyboard.press("ArrowRight")
            expected.step.value = start + 1
            want = _shown(expected)
            page.wait_for_function(
                "([el, want]) => el.innerText.replace(/\\s+/g, ' ').trim() === want",
                arg=[value.element_handle(), want], timeout=20_000)
            after = re.sub(r"\s+", " ", value.inner_text()).strip()

            # The stepper's number is the convolution cnncourse.ops computes at that position.
            full = (ops.conv1d(expected.x, expected.w, expected.b, stride=expected.stride,
                               padding=expected.pads[0]) if expected.kind == "1d"
                    else ops.conv2d(expected.x, expected.w, expected.b, stride=expected.stride,
                                    padding=expected.pads) if expected.kind == "2d"
                    else ops.conv2d(expected.x, expected.w[..., None], expected.b,
                                    stride=expected.stride, padding=expected.pads)[..., 0])
            ops_value = full[expected.position()]
            assert after.endswith(f"= {format_value(ops_value)}"), (after, ops_value)
            assert after != re.sub(r"\s+", " ", before).strip()

            shot.parent.mkdir(parents=True, exist_ok=True)
            box.locator("xpath=..").scroll_into_view_if_needed()
            page.screenshot(path=str(shot))
            assert not seen["errors"], seen["errors"]
            return {"before": before, "after": after, "cells": state["total"]}
        finally:
            page.close()


def _shown(stepper: ConvStepper) -> str:
    """The text the value widget shows for the stepper's current step."""
    index = ", ".join(str(k) for k in stepper.position())
    return f"s({index}) = {format_value(stepper.current_value())}"


@pytest.mark.timeout(240)
def test_notebook_02_stepper_moves_to_the_ops_value(browser, tmp_path):
    path = REPO / NOTEBOOK_02
    assert path.exists(), f"{NOTEBOOK_02} is missing"
    _first_stepper_cell_matches(path)
    committed = path.read_bytes()
    drive_stepper(browser, tmp_path, REPO, NOTEBOOK_02, first_stepper_of_notebook_02,
                  ARTIFACTS / "notebook02_conv_stepper.png")
    assert path.read_bytes() == committed, "the browser test modified the committed notebook"


# ------------------------------------------------------------------------------------------
# A built deck, offline
# ------------------------------------------------------------------------------------------
_REVEAL = ("() => require(Object.keys(require.s.contexts._.defined)"
           ".find(k => k.endsWith('dist/reveal.js')))")


def step_through_deck(browser, deck: Path, shot: Path, key: str = "ArrowRight") -> dict:
    """Open a deck from the file system, press ``key`` twice (ArrowRight: next horizontal
    slide; Space: next step in reading order), return positions, notes and MathJax presence."""
    page = browser.new_page()
    seen = _watch(page)
    try:
        page.goto(deck.resolve().as_uri())
        page.wait_for_selector(".reveal.ready", timeout=30_000)
        page.evaluate(f"window.__reveal = ({_REVEAL})()")
        assert page.evaluate("__reveal.hasPlugin('notes')"), "speaker notes plugin not loaded"
        positions = [page.evaluate("__reveal.getIndices()")]
        notes = [page.evaluate("__reveal.getSlideNotes()")]
        for _ in range(2):
            page.keyboard.press(key)
            page.wait_for_function("([h, v, f]) => { const i = __reveal.getIndices();"
                                   " return i.h !== h || i.v !== v || i.f !== f; }",
                                   arg=[positions[-1]["h"], positions[-1]["v"],
                                        positions[-1].get("f")], timeout=10_000)
            positions.append(page.evaluate("__reveal.getIndices()"))
            notes.append(page.evaluate("__reveal.getSlideNotes()"))
        page.wait_for_timeout(500)               # let the transition finish for the picture
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        remote = [u for u in seen["requests"] if not u.startswith(("file:", "data:", "blob:"))]
        assert not remote, f"the deck asked the network for: {remote}"
        assert not seen["failed"], f"the deck could not load: {seen['failed']}"
        assert not seen["errors"], seen["errors"]
        mathjax = page.evaluate("typeof MathJax !== 'undefined' && !!MathJax.Hub")
        return {"positions": positions, "notes": notes, "mathjax": mathjax}
    finally:
        page.close()


def speaker_view_notes(browser, deck: Path) -> str:
    """Press 's' on the deck's first slide and return the notes the speaker window shows."""
    page = browser.new_page()
    try:
        page.goto(deck.resolve().as_uri())
        page.wait_for_selector(".reveal.ready", timeout=30_000)
        with browser.expect_page(timeout=15_000) as opened:
            page.keyboard.press("s")
        speaker = opened.value
        try:
            notes = speaker.locator(".speaker-controls-notes .value")
            notes.wait_for(state="attached", timeout=15_000)
            speaker.wait_for_function(
                "() => document.querySelector('.speaker-controls-notes .value')"
                ".innerText.trim().length > 0", timeout=15_000)
            return notes.inner_text()
        finally:
            speaker.close()
    finally:
        page.close()


@pytest.mark.timeout(120)
def test_built_deck_steps_through_two_slides_offline(browser, tmp_path):
    notebook = make_tiny_notebook(tmp_path / "01_tiny.ipynb")
    decks, errors = slides.build_decks([notebook], tmp_path / "slides",
                                       cache_dir=tmp_path / "executed", log=lambda *a: None)
    assert not errors, errors
    result = step_through_deck(browser, decks[0], ARTIFACTS / "deck_tiny_slide3.png")
    assert [p["h"] for p in result["positions"]] == [0, 1, 2]
    assert NOTE_TEXT in result["notes"][0]            # speaker notes travel with the slide
    assert result["mathjax"]
    assert NOTE_TEXT in speaker_view_notes(browser, decks[0])   # and show in the speaker view


# ------------------------------------------------------------------------------------------
# The live slideshow (jupyterlab-rise) inside our JupyterLab
# ------------------------------------------------------------------------------------------
@pytest.mark.timeout(150)
def test_rise_live_slideshow_opens_and_advances(browser, tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    make_tiny_notebook(root / "01_tiny.ipynb")
    with running_lab(tmp_path / "lab", root=root) as (base, token):
        page = browser.new_page()
        seen = _watch(page)
        try:
            page.goto(f"{base}/rise/01_tiny.ipynb?token={token}")
            page.wait_for_selector(".reveal.ready", timeout=60_000)
            slides_shown = page.locator(".reveal .slides > section")
            assert slides_shown.count() == 4, slides_shown.count()
            first = page.locator(".reveal .slides > section.present").inner_text()
            assert "Tiny deck" in first
            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => { const s = document.querySelector("
                                   "'.reveal .slides > section.present');"
                                   " return s && s.innerText.includes('ops.conv1d'); }",
                                   timeout=15_000)
            page.wait_for_timeout(1500)          # let the slide transition finish
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "rise_slide2.png"))
        finally:
            page.close()


@pytest.mark.timeout(180)
def test_lecture_deck_of_notebook_00_offline(browser, tmp_path):
    """A real lecture deck (the welcome chapter) built, opened offline and stepped."""
    notebook = REPO / "notebooks" / "00_welcome.ipynb"
    assert notebook.exists(), f"{notebook} is missing"
    decks, errors = slides.build_decks([notebook], tmp_path / "slides",
                                       cache_dir=tmp_path / "executed", log=lambda *a: None)
    assert not errors, errors
    result = step_through_deck(browser, decks[0], ARTIFACTS / "deck_00_welcome.png", key="Space")
    positions = [(p["h"], p["v"], p.get("f")) for p in result["positions"]]
    assert len(set(positions)) == 3, positions
    assert result["mathjax"]


# ------------------------------------------------------------------------------------------
# A fresh `make lab`: no news pop-up (tools/lab-setup.py's settings overrides)
# ------------------------------------------------------------------------------------------
NEWS_QUESTION = "official Jupyter news"


@pytest.mark.timeout(240)
def test_no_news_popup_on_a_fresh_start(browser, tmp_path, monkeypatch):
    """JupyterLab 4 asks "Would you like to get notified about official Jupyter news?" on a fresh
    start even with --LabApp.news_url=None (checked here first, so the test can fail); with the
    overrides tools/lab-setup.py writes into the venv's app settings it does not."""
    from . import test_lab

    monkeypatch.setattr(test_lab, "TEST_SETTINGS", {})        # a fresh user: no settings at all
    settings = tmp_path / "prefix" / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True)
    with running_lab(tmp_path / "lab", extra_flags=[f"--LabApp.app_settings_dir={settings}"]) \
            as (base, token):
        def question_shown() -> bool:
            page = browser.new_page()
            try:
                page.goto(f"{base}/lab?token={token}")
                page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
                try:
                    page.get_by_text(NEWS_QUESTION).first.wait_for(timeout=8_000)
                    return True
                except Exception:       # noqa: BLE001 - playwright's TimeoutError: not shown
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / "lab_fresh_start_no_news.png"))
                    return False
            finally:
                page.close()

        assert question_shown(), "the control failed: JupyterLab no longer asks about news"
        test_lab._lab_setup().install(tmp_path / "prefix")
        assert not question_shown(), "the news question still appears with lab-setup's overrides"


# ------------------------------------------------------------------------------------------
# The screenshot tour (`make screenshots`): every lecture notebook with a widget, run in
# JupyterLab as `make lab` starts it; one screenshot per widget in test-artifacts/tour/
# ------------------------------------------------------------------------------------------
TOUR = ARTIFACTS / "tour"
_WIDGET_CALL = re.compile(r"\b(ConvStepper|PoolingStepper|PaddingExplorer|SizePlayground|"
                          r"KernelLab)\(|widgets\.interact\(")


def notebooks_with_widgets() -> list[str]:
    import nbformat
    found = []
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and _WIDGET_CALL.search(c.source) for c in nb.cells):
            found.append(f"notebooks/{path.name}")
    return found


# Outputs a student should not see: anything on stderr (library logs, warnings).
_STDERR_OUTPUTS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  panel.content.widgets.forEach((c, i) => {
    if (c.model.type !== 'code') return;
    for (let k = 0; k < c.model.outputs.length; k++) {
      const o = c.model.outputs.get(k).toJSON();
      if (o.output_type === 'stream' && o.name === 'stderr')
        found.push([i, String(o.text).slice(0, 300)]);
    }
  });
  return found;
}"""


@pytest.mark.skipif(not os.environ.get("CNNCOURSE_TOUR"),
                    reason="the screenshot tour runs with `make screenshots` (CNNCOURSE_TOUR=1, or "
                           "CNNCOURSE_TOUR=00,05 for some chapters)")
@pytest.mark.timeout(1800)
def test_screenshot_tour(browser, tmp_path):
    from .test_lab import _lab_setup

    prefix = tmp_path / "prefix"
    _lab_setup().install(prefix)                      # the kernel `make lab` registers
    shutil.rmtree(TOUR, ignore_errors=True)
    TOUR.mkdir(parents=True)
    taken, noise = [], []
    with running_lab(tmp_path / "lab", extra_flags=["--LabApp.expose_app_in_browser=True"],
                     env={"JUPYTER_PATH": str(prefix / "share" / "jupyter")}) as (base, token):
        only = os.environ["CNNCOURSE_TOUR"]              # "1": all; "00,05": those chapters
        for notebook in notebooks_with_widgets():
            if only != "1" and not Path(notebook).name.startswith(tuple(only.split(","))):
                continue
            stem = Path(notebook).stem
            page = browser.new_page()
            try:
                page.goto(f"{base}/lab/tree/{notebook}?token={token}")
                run_all_and_wait(page, notebook, timeout=900)
                noise += [(notebook, *o) for o in page.evaluate(_STDERR_OUTPUTS)]
                page.wait_for_timeout(1000)
                cells = page.locator(".jp-Notebook .jp-CodeCell").filter(
                    has=page.locator(".jp-OutputArea-output .jupyter-widgets"))
                for k in range(cells.count()):
                    cell = cells.nth(k)
                    cell.scroll_into_view_if_needed()
                    page.wait_for_timeout(500)
                    shot = TOUR / f"{stem}-widget{k + 1}.png"
                    cell.screenshot(path=str(shot))
                    taken.append(shot.name)
                if stem.startswith("00"):           # the speaker notes, collapsed for students
                    all_cells = page.locator(".jp-Notebook .jp-Cell")
                    for index in (2, 12):
                        all_cells.nth(index).evaluate("e => e.scrollIntoView({block: 'center'})")
                        page.wait_for_timeout(500)
                        page.screenshot(path=str(TOUR / f"{stem}-notes-cell{index}.png"))
            finally:
                page.close()
        page = browser.new_page()
        try:                                              # the terminal's self-check
            page.goto(f"{base}/lab?token={token}")
            page.wait_for_function("() => window.jupyterapp && "
                                   "window.jupyterapp.commands.hasCommand('terminal:create-new')",
                                   timeout=60_000)
            page.evaluate("async () => { await window.jupyterapp.restored; "
                          "await window.jupyterapp.commands.execute('terminal:create-new'); }")
            page.wait_for_selector(".jp-Terminal .xterm", timeout=90_000)
            page.wait_for_timeout(2000)
            page.locator(".jp-Terminal").click()
            page.keyboard.type("pytest -q --nbval-lax exercises/02_convolution.ipynb | tail -5\n")
            page.wait_for_timeout(45_000)
            page.screenshot(path=str(TOUR / "terminal_self_check.png"))
        finally:
            page.close()
    print(f"tour: {len(taken)} widget screenshots in {TOUR}: {taken}")
    assert not noise, f"stderr output in JupyterLab (library log noise?): {noise}"
    assert taken, "no widget was found"


# ------------------------------------------------------------------------------------------
# The Korean edition: notebook 05 in JupyterLab, its pooling stepper in Korean
# ------------------------------------------------------------------------------------------
NOTEBOOK_05_KO = "notebooks/ko/05_pooling.ipynb"
SHIFT_KO = "입력을 오른쪽으로 1픽셀 이동"           # PoolingStepper's shift button, in Korean
# What the stepper's controls and status lines say in the Korean edition (written out by hand)
STEPPER_05_KO = ["방식", "최대 풀링", "평균 풀링", "풀 크기 F", "스트라이드 S", "윈도우",
                 "최대 풀링은 입력 값", "오른쪽으로 한 픽셀 이동"]


def _first_cell_with(path: Path, text: str) -> int:
    import nbformat
    cells = nbformat.read(path, as_version=4).cells
    return next(i for i, c in enumerate(cells) if text in c.source)


@pytest.mark.timeout(300)
def test_korean_notebook_05_runs_and_its_stepper_speaks_korean(browser, tmp_path):
    """Open the Korean edition of chapter 05, run it, press the last pooling stepper's shift
    button (in Korean) and check the controls, the status lines and the redrawn figure; no cell
    warned of a glyph missing from the fonts. Screenshot: test-artifacts/ko_05_pooling_*.png."""
    path = REPO / NOTEBOOK_05_KO
    assert path.exists(), f"{NOTEBOOK_05_KO} is missing: cnncourse i18n build"
    committed = path.read_bytes()
    with running_lab(tmp_path, extra_flags=["--LabApp.expose_app_in_browser=True"],
                     root=REPO) as (base, token):
        page = browser.new_page()
        seen = _watch(page)
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK_05_KO}?token={token}")
            run_all_and_wait(page, NOTEBOOK_05_KO, timeout=240)
            stderr = page.evaluate(_STDERR_OUTPUTS)
            assert not [o for o in stderr if "Glyph" in o[1] or "missing from" in o[1]], stderr

            button = page.locator("button.widget-toggle-button", has_text=SHIFT_KO).last
            button.wait_for(state="visible", timeout=30_000)
            output = button.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
            output.scroll_into_view_if_needed()
            text = output.inner_text()
            for want in STEPPER_05_KO:
                assert want in text, (want, text)
            assert "shift input" not in text and "max pooling" not in text, text

            figure = output.locator("img").first
            before = figure.get_attribute("src")
            button.click()
            page.wait_for_function("([img, before]) => img.src !== before",
                                   arg=[figure.element_handle(), before], timeout=30_000)
            assert "mod-active" in (button.get_attribute("class") or "")
            assert "Error" not in output.inner_text()

            ARTIFACTS.mkdir(exist_ok=True)
            page.wait_for_timeout(500)
            output.screenshot(path=str(ARTIFACTS / "ko_05_pooling_stepper.png"))
            # a figure the notebook draws itself, titled in Korean ("입력 4x4", ...)
            page.evaluate("async (i) => { const nb = window.jupyterapp.shell.currentWidget"
                          ".content; await nb.scrollToItem(i, 'start'); }",
                          _first_cell_with(path, 'title="입력 4x4"'))
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "ko_05_pooling_plot.png"))
            assert not seen["errors"], seen["errors"]
        finally:
            page.close()
    assert path.read_bytes() == committed, "the browser test modified the committed notebook"
