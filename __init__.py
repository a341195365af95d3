"""hmip_inspections: HM Inspectorate of Probation reports to a clean, audited DuckDB database.

The stages, in the order data flows through them:

- ``extract``: read a report (PDF, text, markdown, saved web page) and find its structures, with
  provenance (document, page, line);
- ``normalise``: one vocabulary for ratings, standard codes, numbers and metrics; the inspectorate's
  rules as reference data (``normalise/reference/``);
- ``store``: the DuckDB file, written to a copy and published atomically;
- ``audit``: the named rules that check each report against the inspectorate's rules and itself;
- ``report``: the static HTML site and the accuracy against gold files;
- ``pipeline``: the refresh that runs the stages over a corpus (``pipeline.refresh``);
- ``cli``: the ``inspections`` command, argument parsing and printing only.
"""
from pathlib import Path

#: the installed package's folder: queries/, corpus/ and the stages sit side by side in it
PACKAGE_ROOT = Path(__file__).resolve().parent
#: the embedded corpus, refreshed when no path is given
DEFAULT_CORPUS = PACKAGE_ROOT / "corpus"

try:
    from importlib.metadata import version as _version
    __version__ = _version("hmip-inspections")
except Exception:  # not installed (run from a checkout)
    __version__ = "0.0.0"
