# SPDX-License-Identifier: MIT
# Type stubs of the hebllm package (python/hebllm/__init__.py; docs/python.md).
from __future__ import annotations

from typing import Optional

import numpy as np
import numpy.typing as npt

from . import lang as lang
from . import plot as plot
from ._hebllm import SPIKE_DTYPE as SPIKE_DTYPE
from ._hebllm import SYNAPSE_DTYPE as SYNAPSE_DTYPE
from ._hebllm import BackendError as BackendError
from ._hebllm import CapacityError as CapacityError
from ._hebllm import Engine as Engine
from ._hebllm import Error as Error
from ._hebllm import FileError as FileError
from ._hebllm import InputFn
from ._hebllm import InternalError as InternalError
from ._hebllm import ModelError as ModelError
from ._hebllm import Network as Network
from ._hebllm import __version__ as __version__
from ._hebllm import _Path
from ._hebllm import available_backends as available_backends
from ._hebllm import build_info as build_info
from ._hebllm import load as load
from ._hebllm import load_config as load_config
from ._hebllm import make_engine as make_engine
from ._hebllm import make_hebsnn as make_hebsnn
from ._hebllm import parse_config as parse_config

class HebSNN:
    n_sensory: int
    n_associative: int
    n_inhibitory: int
    n_output: int
    n_neurons: int
    connectivity_density: float
    seed: int
    network: Network
    engine: Engine
    def __init__(
        self,
        n_sensory: int = 1000,
        n_associative: int = 5000,
        n_inhibitory: int = 1000,
        n_output: int = 1000,
        connectivity_density: float = 0.1,
        seed: int = 42,
        backend: str = "auto",
        threads: int = 0,
    ) -> None: ...
    @property
    def dt(self) -> float: ...
    @property
    def current_time(self) -> float: ...
    def run(self, duration_ms: float, input_fn: Optional[InputFn] = None) -> None: ...
    def step(self, input_fn: Optional[InputFn] = None) -> npt.NDArray[np.uint32]: ...
    def stimulate_token(
        self, token: int, duration_ms: float, rate_hz: float = 1000.0, population: str = ""
    ) -> None: ...
    def reset(self) -> None: ...
    def get_spikes(self) -> np.ndarray: ...  # dtype SPIKE_DTYPE
    def get_state(self) -> dict[str, object]: ...
    def save(self, path: _Path) -> None: ...
