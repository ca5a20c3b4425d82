"""Checks JSON bodies the Swift client writes or reads against the SMS Voice v2 service model
that botocore ships (pinpoint-sms-voice-v2 2022-03-31).

Reads JSON lines on stdin: {"shape": "PutOptedOutNumberRequest", "body": {...}, "validate": true}.
Writes one JSON line per input:
  {"unknown": [paths in the body that the shape does not have],
   "missing": [paths of shape members absent from the body],
   "errors": botocore's parameter validation report ("" when valid or not asked)}
"""
import json
import sys

import botocore.session
from botocore.validate import ParamValidator


def compare(shape, value, path, unknown, missing):
    if shape.type_name == "structure":
        if not isinstance(value, dict):
            unknown.append(path + " (not an object)")
            return
        for key in value:
            if key not in shape.members:
                unknown.append(f"{path}.{key}")
        for name, member in shape.members.items():
            if name in value:
                compare(member, value[name], f"{path}.{name}", unknown, missing)
            else:
                missing.append(f"{path}.{name}")
    elif shape.type_name == "list":
        for index, item in enumerate(value if isinstance(value, list) else []):
            compare(shape.member, item, f"{path}[{index}]", unknown, missing)


def main():
    model = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        shape = model.shape_for(item["shape"])
        unknown, missing = [], []
        compare(shape, item["body"], item["shape"], unknown, missing)
        errors = ""
        if item.get("validate"):
            report = ParamValidator().validate(item["body"], shape)
            errors = report.generate_report() if report.has_errors() else ""
        sys.stdout.write(json.dumps({"unknown": unknown, "missing": missing, "errors": errors}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
