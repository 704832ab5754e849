#!/usr/bin/env python3
"""Scores the reference cases with each deterministic metric's reference implementation and writes
reference-scores.json, which reference-scores.spec.ts compares EvalVault's metrics against.

Run once, by hand, when a case is added (see README.md beside this file):

    python3 generate_reference_scores.py --squad-script /path/to/evaluate-v2.0.py

It needs, importable: nltk (PorterStemmer for rouge-score, sentence_bleu for BLEU) and rouge_score
(Google's rouge-score, with absl-py and six). The SQuAD script is loaded from the given path.
"""
import argparse
import importlib.util
import json
import platform
from pathlib import Path

import nltk
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from rouge_score import rouge_scorer

HERE = Path(__file__).resolve().parent

# (id, answer, ground truth): everyday answers plus the edge cases where tokenisers disagree.
CASES = [
    ("identical-with-punctuation", "The cat sat on the mat.", "the cat sat on the mat"),
    ("in-order-overlap", "police kill the gunman", "police killed the gunman"),
    ("same-words-reordered", "the gunman killed police", "police killed the gunman"),
    ("answer-covers-ground-truth", "Cats eat fresh fish", "cats, fish"),
    ("no-shared-word", "dogs bark", "cats meow"),
    ("empty-answer", "", "Paris"),
    ("empty-ground-truth", "Paris", ""),
    ("both-empty", "", ""),
    ("only-articles", "The", "a"),
    ("only-punctuation", "?!...", "..."),
    ("articles-dropped-by-squad", "An apple a day", "apple day"),
    ("articles-inside-words", "Athena and the theatre", "athena theatre"),
    ("ascii-apostrophe", "Don't panic", "dont panic"),
    ("typographic-apostrophe", "Don\u2019t panic", "Don't panic"),
    ("em-dash", "Paris\u2014France", "Paris France"),
    ("hyphenated", "a state-of-the-art model", "the state of the art model"),
    ("underscore", "snake_case name", "snake case name"),
    ("accented-letters", "Caf\u00e9 au lait", "cafe au lait"),
    ("umlaut", "Z\u00fcrich is in Switzerland", "Zurich, Switzerland"),
    ("non-latin-script", "\u6771\u4eac is the capital", "Tokyo is the capital"),
    ("greek-final-sigma", "\u039f\u0394\u039f\u03a3 main", "\u03bf\u03b4\u03bf\u03c2 main"),
    ("decimal-and-percent", "3.5%", "35 percent"),
    ("number-words", "42", "forty-two"),
    ("upper-case", "PARIS", "paris"),
    ("tabs-and-newlines", "New\tYork\nCity", "new york city"),
    ("no-break-space", "New\u00a0York", "New York"),
    ("short-answer", "cat", "cat sat"),
    ("repeated-word", "cat cat cat", "cat sat"),
    ("repeats-in-both", "yes yes yes no", "yes no no"),
    ("longer-answer", "cat sat on red mat today", "cat sat on red mat"),
    ("one-word-missing", "the cat sat on the mat", "the cat sat on the red mat"),
    ("year-only", "1889", "It was completed in 1889"),
    ("name-in-sentence", "It was Marie Curie who discovered radium.", "Marie Curie"),
    ("stems-running", "The runners were running quickly", "A runner runs quick"),
    ("stems-relational", "generalization of relational databases", "generalize the relation database"),
    ("stems-irregular", "dying lying tying", "die lie tie"),
    ("stems-skies", "clear skies tonight", "a clear sky tonight"),
    ("stems-ies-ied", "ties and lies were denied", "tie and lie was deny"),
    ("stems-happiness", "happiness generously shared", "happy generous sharing"),
    ("stems-logical", "analogies are analogical", "analogy is analogous"),
    (
        "rag-eiffel",
        "The Eiffel Tower was completed in 1889 for the World's Fair in Paris.",
        "The Eiffel Tower, finished in 1889, was built for the 1889 World's Fair.",
    ),
    (
        "rag-refund",
        "You can request a refund within 30 days of purchase by contacting support.",
        "Refunds are available for 30 days after purchase; contact the support team.",
    ),
    (
        "rag-password",
        "To reset your password, open Settings, choose Security and click Reset password.",
        "Open Settings > Security and click 'Reset password' to reset it.",
    ),
    (
        "rag-wrong-answer",
        "The office is closed on Mondays and opens at 10 am.",
        "The office opens at 9 am on weekdays, including Mondays.",
    ),
]


def load_squad(path):
    spec = importlib.util.spec_from_file_location("squad_evaluate_v2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad-script", required=True, help="the official SQuAD evaluate-v2.0.py")
    parser.add_argument("--rouge-score-version", required=True, help="the rouge-score release or source used")
    parser.add_argument("--out", default=str(HERE / "reference-scores.json"))
    args = parser.parse_args()
    squad = load_squad(args.squad_script)
    rouge = rouge_scorer.RougeScorer(["rougeL"])
    rouge_stemmed = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    smoothing = SmoothingFunction().method2
    cases = []
    for case_id, answer, ground_truth in CASES:
        cases.append(
            {
                "id": case_id,
                "answer": answer,
                "groundTruth": ground_truth,
                "expected": {
                    "exact_match": squad.compute_exact(ground_truth, answer),
                    "token_f1": squad.compute_f1(ground_truth, answer),
                    "rouge_l": rouge.score(ground_truth, answer)["rougeL"].fmeasure,
                    "rouge_l_stemmed": rouge_stemmed.score(ground_truth, answer)["rougeL"].fmeasure,
                    "bleu": sentence_bleu(
                        [squad.get_tokens(ground_truth)],
                        squad.get_tokens(answer),
                        weights=(0.25, 0.25, 0.25, 0.25),
                        smoothing_function=smoothing,
                    ),
                },
            }
        )
    document = {
        "generatedBy": "libs/evaluation/src/metrics/reference/generate_reference_scores.py",
        "python": platform.python_version(),
        "references": {
            "exact_match": "SQuAD 2.0 official evaluation script evaluate-v2.0.py: compute_exact(gold, pred)",
            "token_f1": "SQuAD 2.0 official evaluation script evaluate-v2.0.py: compute_f1(gold, pred)",
            "rouge_l": f"rouge-score {args.rouge_score_version}: RougeScorer(['rougeL']) fmeasure",
            "rouge_l_stemmed": f"rouge-score {args.rouge_score_version}: use_stemmer=True "
            f"(NLTK {nltk.__version__})",
            "bleu": f"NLTK {nltk.__version__} sentence_bleu, weights 0.25 x 4, SmoothingFunction().method2, "
            "SQuAD get_tokens",
        },
        "cases": cases,
    }
    Path(args.out).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases written to {args.out}")


if __name__ == "__main__":
    main()
