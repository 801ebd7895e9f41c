"""python -m infra.sandbox [--port 8029]"""

import argparse

from infra.sandbox.server import create_server

parser = argparse.ArgumentParser(description="FaceID sandbox")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8029)
args = parser.parse_args()
create_server().run(host=args.host, port=args.port, threaded=True)
