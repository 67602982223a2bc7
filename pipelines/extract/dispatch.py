"""Route a registered document to the reader for its kind."""

from __future__ import annotations

from pathlib import Path

from pipelines.extract.filings import extract_companyfacts
from pipelines.extract.inflation import inflation_problem
from pipelines.extract.layout import Extraction
from pipelines.extract.pdf import extract_pdf
from pipelines.extract.spreadsheet import extract_spreadsheet
from pipelines.extract.text import extract_text


def extract_document(path: Path, kind: str, doc_id: str) -> Extraction:
    """Read one document; any failure becomes a reject on the returned Extraction."""
    if not path.exists():
        result = Extraction(doc_id)
        result.reject("missing file", f"{path} is no longer in raw/")
        return result
    try:
        if kind in {"report_pdf", "filing_pdf"}:
            bomb = inflation_problem(path.read_bytes())
            if bomb:
                result = Extraction(doc_id)
                result.reject("decompression ratio", bomb)
                return result
            result = extract_pdf(path, doc_id)
            if any(r["detail"].startswith("MemoryError") for r in result.rejects):
                raise MemoryError("a page ran out of memory")  # the document's budget, not the page's
            return result
        if kind == "companyfacts":
            return extract_companyfacts(path, doc_id)
        if kind == "spreadsheet":
            return extract_spreadsheet(path, doc_id)
        if kind == "unsupported":
            result = Extraction(doc_id)
            result.reject("unsupported file type",
                          f"{path.name}: rdw reads PDF, text/markdown/TSV/HTML, companyfacts JSON, "
                          ".xlsx and .csv; this file is listed but not read")
            return result
        return extract_text(path, doc_id)
    except MemoryError:
        raise  # the worker reports it as the document's memory limit
    except Exception as exc:  # a reader bug must not stop the other documents
        if isinstance(exc.__cause__ or exc.__context__, MemoryError):
            raise MemoryError(str(exc)) from exc
        result = Extraction(doc_id)
        result.reject("extractor failed", f"{type(exc).__name__}: {exc}"[:500])
        return result
