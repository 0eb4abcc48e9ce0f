"""gunicorn settings of the bench: the same for the bare app and ours (2 sync workers, no access log)."""

workers = 2
worker_class = "sync"
accesslog = None
errorlog = "-"
loglevel = "warning"
timeout = 120
