"""What a run answers, as plain data: the verdict, each gate rule, the aggregates and each case's scores."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class CaseResult:
    case_id: Optional[str]
    index: int
    status: str  # evaluated | failed
    scores: Dict[str, float]
    explanations: Dict[str, str]
    error: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class RunResult:
    run_id: str
    status: str  # requested | running | completed | failed | cancelled
    verdict: Optional[str]  # passed | failed | none (no gate); None: not decided (yet)
    gate_rules: List[Dict[str, Any]] = field(default_factory=list)
    aggregates: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    cases: List[CaseResult] = field(default_factory=list)
    view: Dict[str, Any] = field(default_factory=dict)  # the run as GET …/runs/{runId} answered it

    @property
    def passed(self) -> bool:
        """True only for a gate that passed: a failed gate, no verdict yet or a failed run are False."""
        return self.verdict == "passed"

    @staticmethod
    def of(view: Dict[str, Any], cases: List[Dict[str, Any]]) -> "RunResult":
        gate = view.get("gate") or {}
        return RunResult(
            run_id=view["runId"],
            status=view["status"],
            verdict=view.get("verdict"),
            gate_rules=list(gate.get("rules") or []),
            aggregates={aggregate["metric"]: aggregate for aggregate in view.get("aggregates") or []},
            cases=[_case(case) for case in cases],
            view=view,
        )


def _case(case: Dict[str, Any]) -> CaseResult:
    scores = case.get("scores") or []
    return CaseResult(
        case_id=case.get("caseId"),
        index=case["caseIndex"],
        status=case["status"],
        scores={score["metric"]: score["score"] for score in scores},
        explanations={score["metric"]: score.get("explanation", "") for score in scores},
        error=case.get("error"),
    )
