"""The simulation model: one replication of a contact center on SimPy.

``simulate`` (:mod:`sim.model.simulate`) builds a :class:`~sim.model.center.ContactCenter`,
which wires explicit collaborators: entities, capacity and routing policies, work items,
conversations, agent presence, customers and arrivals, sampling and random streams, the
recorder and the interval monitor. Times are seconds since the start of the run.

Nothing here imports :mod:`sim.experiments`, :mod:`sim.reports` or :mod:`sim.cli`.
"""
