"""Background jobs: slow and scheduled work, on a Huey queue, never inside a request.

- ``queue.py`` builds each app's queue (Redis when ``REDIS_URL`` is set, else an
  SQLite file; ``JOBS_IMMEDIATE`` runs each job at once, as the tests do) and
  registers the jobs on it.
- ``work.py`` holds what each job does, run inside the app's context.
- ``schedule.py`` says what runs when.

Requests only enqueue, after their commit (``hub.unit_of_work``); ``flask jobs
worker`` consumes the queue and runs the schedule.
"""
