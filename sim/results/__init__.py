"""Results of runs: the tables of one replication and the headline figures over many."""
