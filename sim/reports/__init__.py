"""Report files, written atomically, and the charts of each command."""
