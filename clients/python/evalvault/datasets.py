"""Reading a dataset file into cases, as the CLI reads it (examples/README.md, "Dataset formats").

The platform validates every case again and answers a 400 naming the field, so this only parses.
"""
import csv
import json
import os
from typing import Any, Dict, List, Tuple

Case = Dict[str, Any]


def load_cases(path: "os.PathLike[str] | str") -> Tuple[str, List[Case]]:
    """The dataset's name (the JSON file's `name`, else the file's stem) and its cases."""
    path = os.fspath(path)
    stem, extension = os.path.splitext(os.path.basename(path))
    extension = extension.lower()
    with open(path, encoding="utf-8", newline="") as file:
        if extension in (".jsonl", ".ndjson"):
            return stem, [_json_line(path, number, line) for number, line in enumerate(file, 1) if line.strip()]
        if extension == ".json":
            return _json_document(path, stem, json.load(file))
        if extension in (".csv", ".tsv"):
            return stem, _csv_rows(file)
    raise ValueError(f"{path}: unknown dataset format {extension or '(none)'} (use .jsonl, .ndjson, .json, .csv or .tsv)")


def _json_line(path: str, number: int, line: str) -> Case:
    try:
        case = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{number}: invalid JSON: {error.msg}") from None
    if not isinstance(case, dict):
        raise ValueError(f"{path}:{number}: a case is a JSON object")
    return case


def _json_document(path: str, stem: str, document: Any) -> Tuple[str, List[Case]]:
    if isinstance(document, list):
        return stem, document
    if isinstance(document, dict):
        cases = document.get("test_cases", document.get("cases"))
        if isinstance(cases, list):
            return str(document.get("name") or stem), cases
    raise ValueError(f"{path}: a JSON dataset is a list of cases or an object with test_cases or cases")


def _csv_rows(file: Any) -> List[Case]:
    header = file.readline()
    file.seek(0)
    # The delimiter the header holds most of: spreadsheets in many locales write semicolons.
    delimiter = max((",", ";", "\t"), key=header.count)
    return [_csv_case(row) for row in csv.DictReader(file, delimiter=delimiter)]


def _csv_case(row: Dict[str, str]) -> Case:
    case: Case = {}
    for column, cell in row.items():
        if column is None or cell is None or cell == "":
            continue  # an empty cell is an absent field
        if column == "contexts":
            case[column] = json.loads(cell) if cell.lstrip().startswith("[") else [cell]
        elif column == "metadata":
            case[column] = json.loads(cell)
        else:
            case[column] = cell
    case.setdefault("contexts", [])
    return case
