"""Many runs: executors (local processes, Dask), replications, comparisons and sweeps."""
