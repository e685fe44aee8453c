# SPDX-License-Identifier: MIT
# Type stubs of hebllm.plot (python/hebllm/plot.py; docs/python.md "hebllm.plot").
from __future__ import annotations

import os
from typing import Any, Optional, Union

import numpy.typing as npt
from matplotlib.figure import Figure

_Net = Any  # a hebllm.Network, Engine or HebSNN

def raster(
    spikes: Any,
    network: Optional[_Net] = None,
    *,
    t_range: Optional[tuple[float, float]] = None,
    marker_size: float = 6.0,
    title: Optional[str] = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Figure: ...
def rates(
    spikes: Any,
    network: _Net,
    *,
    bin_ms: float = 5.0,
    t_range: Optional[tuple[float, float]] = None,
    title: Optional[str] = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Figure: ...
def weight_histogram(
    synapses: Any,
    network: Optional[_Net] = None,
    *,
    by: str = "population",
    bins: int = 40,
    title: Optional[str] = None,
    max_panels: int = 16,
    figsize: Optional[tuple[float, float]] = None,
) -> Figure: ...
def learning_curve(
    log: Union[None, dict, str, os.PathLike[str], npt.ArrayLike] = None,
    *,
    tokens: Optional[npt.ArrayLike] = None,
    bits: Optional[npt.ArrayLike] = None,
    window: Optional[int] = None,
    title: Optional[str] = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Figure: ...
