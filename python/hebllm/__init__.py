# SPDX-License-Identifier: MIT
"""hebllm: a spiking neural network engine (Hebbian LIF networks, STDP, homeostasis,
neuromodulation) with a language learner. This package binds the C++ library; see
docs/python.md.

The original HebLLM API::

    import hebllm
    net = hebllm.HebSNN(n_sensory=200, n_associative=1000, n_inhibitory=200, n_output=200,
                        connectivity_density=0.1)
    net.run(100.0, input_fn=lambda t: [0, 1, 2, 3, 4] if t < 10 else None)
    spikes = net.get_spikes()          # numpy structured array: neuron, step, time_ms

The whole engine::

    network = hebllm.load_config("examples/seed_example.toml")
    engine = hebllm.make_engine(network, backend="auto", threads=0)
    engine.run(100.0)
    engine.save("run.heb"); engine = hebllm.load("run.heb")   # exact resume

Language (``hebllm.lang``: corpora, tokenizers, baselines, the spiking learner, model files)
and plots (``hebllm.plot``: raster, rates, weight histograms, learning curves; needs
matplotlib, imported only when a plot is made)::

    model, report = hebllm.lang.train("corpus.txt", tier="smoke", save="m.heb")
    hebllm.plot.raster(engine.spikes(), network).savefig("raster.png")
"""

from __future__ import annotations

import numpy as _np

from ._hebllm import (  # noqa: F401  (re-exported)
    SPIKE_DTYPE,
    SYNAPSE_DTYPE,
    BackendError,
    CapacityError,
    Engine,
    Error,
    FileError,
    InternalError,
    ModelError,
    Network,
    __version__,
    available_backends,
    build_info,
    load,
    load_config,
    make_engine,
    make_hebsnn,
    parse_config,
)
from . import lang, plot  # noqa: E402,F401  (plot imports matplotlib only when called)

__all__ = [
    "HebSNN",
    "lang",
    "plot",
    "Network",
    "Engine",
    "load_config",
    "parse_config",
    "make_hebsnn",
    "make_engine",
    "load",
    "available_backends",
    "build_info",
    "SPIKE_DTYPE",
    "SYNAPSE_DTYPE",
    "Error",
    "ModelError",
    "CapacityError",
    "FileError",
    "BackendError",
    "InternalError",
    "__version__",
]


class HebSNN:
    """The original JAXHebSNN network, run by hebllm's engine.

    ``HebSNN(n_sensory=1000, n_associative=5000, n_inhibitory=1000, n_output=1000,
    connectivity_density=0.1, seed=42, backend="auto", threads=0)`` builds the same network as
    ``hebllm.make_hebsnn`` (and a config's ``[hebsnn]`` table, e.g.
    examples/seed_example.toml): four populations in the id order sensory, associative,
    inhibitory, output, random connectivity of the given density, delays of 1-5 ms, Dale's
    law and hebllm's stabilising defaults (docs/model.md "The HebSNN network"). Defaults are
    the original's.

    ``backend``: "auto" (the fastest built), "reference", "cpu" or "cuda"; ``threads``: the
    cpu backend's thread count (0: OpenMP's default). Every backend and thread count gives
    the same spikes.

    Attributes: ``network`` (the hebllm.Network), ``engine`` (the hebllm.Engine, for
    everything this class does not wrap), ``n_sensory`` ... ``n_output``, ``n_neurons``,
    ``dt`` (ms), ``current_time`` (ms simulated so far).
    """

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
    ) -> None:
        self.n_sensory = n_sensory
        self.n_associative = n_associative
        self.n_inhibitory = n_inhibitory
        self.n_output = n_output
        self.n_neurons = n_sensory + n_associative + n_inhibitory + n_output
        self.connectivity_density = connectivity_density
        self.seed = seed
        self.network = make_hebsnn(
            n_sensory, n_associative, n_inhibitory, n_output, connectivity_density, seed
        )
        self.engine = make_engine(self.network, backend=backend, threads=threads)

    @property
    def dt(self) -> float:
        """Time step (ms)."""
        return self.engine.dt_ms

    @property
    def current_time(self) -> float:
        """Simulated time so far (ms)."""
        return self.engine.time_ms

    def run(self, duration_ms: float, input_fn=None) -> None:
        """Run for ``duration_ms`` (rounded to whole steps of ``dt``).

        ``input_fn(t_ms)``, if given, is called once per step with the step's time in ms and
        returns the neurons to force to spike in that step: None, a list or integer numpy
        array of neuron ids, or a boolean mask of length ``n_neurons`` (forced spikes on
        refractory neurons are dropped). The GIL is released while the engine runs; Ctrl-C
        raises KeyboardInterrupt between two steps. Returns None (as the original
        ``HebSNN.run``); read the result with ``get_spikes()`` and ``get_state()``.
        """
        self.engine.run(duration_ms, input_fn)

    def step(self, input_fn=None):
        """Run one step; returns the neurons that spiked in it (uint32 array, sorted)."""
        return self.engine.step(input_fn)

    def stimulate_token(
        self, token: int, duration_ms: float, rate_hz: float = 1000.0, population: str = ""
    ) -> None:
        """Drive the sensory neurons of ``token`` with forced Poisson spikes at ``rate_hz``
        for ``duration_ms`` from now on (``population``: default the sensory one)."""
        self.engine.stimulate_token(token, duration_ms, rate_hz, population)

    def reset(self) -> None:
        """Put every neuron back into its initial state and drop input in transit; weights,
        thresholds and the neuromodulator are kept (the original ``reset()``)."""
        self.engine.reset_state()

    def get_spikes(self) -> _np.ndarray:
        """Every spike so far: a numpy structured array of dtype ``hebllm.SPIKE_DTYPE``
        (fields ``neuron`` uint32, ``step`` int64, ``time_ms`` float64), shape (n_spikes,),
        ordered by step then neuron. A copy, built without per-spike Python objects."""
        return self.engine.spikes()

    def get_state(self) -> dict:
        """The network's state as a dict of numpy arrays, all copies (changing them changes
        nothing in the network):

        - per neuron, shape (n_neurons,): ``v``, ``i_syn``, ``threshold``, ``theta``,
          ``trace_pre``, ``trace_post``, ``rate_hz`` (float64), ``refractory_steps`` (int32);
        - per synapse, shape (n_synapses,), sorted by (pre, post), the original JAXHebSNN's
          names: ``pre_indices``, ``post_indices`` (uint32), ``weights`` (float32, signed),
          ``delays`` (float64, ms);
        - ``time_ms`` (float) and ``modulation`` (the neuromodulator of the last step).
        """
        state = self.engine.state()
        syn = self.engine.synapses()
        state["pre_indices"] = _np.ascontiguousarray(syn["pre"])
        state["post_indices"] = _np.ascontiguousarray(syn["post"])
        state["weights"] = _np.ascontiguousarray(syn["weight"])
        state["delays"] = syn["delay_steps"].astype(_np.float64) * self.engine.dt_ms
        state["time_ms"] = self.engine.time_ms
        state["modulation"] = self.engine.modulation
        return state

    def save(self, path) -> None:
        """Write a checkpoint; ``hebllm.load(path)`` continues exactly (as an Engine)."""
        self.engine.save(path)

    def __repr__(self) -> str:
        return (
            f"HebSNN(n_sensory={self.n_sensory}, n_associative={self.n_associative}, "
            f"n_inhibitory={self.n_inhibitory}, n_output={self.n_output}, "
            f"connectivity_density={self.connectivity_density}, seed={self.seed}, "
            f"backend={self.engine.backend!r})"
        )
