"""Infrastructure (hạ tầng): the configuration, the database and its migrations, the clock,
the audit trail and the shipped data. Used by the use cases; knows nothing of them.
"""
