"""The ``ccsim`` command line: one module per subcommand group and what they share."""
