"""Everything with state or time: configuration, database, use cases, jobs, CLI, HTTP.

The only layer that touches the database, the clock and the configuration files.
"""
