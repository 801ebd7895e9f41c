"""`python -m infra.sam_transform PACKAGED_TEMPLATE [Name=Value ...]`: the template as CloudFormation
gets it after its transforms (AWS::LanguageExtensions as infra/language_extensions.py does it, then
AWS::Serverless), for those parameter values (the others at their defaults), as JSON on stdout. Runs
in the SAM CLI's venv (.venv-sam), which has the SAM translator; the dev venv does not (it pins an
older pydantic than the layer's)."""

import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from infra.language_extensions import resolve


class NoManagedPolicies:
    """The template names no AWS managed policy by name, so the translator needs no IAM lookup."""

    def load(self) -> dict[str, str]:
        return {}


with open(sys.argv[1]) as packaged:
    parameters = dict(pair.split("=", 1) for pair in sys.argv[2:])
    print(json.dumps(transform(resolve(yaml_parse(packaged.read()), parameters), parameters, NoManagedPolicies())))
