"""`python -m infra.local.moto_server -H HOST -p PORT`: moto's server with DynamoDB's atomic writes,
and without the costs that grow with what it holds (moto_fast). Its HTTP server logs no line per
request (8% of its CPU under a bench's notifies); it still logs warnings and errors."""

import logging

from moto.server import main

from infra.local import moto_atomic, moto_fast

if __name__ == "__main__":
    moto_atomic.install()
    moto_fast.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    main()
