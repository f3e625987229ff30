"""policytag from Python: tag the paragraphs of Chinese education-bureau reports with policy
themes — pandas in, pandas out.

>>> import policytag
>>> m = policytag.Model()                      # the embedded default model
>>> m.tag(["全面落实双减政策，课后服务实现全覆盖。"])[0]["labels"]
['double-reduction']
>>> frame = m.tag_frame(df, text_col="text")   # labels + one score column per theme
>>> paras = policytag.segment("reports/")      # documents → paragraphs, headings, offsets

Everything here is the Rust pipeline the ``policytag`` binary runs (same model files,
scores, errors and thread pool); this module only turns its columns into DataFrames.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional, Sequence, Tuple, Union

from . import _policytag
from ._policytag import InputError, PolicytagError, read_report, set_threads

__all__ = [
    "Model",
    "InputError",
    "PolicytagError",
    "evaluate",
    "read_report",
    "segment",
    "set_threads",
    "train",
]

PathLike = Union[str, "os.PathLike[str]"]


def _rows(df: Any, text_col: str = "text", labels_col: str = "labels", id_col: str = "id"):
    """(id, text, labels) tuples from a DataFrame (ids as strings; no id column: None)."""
    for c in (text_col, labels_col):
        if c not in df.columns:
            raise InputError(f"the DataFrame has no column {c!r}")
    texts = df[text_col].tolist()
    labels = [list(ls) for ls in df[labels_col].tolist()]
    ids = df[id_col].tolist() if id_col in df.columns else [None] * len(texts)
    return [(None if i is None else str(i), t, ls) for i, t, ls in zip(ids, texts, labels)]


class Model:
    """A model with its tokenizer: ``Model()`` is the embedded default, ``Model(path)`` or
    ``Model.load(path)`` a model file. ``threshold`` replaces every tuned threshold."""

    def __init__(self, path: Optional[PathLike] = None, threshold: Optional[float] = None):
        self._m = _policytag.Model(None if path is None else os.fspath(path), threshold)

    @classmethod
    def load(cls, path: PathLike, threshold: Optional[float] = None) -> "Model":
        """The model file at ``path``."""
        return cls(path, threshold)

    @classmethod
    def _wrap(cls, native: Any) -> "Model":
        m = cls.__new__(cls)
        m._m = native
        return m

    @property
    def labels(self) -> list:
        """The themes: ``[{"id", "name", "description", "threshold"}]`` in model order."""
        return self._m.labels

    def tag(self, texts: Iterable[str]) -> list:
        """For each text ``{"labels": [theme ids], "scores": {id: probability}}``."""
        return self._m.tag(list(texts))

    def tag_frame(self, df: Any, text_col: str = "text"):
        """A DataFrame with ``df``'s index: ``labels`` (list of theme ids) and one score
        column per theme (named by its id, in id order), as ``policytag tag`` gives them.

        When ``df`` has ``doc`` and ``document`` columns (as :func:`segment` gives them),
        consecutive rows of one document are read in its context, as ``policytag tag`` reads
        a report; rows without a document (missing ``document``) are read alone."""
        import numpy as np
        import pandas as pd

        if text_col not in df.columns:
            raise InputError(f"the DataFrame has no column {text_col!r}")
        docs = None
        if "doc" in df.columns and "document" in df.columns:
            docs = [
                None if k is None or k != k or d is None or d != d else (str(d), int(k))
                for d, k in zip(df["doc"].tolist(), df["document"].tolist())
            ]
        ids, given, scores = self._m.tag_columns(df[text_col].tolist(), docs)
        matrix = np.frombuffer(scores, dtype=np.float64).reshape(len(given), len(ids))
        order = sorted(range(len(ids)), key=lambda k: ids[k])
        out = pd.DataFrame(matrix[:, order], index=df.index, columns=[ids[k] for k in order])
        out.insert(0, "labels", pd.Series(given, index=df.index, dtype=object))
        return out

    def explain(self, text: str, top: int = 5) -> dict:
        """The themes of ``text`` with their evidence terms and the closest themes not
        given (``policytag explain --format json``)."""
        return self._m.explain(text, top)

    def explain_label(self, label: str, top: int = 20) -> dict:
        """A theme's strongest terms for and against it."""
        return self._m.explain_label(label, top)

    def save(self, path: PathLike) -> None:
        """Write the model file (the bytes ``policytag train`` writes for the same data)."""
        self._m.save(os.fspath(path))

    def to_bytes(self) -> bytes:
        """The model file's bytes."""
        return self._m.to_bytes()

    def __repr__(self) -> str:
        return repr(self._m)


