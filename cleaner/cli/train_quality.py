"""`cleaner train-quality`: train a fastText quality classifier from good and bad JSONL examples.

Every document goes through `featurise` (the function the `quality_score` stage uses), so the
model sees the same tokens at training and scoring time. A stable hash of the text puts a
fraction of the documents in a held-out split, so reruns evaluate on the same documents and a
text present in both input files cannot sit on both sides. The model is quantised to `.ftz`
(a few MB), then precision, recall and F1 of the "high quality" class on the held-out split
(with the quantised model, threshold 0.5) are printed and written as JSON beside the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from cleaner.errors import UsageError
from cleaner.text.quality_features import LABEL_BAD, LABEL_GOOD, featurise, score_texts


def held_out(text: str, fraction: float) -> bool:
    """True for the stable `fraction` of texts that training never sees."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


def read_texts(path: Path, field: str) -> list[str]:
    """The non-empty `field` values of a JSONL file."""
    texts = []
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line).get(field)
                except (json.JSONDecodeError, AttributeError):
                    raise UsageError(f"{path}:{number}: not a JSON object") from None
                if isinstance(value, str) and value.strip():
                    texts.append(value)
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror or err}") from None
    return texts


def evaluate(model: Any, good: list[str], bad: list[str], threshold: float = 0.5) -> dict[str, float]:
    """Precision, recall and F1 of the high-quality class at `threshold`."""
    scores = score_texts(model, good + bad)
    predicted = [s >= threshold for s in scores]
    truth = [True] * len(good) + [False] * len(bad)
    tp = sum(p and t for p, t in zip(predicted, truth))
    fp = sum(p and not t for p, t in zip(predicted, truth))
    fn = sum(t and not p for p, t in zip(predicted, truth))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(p == t for p, t in zip(predicted, truth)) / max(1, len(truth))
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round(accuracy, 4),
    }


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("train-quality", help="train a fastText quality classifier")
    parser.add_argument("--positive", type=Path, required=True, help="JSONL of high-quality documents")
    parser.add_argument("--negative", type=Path, required=True, help="JSONL of low-quality documents")
    parser.add_argument("--out", type=Path, required=True, help="model path (written with suffix .ftz)")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--holdout", type=float, default=0.1, help="share of documents held out for P/R/F1")
    parser.add_argument("--epoch", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="shuffles the training file")
    parser.add_argument("--no-quantize", action="store_true", help="keep the full model (suffix .bin)")
    return parser


def train(args: argparse.Namespace, good: list[str], bad: list[str]) -> Any:
    import fasttext

    rows = [f"{LABEL_GOOD} {featurise(t)}" for t in good] + [f"{LABEL_BAD} {featurise(t)}" for t in bad]
    random.Random(args.seed).shuffle(rows)
    with tempfile.TemporaryDirectory(prefix="train-quality-") as tmp:
        train_file = Path(tmp) / "train.txt"
        train_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
        options = dict(epoch=args.epoch, lr=args.lr, dim=args.dim, wordNgrams=2, minCount=1, bucket=2_000_000)
        model = fasttext.train_supervised(input=str(train_file), thread=args.threads, verbose=0, **options)
        if not args.no_quantize:
            model.quantize(input=str(train_file), qnorm=True, retrain=True, cutoff=100_000, thread=args.threads)
    return model


def run(args: argparse.Namespace) -> int:
    if not 0.0 < args.holdout < 1.0:
        raise UsageError(f"--holdout must be between 0 and 1, got {args.holdout}")
    splits: dict[str, dict[str, list[str]]] = {"train": {}, "test": {}}
    for name, path in (("good", args.positive), ("bad", args.negative)):
        texts = read_texts(path, args.text_field)
        splits["test"][name] = [t for t in texts if held_out(t, args.holdout)]
        splits["train"][name] = [t for t in texts if not held_out(t, args.holdout)]
        if not splits["train"][name] or not splits["test"][name]:
            raise UsageError(f"{path}: too few documents with a {args.text_field!r} field for training and held-out")
    model = train(args, splits["train"]["good"], splits["train"]["bad"])
    out = args.out.with_suffix(".bin" if args.no_quantize else ".ftz")
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(out))
    metrics = evaluate(model, splits["test"]["good"], splits["test"]["bad"])
    report = {
        "model": out.name,
        "held_out": metrics,
        "documents": {split: {k: len(v) for k, v in by.items()} for split, by in splits.items()},
        "params": {
            "epoch": args.epoch,
            "lr": args.lr,
            "dim": args.dim,
            "wordNgrams": 2,
            "quantized": not args.no_quantize,
        },
        "positive": args.positive.name,
        "negative": args.negative.name,
    }
    metrics_path = out.with_suffix(".json")
    metrics_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"model: {out} ({out.stat().st_size / 1e6:.1f} MB)")
    print(
        f"held-out ({len(splits['test']['good'])} good, {len(splits['test']['bad'])} bad): "
        f"precision {metrics['precision']:.4f}  recall {metrics['recall']:.4f}  F1 {metrics['f1']:.4f}"
    )
    print(f"metrics: {metrics_path}")
    return 0
