"""`python -m infra.local.moto_server -H HOST -p PORT`: moto's server with DynamoDB's atomic writes,
and without the costs that grow with what it holds (moto_fast)."""

from moto.server import main

from infra.local import moto_atomic, moto_fast

if __name__ == "__main__":
    moto_atomic.install()
    moto_fast.install()
    main()
