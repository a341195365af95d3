"""What ``inspections refresh`` prints: a line per document as it is extracted, then a summary."""
from __future__ import annotations

import sys
from collections import Counter

from ..pipeline import Progress, RefreshResult


def plural(n: int, word: str) -> str:
    """'1 document', '2 documents'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def print_progress(ev: Progress, err=None) -> None:
    """Print one progress event of a refresh on stderr."""
    err = err or sys.stderr
    if ev.event == "start":
        print(f"Extracting {ev.total} of {plural(ev.seen, 'document')} with {plural(ev.workers, 'worker')}...",
              file=err, flush=True)
    elif ev.event == "document":
        msg = f"  [{ev.done}/{ev.total}] {ev.document_id}: {ev.status} {ev.kind or '-'} ({ev.seconds:.1f}s)"
        if ev.error:
            msg += f" - {ev.error}"
        print(msg, file=err, flush=True)
    elif ev.event == "warning":
        print(f"warning: {ev.message}", file=err, flush=True)


def print_summary(run: RefreshResult, out=None) -> None:
    """Print what a refresh did: counts, then one line per stored document."""
    out = out or sys.stdout
    print(f"{run.db}: {plural(run.n_seen, 'document')} seen in {run.seconds:.1f}s"
          + (" - nothing changed, nothing redone" if run.nothing_changed else ""), file=out)
    print(f"  new {run.n_new}, changed {run.n_changed}, unchanged {run.n_unchanged}, "
          f"failed {run.n_failed}, missing {run.n_missing}"
          + (f", duplicates {run.n_duplicate} (same content under another name)" if run.n_duplicate else ""),
          file=out)
    by = Counter((d.status, d.kind or "-") for d in run.documents)
    print("  by kind: " + ", ".join(f"{k} ({st}) {n}" for (st, k), n in sorted(by.items())), file=out)
    done = Counter(d.completeness for d in run.documents if d.completeness)
    if done:
        print(f"  read completely: {done['complete']} of {sum(done.values())} report documents"
              + (f"; {done['partial']} read in part (see extraction_checks)" if done["partial"] else ""), file=out)
    w = max((len(d.document_id) for d in run.documents), default=10)
    for d in run.documents:
        sc = f"{d.score}/{d.score_max}" if d.score is not None else ""
        line = (f"  {d.document_id:<{w}}  {d.status:<12} {d.kind or '-':<28} {(d.provider_name or '')[:40]:<40} "
                f"{d.overall_rating or ''} {sc}").rstrip()
        if d.error and d.status != "ok":
            line += f"\n  {'':<{w}}  -> {d.error}"
        if d.completeness == "partial":
            line += f"\n  {'':<{w}}  -> read in part ({plural(len(d.checks), 'extraction check')}): "
            line += "; ".join(d.checks[:3]) + ("; ..." if len(d.checks) > 3 else "")
        print(line, file=out)
