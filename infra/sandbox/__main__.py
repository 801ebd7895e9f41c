"""python -m infra.sandbox [--port 8029]"""

import argparse

from infra.sandbox.app import create_app

parser = argparse.ArgumentParser(description="FaceID sandbox")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8029)
args = parser.parse_args()
create_app().run(host=args.host, port=args.port, threaded=True)
