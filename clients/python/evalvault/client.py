"""The hand-written layer over the generated client (evalvault_api): what people do most, in a call each."""
import json
import os
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from evalvault_api import ApiClient, Configuration
from evalvault_api.api.runs_api import RunsApi
from evalvault_api.exceptions import ApiException
from evalvault_api.models import PostRunsRequest

from .datasets import Case, load_cases
from .results import RunResult

Dataset = Union[str, "os.PathLike[str]", Sequence[Case]]
Gate = Union[str, Sequence[str], Mapping[str, Any], None]
FINISHED = ("completed", "failed", "cancelled")


class EvalVaultError(Exception):
    """An answer other than 2xx: the status and the RFC 9457 problem the platform sent."""

    def __init__(self, status: int, problem: Dict[str, Any]):
        self.status = status
        self.problem = problem
        title = problem.get("title") or "request failed"
        super().__init__(f"{status} {title}: {problem.get('detail', '')}".rstrip(": "))


class EvalVault:
    """A project of an EvalVault platform, reached with an API key (evk_…) or an OIDC access token."""

    def __init__(self, url: str, api_key: str, project: str = "default", poll_seconds: float = 0.5):
        configuration = Configuration(host=url.rstrip("/"), access_token=api_key)
        self.api_client = ApiClient(configuration)
        self.api_client.user_agent = "evalvault-python/0.1.0"
        self.runs_api = RunsApi(self.api_client)  # the generated operations, for everything not wrapped here
        self.project = project
        self.poll_seconds = poll_seconds

    def run(
        self,
        dataset: Dataset,
        metrics: Sequence[str],
        gate: Gate = None,
        wait: bool = True,
        name: Optional[str] = None,
        labels: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
        timeout: float = 600.0,
    ) -> RunResult:
        """Submits a run of a dataset file (.jsonl, .json, .csv, .tsv) or a list of cases; with wait, its verdict and
        every case's scores. A gate is a list of rules, {"rules": [...]}, a text of one rule per line, or a file."""
        dataset_name, cases = _dataset(dataset, name)
        body: Dict[str, Any] = {"dataset": {"name": dataset_name, "cases": list(cases)}, "metrics": list(metrics)}
        rules = _gate_rules(gate)
        if rules:
            body["gate"] = {"rules": rules}
        if labels:
            body["labels"] = dict(labels)
        request = PostRunsRequest.from_dict(body)
        submitted = self._json(self.runs_api.post_runs_with_http_info, self.project, request, idempotency_key)
        if not wait:
            return RunResult(run_id=submitted["runId"], status=submitted["status"], verdict=None)
        return self.wait(submitted["runId"], timeout=timeout)

    def wait(self, run_id: str, timeout: float = 600.0) -> RunResult:
        """Follows a run until it finished (and, with a gate, its verdict arrived); then the run with its cases."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.get_run(run_id)
            if view["status"] in FINISHED and (view["status"] != "completed" or view.get("verdict") is not None):
                return RunResult.of(view, list(self.cases(run_id)))
            if time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} is still {view['status']} after {timeout:g} s")
            time.sleep(self.poll_seconds)

    def get_run(self, run_id: str) -> Dict[str, Any]:
        return self._json(self.runs_api.get_runs_run_id_with_http_info, self.project, run_id)

    def cases(self, run_id: str, status: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        """Every case of a run with its scores (status="failed": the failed ones), page after page."""
        yield from self._pages(self.runs_api.get_runs_run_id_cases_with_http_info, run_id, status=status, limit=500)

    def runs(
        self, status: Optional[str] = None, dataset: Optional[str] = None, label: Optional[str] = None
    ) -> Iterator[Dict[str, Any]]:
        """The project's runs, newest first, page after page (filters as GET …/runs: label is key=value)."""
        yield from self._pages(self.runs_api.get_runs_with_http_info, status=status, dataset=dataset, label=label)

    def compare(self, base: Union[str, RunResult], candidate: Union[str, RunResult]) -> Dict[str, Any]:
        """Per metric, candidate minus base on their shared cases, with interval, paired test and worst cases."""
        call = self.runs_api.get_runs_run_id_compare_other_run_id_with_http_info
        return self._json(call, self.project, _run_id(base), _run_id(candidate))

    def _pages(self, call: Any, *args: Any, **query: Any) -> Iterator[Dict[str, Any]]:
        cursor = None
        while True:
            page = self._json(call, self.project, *args, cursor=cursor, **query)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return

    @staticmethod
    def _json(call: Any, *args: Any, **kwargs: Any) -> Any:
        """The answer's JSON as plain data: routes the document gives no body schema for are read the same way."""
        try:
            response = call(*args, _preload_content=False, **kwargs)
        except ApiException as error:
            raise EvalVaultError(error.status, _problem(error.body)) from None
        raw = response.raw_data  # the body's bytes (or, in some urllib3 versions, the unread response)
        return json.loads((raw if isinstance(raw, (bytes, str)) else raw.data) or b"null")


def _dataset(dataset: Dataset, name: Optional[str]):
    if isinstance(dataset, (str, os.PathLike)):
        file_name, cases = load_cases(dataset)
        return name or file_name, cases
    return name or "python", list(dataset)


def _gate_rules(gate: Gate) -> List[str]:
    if gate is None:
        return []
    if isinstance(gate, Mapping):
        return list(gate["rules"])
    if isinstance(gate, str):
        if os.path.isfile(gate):
            with open(gate, encoding="utf-8") as file:
                text = file.read()
            if gate.endswith(".json"):
                return _gate_rules(json.loads(text))
            gate = text
        return [line.strip() for line in gate.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return list(gate)


def _run_id(run: Union[str, RunResult]) -> str:
    return run.run_id if isinstance(run, RunResult) else run


def _problem(body: Any) -> Dict[str, Any]:
    try:
        problem = json.loads(body) if body else {}
    except ValueError:
        problem = {"detail": str(body)}
    return problem if isinstance(problem, dict) else {"detail": str(problem)}
