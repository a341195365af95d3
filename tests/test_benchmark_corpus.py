"""The benchmark's corpus builder makes distinct documents that the pipeline still reads.

Timings themselves are measured by benchmarks/run.py, not asserted by tests."""
from __future__ import annotations

import hashlib
import importlib.util

import pytest

from conftest import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_corpus_is_distinct_half_pdf_and_readable(tmp_path):
    bench = _bench()
    files = bench.build_corpus(tmp_path / "c", 12)
    assert len(files) == 12 and sum(f.suffix == ".pdf" for f in files) == 6
    assert len({hashlib.sha256(f.read_bytes()).hexdigest() for f in files}) == 12
    from hmip_inspections.pipeline import refresh
    run = refresh([str(tmp_path / "c")], str(tmp_path / "b.duckdb"), workers=2)
    assert run.n_new == 12 and run.n_failed == 0 and run.n_duplicate == 0
    from conftest import query
    # text and PDF variants alike name renamed providers: their words differ, not only their bytes
    rows = query(tmp_path / "b.duckdb", "SELECT format, provider_name FROM documents WHERE provider_name IS NOT NULL")
    assert {f for f, _ in rows} == {"pdf", "text", "markdown"}
    assert not any(name in p for _, p in rows for name in bench.RENAMES)


def test_changed_pdf_has_new_words(tmp_path):
    """A PDF the benchmark changes is rewritten (its prose percentages move), not just appended to."""
    import pypdfium2 as pdfium
    bench = _bench()
    files = bench.build_corpus(tmp_path / "c", 2)
    pdf = files[0]

    def text(path):
        doc = pdfium.PdfDocument(str(path))
        try:
            return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        finally:
            doc.close()
    before = text(pdf)
    assert bench.change_files(files[:1], 1.0) == [pdf]
    after = text(pdf)
    assert after != before and after.count("per cent") == before.count("per cent") > 0


def test_summary_ratios_and_linearity():
    bench = _bench()
    res = {"corpus": {"documents": 200, "pdf_pages": 4000},
           "floor_pdfplumber": {"seconds": 500.0}, "floor_pypdfium2": {"seconds": 10.0},
           "full_1_workers": {"wall_seconds": 90.0, "peak_tree_mb": 400}, "full_2_workers": {"wall_seconds": 50.0, "peak_tree_mb": 500},
           "unchanged": {"wall_seconds": 1.0}, "changed_5pct": {"wall_seconds": 3.0},
           "scaling": {k: {"wall_seconds": s, "peak_process_mb": 250, "peak_tree_mb": 400}
                       for k, s in (("50", 14.0), ("100", 26.0), ("200", 50.0))}}
    res["one_changed"] = {"wall_seconds": 1.0}
    res["large"] = {"docs": 1000, "full_2_workers": {"wall_seconds": 250.0, "peak_process_mb": 280},
                    "changed_5pct": {"wall_seconds": 15.0}}
    bench.summarise(res)
    assert res["ratios"]["changed_5pct_over_full_at_1000_docs"] == 15.0 / 250.0
    assert res["ratios"]["speedup_2_workers_over_1"] == 90 / 50
    assert res["ratios"]["changed_5pct_beyond_fixed_over_full"] == (3.0 - 1.0) / 50
    assert res["scaling_marginal_seconds_per_document"] == {"50-100": 12 / 50, "100-200": 24 / 100}
    assert all(res["targets"].values())
    res["scaling"]["200"]["wall_seconds"] = 80.0          # superlinear growth is flagged
    bench.summarise(res)
    assert not res["targets"]["linear: marginal seconds per document within 25% across sizes"]
    res["scaling"]["200"]["peak_tree_mb"] = 600           # so is memory that grows with the corpus
    bench.summarise(res)
    assert not res["targets"]["memory does not grow with corpus size (peak at the largest size within 15% of the smallest)"]
    large = "memory does not grow from 200 to 1000 documents (largest process within 15%)"
    assert res["targets"][large]
    res["large"]["full_2_workers"]["peak_process_mb"] = 300    # nor from the benchmark's size to the large one
    bench.summarise(res)
    assert not res["targets"][large]
    res["changed_5pct"]["wall_seconds"] = 4.5             # and a 5% change that costs 9%
    bench.summarise(res)
    assert not res["targets"]["5% changed costs about 5% of full (at most 7.5%)"]


def test_tree_memory_counts_shared_pages_once():
    import os
    bench = _bench()
    blob = bytearray(64 * 1024 * 1024)         # 64 MB the parent has touched
    blob[::4096] = b"x" * len(blob[::4096])
    pid = os.fork()
    if pid == 0:                               # the child shares the blob's pages until it writes them
        import time
        time.sleep(3)
        os._exit(0)
    try:
        import time
        time.sleep(0.5)
        me, child = os.getpid(), pid
        rss = bench._rss_kb(me) + bench._rss_kb(child)
        pss = bench._pss_kb(me) + bench._pss_kb(child)
        assert bench._pss_kb(me) > 0
        # RSS counts the 64 MB twice; PSS splits them between the two processes
        assert rss - pss > 48 * 1024
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


#: the tables a variant must read exactly as its source does. Prose (sentences, page texts, key facts)
#: is not compared: a longer or shorter name changes its line's width, and a footnote marker printed
#: after the name may then read as a separate word
VARIANT_TABLES = ("standard_ratings", "key_questions", "prompts", "workforce", "recommendations",
                  "previous_recommendations", "other_tables", "case_samples")


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "corpus" / "pdf").glob("*.pdf")))
def test_a_pdf_variant_reads_as_its_source_but_for_the_provider(tmp_path, name):
    """The benchmark's PDF variants are real documents: with the provider renamed (and no figure moved:
    variant 3 shifts percentages by 3 % 3 = 0) every data table reads as from the source once the old
    name is put back, and the document is classified and rated alike."""
    from hmip_inspections.pipeline.process import process_file
    bench = _bench()
    src, out = ROOT / "corpus" / "pdf" / name, tmp_path / name
    assert bench.pdf_variant(src, out, 3) > 0
    back = {bench.variant_name(new, 3): old for old, new in bench.RENAMES.items()}

    def rows(path):
        res = process_file(str(path), "d")["rows"]
        doc = res["documents"][0]
        out = {t: repr(res[t]) for t in VARIANT_TABLES}
        out["documents"] = repr({k: doc[k] for k in ("status", "kind", "provider_name", "overall_rating", "score",
                                                       "score_max", "published_year", "fieldwork_start")})
        for t, text in out.items():
            for new, old in back.items():
                text = text.replace(new, old)
            out[t] = text
        return out
    a, b = rows(src), rows(out)
    assert any(old in a["documents"] for old in bench.RENAMES)
    assert {t for t in a if a[t] != b[t]} == set()


def test_a_repeated_run_counts_its_median_and_keeps_every_time():
    bench = _bench()
    times = iter([2.0, 1.0, 9.0, 1.5, 3.0])
    prepared = []
    res, last = bench.repeated(5, lambda: prepared.append(1) or len(prepared), lambda: {"wall_seconds": next(times)})
    assert len(prepared) == 5 and last == 5
    assert res["wall_seconds"] == 2.0 and res["repeats_wall_seconds"] == [1.0, 1.5, 2.0, 3.0, 9.0]
