"""`leadscribe eval` on one real call and one synthetic call (tiny.en), and the HTML report
opened in headless Chromium: the plots must be real images."""
import json
from pathlib import Path

import pytest

from leadscribe.cli import main
from leadscribe.evaluate.datasets import write_dataset
from leadscribe.evaluate.importers import import_pyannote_sample
from leadscribe.evaluate.synth import generate_call

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def report_dir(eval_data, tmp_path_factory):
    import random

    folder = tmp_path_factory.mktemp("dataset")
    synthetic = generate_call(folder, "synth_e2e", random.Random(3), "stereo")
    write_dataset(folder, [*import_pyannote_sample(eval_data / "pyannote-audio"), synthetic], name="e2e", synthetic=False)
    out = tmp_path_factory.mktemp("report")
    assert main(["eval", str(folder), "--out", str(out), "--model", "tiny.en"]) == 0
    return out


@pytest.mark.slow
def test_report_json_holds_the_figures(report_dir):
    report = json.loads((report_dir / "report.json").read_text())
    calls = {c["id"]: c for c in report["calls"]}
    real, synthetic = calls["pyannote/sample"], calls["synth_e2e"]
    assert real["status"] == "done" and not real["synthetic"] and synthetic["synthetic"]
    # tiny.en on a narrowband phone call: some errors, but far from all words
    assert 0.0 < real["asr"]["error_rate"] < 0.8 and real["asr"]["reference_length"] > 50
    assert real["der"]["collar_0"]["der"] is not None and real["der"]["reference_speakers"] == 2
    # the synthetic call is dual-channel: diarization by channel should be near exact
    assert synthetic["der"]["collar_0.25"]["der"] < 0.35
    assert synthetic["speaker_count"]["correct"]
    summary = report["summary"]
    assert summary["asr"]["wer_pooled"]["files"] == 2
    assert set(summary["diarization"]) == {"2 speakers"}
    # Both calls say who said which words (sample.stm, the generator's turns): WDER is scored for each.
    assert 0.0 <= real["wder"]["wder"] < 0.5 and real["wder"]["words"] > 50
    assert synthetic["wder"]["words"] > 50
    assert summary["word_speakers"]["all"]["files"] == 2
    assert summary["entities"]["micro"]["expected"] == len(synthetic["entities"]["expected"]) > 10
    assert summary["crm"]["overall"]["expected"] == 17
    for name in ("wer_by_tag", "der_by_speakers", "entity_f1_by_type", "calibration"):
        assert (report_dir / f"{name}.png").stat().st_size > 1000


@pytest.mark.slow
def test_html_report_renders_with_plots(report_dir):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    html = report_dir / "report.html"
    assert "src='data:image/png;base64," in html.read_text()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(html.as_uri())
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        page.screenshot(path=str(report_dir / "report.png"), full_page=True)
        heading = page.inner_text("h1")
        browser.close()
    assert len(widths) == 4 and all(w > 0 for w in widths)
    assert "leadscribe evaluation" in heading
    assert (report_dir / "report.png").stat().st_size > 10_000
