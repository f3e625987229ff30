"""Type stubs of the native module (the Rust bindings); use it through ``policytag``."""

from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

class PolicytagError(Exception):
    """An error of policytag (the CLI's exit code 1)."""

class InputError(PolicytagError):
    """Bad input: a missing or unreadable file, a bad JSONL line, an invalid parameter."""

_Path = Union[str, PathLike[str]]
_Row = Tuple[Optional[str], str, List[str]]

class Model:
    def __init__(self, path: Optional[_Path] = None, threshold: Optional[float] = None) -> None: ...
    @staticmethod
    def load(path: _Path, threshold: Optional[float] = None) -> Model: ...
    @property
    def labels(self) -> List[Dict[str, Any]]: ...
    def tag(self, texts: Sequence[str]) -> List[Dict[str, Any]]: ...
    def tag_columns(self, texts: Sequence[str], docs: Optional[Sequence[Optional[Tuple[str, int]]]] = ...) -> Tuple[List[str], List[List[str]], bytes]: ...
    def explain(self, text: str, top: int = 5) -> Dict[str, Any]: ...
    def explain_label(self, label: str, top: int = 20) -> Dict[str, Any]: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    def evaluate(self, examples: Sequence[_Row], docs: Optional[Sequence[Optional[str]]] = None) -> Dict[str, Any]: ...
    def evaluate_file(self, path: _Path) -> Dict[str, Any]: ...

def train(
    rows: Optional[Sequence[_Row]] = None,
    files: Optional[Sequence[_Path]] = None,
    themes: Optional[_Path] = None,
    *,
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
) -> Model: ...
def segment(source: Union[_Path, bytes], name: Optional[str] = None) -> Dict[str, List[Any]]: ...
def read_report(path: _Path) -> Dict[str, str]: ...
def set_threads(n: Optional[int] = None) -> None: ...
