"""`python -m infra.local.moto_server -H HOST -p PORT`: moto's server with DynamoDB's atomic writes."""

from moto.server import main

from infra.local import moto_atomic

if __name__ == "__main__":
    moto_atomic.install()
    main()
