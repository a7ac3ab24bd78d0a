"""Use cases (nghiệp vụ): one function per thing a user does, typed in and out.

The CLI (``scheduler/cli``), the web (``scheduler/web``) and the jobs (``scheduler/jobs.py``)
call these and nothing beside them. Each takes the database engine, the configuration and
``now``/``today`` as arguments; the rules they apply live in ``rules/`` (pure).
"""
