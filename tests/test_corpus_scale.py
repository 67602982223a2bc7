"""benchmarks/corpus_scale.py: the byte-variants that grow a corpus are new documents that read the same."""

import hashlib
from pathlib import Path

from conftest import SAMPLES


def test_variants_are_distinct_documents_that_extract_the_same(tmp_path):
    from corpus_scale import CorpusFile, build_corpus

    from pipelines.extract.dispatch import extract_document
    from pipelines.lake import document_kind

    bases = [CorpusFile(f.relative_to(SAMPLES), f) for f in sorted(SAMPLES.rglob("*")) if f.is_file()]
    built = build_corpus(tmp_path, 2 * len(bases) + 3, bases)

    assert len(built) == 2 * len(bases) + 3
    digests = {hashlib.sha256((tmp_path / f.rel).read_bytes()).hexdigest() for f in built}
    assert len(digests) == len(built)
    # every base once, then two rounds of variants, the third only begun
    rounds = [f.rel.parts[1] if f.rel.parts[0] == "variants" else "v0" for f in built]
    assert [rounds.count(k) for k in ("v0", "v1", "v2", "v3")] == [len(bases), len(bases), 3, 0]
    # a variant keeps its folder (a filing stays a filing) and reads like its source
    for variant in (f for f in built if f.rel.parts[:2] == ("variants", "v2")):
        kind = document_kind(variant.rel)
        assert kind == document_kind(variant.source.relative_to(SAMPLES)) != "unsupported"
        original = extract_document(variant.source, kind, "d")
        copy = extract_document(tmp_path / variant.rel, kind, "d")
        assert [c["text"] for c in copy.cells] == [c["text"] for c in original.cells]
        assert [f["value"] for f in copy.facts] == [f["value"] for f in original.facts]
        assert copy.rejects == original.rejects and copy.pages == original.pages
        assert len(original.cells) + len(original.facts) > 0, variant.source
    assert Path(tmp_path / "variants" / "v1" / "filings").is_dir()
