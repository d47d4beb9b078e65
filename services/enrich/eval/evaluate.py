"""Measure the offline `local` provider against the curator labels of the real calls.

Reads each ``NNN.txt`` of the shared sample data in place (never copied into the repository), builds a
`RawCall` (URL from the ``URL:`` line, language from ``LANG:``, title = first non-empty line, text = the
rest), enriches it, compares with ``labels.json`` and prints per-field figures and the mismatches. Exits 1
when a target is missed, 0 otherwise (also when the sample data is absent: it says so and skips).

    uv run python services/enrich/eval/evaluate.py [CALLS_DIR]
"""

import hashlib
import json
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from boi_enrich.providers.local import LocalProvider
from boi_shared.events import Enrichment, RawCall, SourceRef

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.json"
REPO = HERE.parents[2]
CALLS = Path(os.environ.get("BOI_SHARED_DATA", REPO.parent / "shared" / "data")) / "calls"

TARGETS = {"type": 0.85, "deadline": 0.90, "invented": 0, "eligibility_wrong": 1}


def load_call(path: Path) -> RawCall:
    """A call file as the ingest service would hand it over."""
    url, lang, body = "", None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not url and line.startswith("URL:"):
            url = line[4:].strip()
        elif lang is None and line.startswith("LANG:"):
            lang = line[5:].strip() or None
        else:
            body.append(line)
    text = "\n".join(body).strip()
    title, _, rest = text.partition("\n")
    digest = hashlib.sha256(text.encode()).hexdigest()
    return RawCall(
        url=url,
        title=title.strip(),
        text=rest.strip(),
        language=lang,
        content_hash=digest,
        sources=[SourceRef(source_id="eval", source_type="manual", item_url=url)],
    )


def normalize(name: str | None) -> str:
    """Lower case, no accents, no leading article, letters and digits only."""
    if not name:
        return ""
    text = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)).lower()
    text = re.sub(r"^(?:the|la|el|los|las)\s+", "", text.strip())
    return re.sub(r"[^a-z0-9]", "", text)


def funder_matches(predicted: str | None, expected: str | None) -> bool:
    p, e = normalize(predicted), normalize(expected)
    return bool(p and e) and (p in e or e in p)


@dataclass
class Report:
    calls: int = 0
    type_ok: int = 0
    dated: int = 0
    deadline_ok: int = 0
    invented: int = 0
    deadline_wrong: int = 0
    eligibility_ok: int = 0
    eligibility_wrong: int = 0
    eligibility_unknown: int = 0
    funder_ok: int = 0
    amount_ok: int = 0
    amounts: int = 0
    seconds: float = 0.0
    mismatches: list[tuple[str, str, str, str]] = field(default_factory=list)

    def ratio(self, ok: int, n: int) -> float:
        return ok / n if n else 1.0

    def failures(self) -> list[str]:
        out = []
        if self.ratio(self.type_ok, self.calls) < TARGETS["type"]:
            out.append("call type accuracy below target")
        if self.ratio(self.deadline_ok, self.dated) < TARGETS["deadline"]:
            out.append("deadline accuracy below target")
        if self.invented > TARGETS["invented"]:
            out.append("invented deadlines")
        if self.eligibility_wrong > TARGETS["eligibility_wrong"]:
            out.append("too many wrong Colombia verdicts")
        return out

    def render(self) -> str:
        def pct(ok: int, n: int) -> str:
            return f"{ok}/{n} = {100 * self.ratio(ok, n):.1f}%"

        lines = [
            f"local provider on {self.calls} real calls",
            f"  call type             {pct(self.type_ok, self.calls)}   (target ≥ {TARGETS['type']:.0%})",
            f"  deadline exact        {pct(self.deadline_ok, self.dated)}"
            f"   (target ≥ {TARGETS['deadline']:.0%}, over calls whose label has a deadline)",
            f"  invented deadlines    {self.invented}   (target 0; label null, a date produced)",
            f"  wrong deadlines       {self.deadline_wrong}   (label dated, another date produced)",
            f"  Colombia eligibility  {pct(self.eligibility_ok, self.calls)} exact; wrong si/no:"
            f" {self.eligibility_wrong} (target ≤ {TARGETS['eligibility_wrong']}); sin_dato predicted:"
            f" {self.eligibility_unknown}",
            f"  funder                {pct(self.funder_ok, self.calls)}"
            "   (normalized containment either way)",
            f"  amount                {pct(self.amount_ok, self.amounts)}"
            "   (over labelled amounts; informative)",
            f"  throughput            {self.calls / self.seconds:.0f} calls/s on one core"
            if self.seconds
            else "",
        ]
        if self.mismatches:
            lines.append("\nmismatches (call, field, predicted, expected):")
            lines += [f"  {c}  {f:<12} {p!s:<40.40} {e!s:.60}" for c, f, p, e in self.mismatches]
        failures = self.failures()
        lines.append("\nall targets met" if not failures else "\nTARGETS MISSED: " + "; ".join(failures))
        return "\n".join(line for line in lines if line is not None)


def compare(report: Report, call_id: str, got: Enrichment, label: dict[str, object]) -> None:
    report.calls += 1

    def miss(field_name: str, predicted: object, expected: object) -> None:
        report.mismatches.append((call_id, field_name, str(predicted), str(expected)))

    if got.call_type == label["call_type"]:
        report.type_ok += 1
    else:
        miss("call_type", got.call_type, label["call_type"])
    predicted = got.deadline.isoformat() if got.deadline else None
    if label["deadline"] is not None:
        report.dated += 1
        report.deadline_ok += predicted == label["deadline"]
        report.deadline_wrong += predicted is not None and predicted != label["deadline"]
    elif predicted is not None:
        report.invented += 1
    if predicted != label["deadline"]:
        miss("deadline", predicted, f"{label['deadline']} ({label.get('deadline_note') or 'stated'})")
    verdict = str(got.colombia_eligible)
    if verdict == label["colombia_eligible"]:
        report.eligibility_ok += 1
    else:
        report.eligibility_wrong += verdict != "sin_dato"
        report.eligibility_unknown += verdict == "sin_dato"
        miss("colombia", verdict, label["colombia_eligible"])
    if funder_matches(got.funder, str(label["funder"])):
        report.funder_ok += 1
    else:
        miss("funder", got.funder, label["funder"])
    if label.get("amount") is not None:
        report.amounts += 1
        if got.amount == label["amount"] and got.currency == label["currency"]:
            report.amount_ok += 1
        else:
            miss("amount", f"{got.amount} {got.currency}", f"{label['amount']} {label['currency']}")


def evaluate(calls_dir: Path, labels_path: Path = LABELS) -> Report:
    labels = json.loads(labels_path.read_text(encoding="utf-8"))["labels"]
    provider = LocalProvider()
    report = Report()
    calls = {path.stem: load_call(path) for path in sorted(calls_dir.glob("*.txt")) if path.stem in labels}
    started = time.process_time()  # CPU time of this process: calls per second of one core
    results = {call_id: provider.enrich(call) for call_id, call in calls.items()}
    report.seconds = time.process_time() - started
    for call_id, got in results.items():
        compare(report, call_id, got, labels[call_id])
    return report


def main(argv: list[str]) -> int:
    calls_dir = Path(argv[1]) if len(argv) > 1 else CALLS
    if not calls_dir.is_dir():
        print(f"skipped: real sample calls not found at {calls_dir} (set BOI_SHARED_DATA or pass the folder)")
        return 0
    report = evaluate(calls_dir)
    print(report.render())
    return 1 if report.failures() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
