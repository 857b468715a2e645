"""The ``fhir`` suite: MedAgentBench-style tasks against a per-episode FHIR R4 server.

Layout:

* ``codes``: code systems, codes and the fixed "now".
* ``fhirtime``: FHIR dates and date-times as UTC ranges.
* ``generator``: the seeded synthetic population as FHIR resources.
* ``search``: search-parameter semantics (pure).
* ``validate``: checks of posted resources.
* ``store``: the shared read-only population and each episode's overlay of writes.
* ``api``: REST routing as a pure function; ``server``: HTTP/1.1 over a Unix socket.
* ``client``: the prelude every sandboxed run starts with (stdlib only).
* ``facts``, ``templates``, ``reads``, ``writes``, ``build``: gold answers, task
  templates and their instantiation; ``cache``: built once, loaded fast.
* ``orders``: what a write task must leave on the server, and the check of it.
* ``episode``: one episode's server, socket directory and grader.
* ``instructions``: the system prompt and ``request_info``; ``trivial``: the
  suite's own wrong and data-free probes.
* ``suite``: :class:`FhirSuite` (``Suite``, ``HarnessSuite`` and ``EpisodeSuite``).
"""

from __future__ import annotations

from arollout.tasks.fhir.build import CATEGORIES as CATEGORIES
from arollout.tasks.fhir.codes import FHIR_BASE as FHIR_BASE, NOW_TEXT as NOW_TEXT
from arollout.tasks.fhir.episode import (
    SANDBOX_DIR as SANDBOX_DIR,
    FhirEpisode as FhirEpisode,
)
from arollout.tasks.fhir.generator import GENERATOR_VERSION as GENERATOR_VERSION
from arollout.tasks.fhir.server import FhirServer as FhirServer
from arollout.tasks.fhir.store import (
    BaseStore as BaseStore,
    EpisodeStore as EpisodeStore,
    FhirError as FhirError,
)
from arollout.tasks.fhir.suite import FhirSuite as FhirSuite

__all__ = (
    "CATEGORIES",
    "FHIR_BASE",
    "GENERATOR_VERSION",
    "NOW_TEXT",
    "SANDBOX_DIR",
    "BaseStore",
    "EpisodeStore",
    "FhirEpisode",
    "FhirError",
    "FhirServer",
    "FhirSuite",
    "make_suite",
)


def make_suite(options: dict[str, object]) -> FhirSuite:
    """The registry's factory: ``seed``, ``patients``, ``per_category``, ``cache_dir``, ``socket_dir``."""
    from arollout.tasks.registry import int_option, path_option

    return FhirSuite(
        seed=int_option(options, "seed", 0, minimum=0),
        patients=int_option(options, "patients", 600, minimum=20),
        per_category=int_option(options, "per_category", 170, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
        socket_dir=path_option(options, "socket_dir"),
    )
