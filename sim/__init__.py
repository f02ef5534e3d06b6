"""ccsim: a discrete-event simulator of a messaging contact center on Omni-Channel.

The layers, each with one entry point:

- :func:`load_scenario` reads and validates a scenario YAML file into a :class:`Scenario`;
- :func:`simulate` runs one replication and returns a :class:`Result` of pandas tables.
"""

from sim.loader import ScenarioError, load_scenario
from sim.results import Result
from sim.scenario import Scenario
from sim.simulate import simulate

__all__ = ["Result", "Scenario", "ScenarioError", "load_scenario", "simulate"]
