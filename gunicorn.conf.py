"""gunicorn settings of a web process: `make serve`, docs/deploy.md and the tests' live stack
all run ``gunicorn --config gunicorn.conf.py wsgi:app``.

Socket.IO runs in threading mode: each WebSocket holds one thread of the process
(simple-websocket), hence many threads. One worker process, because gunicorn's balancer has no
sticky sessions and Socket.IO's long-polling fallback keeps a client's state in the process
that opened it: for more processes, start more of these servers, each on its own port, behind
a proxy with sticky sessions, all sharing Redis as the Socket.IO message queue.

Environment: HOST (127.0.0.1), PORT (5000), WEB_THREADS (100), WEB_GRACEFUL_TIMEOUT (30 s).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
worker_class = "gthread"
workers = 1
threads = int(os.environ.get("WEB_THREADS", "100"))
#: a stop or restart waits this long for requests in flight; open WebSockets are then closed
#: and their pages reconnect (to this process once restarted, or to another)
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))