def segment(source: Union[PathLike, bytes], name: Optional[str] = None):
    """The paragraphs of reports as a DataFrame: every field ``policytag segment --format
    jsonl`` writes (``id``, ``doc``, the document's ``document``, ``doc_title``,
    ``doc_bureau``, ``doc_region``, ``doc_years``, ``doc_kind``, ``doc_date``, then
    ``paragraph``, ``start``, ``end``, ``heading``, ``text``) plus ``format`` and ``title``:
    a file, a directory of reports, or the bytes of one (``name`` names them; its extension
    hints the format)."""
    import pandas as pd

    if not isinstance(source, (bytes, bytearray)):
        source = os.fspath(source)
    return pd.DataFrame(_policytag.segment(bytes(source) if isinstance(source, bytearray) else source, name))


def train(
    data: Any,
    themes: Optional[PathLike] = None,
    *,
    text_col: str = "text",
    labels_col: str = "labels",
    ngrams: Optional[Tuple[int, int]] = None,
    char_ngrams: Union[None, bool, Tuple[int, int]] = None,
    max_features: Optional[int] = None,
    min_df: Optional[int] = None,
    folds: Optional[int] = None,
    features_per_label: Optional[int] = None,
    seed: Optional[int] = None,
    alpha: Optional[float] = None,
    max_iter: Optional[int] = None,
    pooling: Optional[str] = None,
    hmm: bool = False,
    threshold_margin: Optional[float] = None,
    context_weight: Optional[float] = None,
) -> Model:
    """Train a model, as ``policytag train`` does, on a DataFrame (``text`` and ``labels``
    columns, ``id`` optional) or on labelled JSONL file(s). Keywords are the CLI's flags;
    ``None`` keeps the recommended default, ``char_ngrams=False`` is ``--char-ngrams none``."""
    kw = dict(
        ngrams=ngrams, char_ngrams=char_ngrams, max_features=max_features, min_df=min_df,
        folds=folds, features_per_label=features_per_label, seed=seed, alpha=alpha,
        max_iter=max_iter, pooling=pooling, hmm=hmm, threshold_margin=threshold_margin,
        context_weight=context_weight,
    )
    themes = None if themes is None else os.fspath(themes)
    if isinstance(data, (str, os.PathLike)):
        native = _policytag.train(files=[os.fspath(data)], themes=themes, **kw)
    elif isinstance(data, (list, tuple)) and all(isinstance(p, (str, os.PathLike)) for p in data):
        native = _policytag.train(files=[os.fspath(p) for p in data], themes=themes, **kw)
    else:
        native = _policytag.train(rows=_rows(data, text_col, labels_col), themes=themes, **kw)
    return Model._wrap(native)


def evaluate(model: Model, data: Any, *, text_col: str = "text", labels_col: str = "labels") -> dict:
    """The metrics ``policytag eval --format json`` prints, on a DataFrame (``text``,
    ``labels``) or a labelled JSONL file."""
    if isinstance(data, (str, os.PathLike)):
        return model._m.evaluate_file(os.fspath(data))
    docs = None
    if "doc" in data.columns:
        docs = [None if d is None or d != d else str(d) for d in data["doc"].tolist()]
    return model._m.evaluate(_rows(data, text_col, labels_col), docs)
