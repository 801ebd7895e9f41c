"""`python infra/sam_transform.py PACKAGED_TEMPLATE [Name=value ...]`: the template as CloudFormation
gets it after the AWS::Serverless transform, with those parameter values (the rest at their
defaults, as the transform resolves them at deploy time), as JSON on stdout. Runs in the SAM CLI's
venv (.venv-sam), which has the SAM translator; the dev venv does not (it pins an older pydantic
than the layer's)."""

import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no AWS managed policy by name, so the translator needs no IAM lookup."""

    def load(self) -> dict[str, str]:
        return {}


parameters = dict(argument.split("=", 1) for argument in sys.argv[2:])
with open(sys.argv[1]) as packaged:
    print(json.dumps(transform(yaml_parse(packaged.read()), parameters, NoManagedPolicies())))
