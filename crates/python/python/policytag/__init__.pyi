"""Type stubs of ``policytag`` (pandas in, pandas out)."""

from os import PathLike
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pandas as pd

from ._policytag import InputError as InputError
from ._policytag import PolicytagError as PolicytagError
from ._policytag import read_report as read_report
from ._policytag import set_threads as set_threads

_Path = Union[str, PathLike[str]]

class Model:
    def __init__(self, path: Optional[_Path] = None, threshold: Optional[float] = None) -> None: ...
    @classmethod
    def load(cls, path: _Path, threshold: Optional[float] = None) -> Model: ...
    @property
    def labels(self) -> List[Dict[str, Any]]: ...
    def tag(self, texts: Iterable[str]) -> List[Dict[str, Any]]: ...
    def tag_frame(self, df: pd.DataFrame, text_col: str = "text") -> pd.DataFrame: ...
    def explain(self, text: str, top: int = 5) -> Dict[str, Any]: ...
    def explain_label(self, label: str, top: int = 20) -> Dict[str, Any]: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...

def segment(source: Union[_Path, bytes], name: Optional[str] = None) -> pd.DataFrame: ...
def train(
    data: Union[pd.DataFrame, _Path, Sequence[_Path]],
    themes: Optional[_Path] = None,
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
) -> Model: ...
def evaluate(
    model: Model,
    data: Union[pd.DataFrame, _Path],
    *,
    text_col: str = "text",
    labels_col: str = "labels",
) -> Dict[str, Any]: ...
