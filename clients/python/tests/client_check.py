"""Drives a running platform with the installed client, as a user's script would, and prints what it saw as
JSON for test/clients/clients.e2e.spec.ts to check against the REST API. Exits 1 on a broken promise.

    python3 clients/python/tests/client_check.py URL API_KEY   (from the repository root)
"""
import json
import sys

from evalvault import EvalVault, EvalVaultError

DATASET = "examples/rag-qa/dataset.jsonl"
METRICS = ["token_f1", "faithfulness_lexical", "context_recall"]


def summary(result):
    return {
        "runId": result.run_id,
        "status": result.status,
        "verdict": result.verdict,
        "passed": result.passed,
        "rules": result.gate_rules,
        "means": {metric: aggregate["mean"] for metric, aggregate in result.aggregates.items()},
        "cases": {case.case_id: case.scores for case in result.cases},
    }


def main(url, api_key):
    client = EvalVault(url, api_key)
    passed = client.run(DATASET, METRICS, gate="examples/rag-qa/gate.txt", labels={"from": "python"})
    strict = client.run(DATASET, METRICS, gate="examples/rag-qa/gate-strict.json", wait=False)
    submitted_status = strict.status
    strict = client.wait(strict.run_id)
    inline = client.run(
        [{"id": "one", "question": "2+2?", "answer": "4", "contexts": ["2+2 is 4"], "ground_truth": "4"}],
        ["exact_match"],
        gate=["mean(exact_match) >= 1"],
    )
    comparison = client.compare(passed, strict.run_id)
    listed = [run["runId"] for run in client.runs(label="from=python")]
    try:
        client.run(DATASET, METRICS, gate=["mean(token_f1) >= "])
        bad_gate = None
    except EvalVaultError as error:
        bad_gate = {"status": error.status, "detail": error.problem.get("detail"), "message": str(error)}
    print(json.dumps({
        "passed": summary(passed),
        "strict": dict(summary(strict), submittedStatus=submitted_status),
        "inline": summary(inline),
        "compare": {"base": comparison["base"]["runId"], "metrics": [m["metric"] for m in comparison["metrics"]]},
        "listedWithLabel": listed,
        "allListed": sum(1 for _ in client.runs()),
        "badGate": bad_gate,
    }))
    return 0 if passed.passed and not strict.passed and inline.passed and bad_gate else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
