"""Independent judge for the Swift SigV4 signer: botocore's SigV4Auth signs the same requests.

Reads JSON lines on stdin, one request each:
  {"method", "url", "headers": [[name, value], ...], "body_hex", "access_key", "secret_key",
   "token" (or null), "region", "service", "epoch" (integer seconds)}
Writes one JSON line per request: {"signature", "canonical_request", "signed_headers"}.

botocore reads the clock itself: we patch botocore.auth.get_current_datetime to the request's
instant, so both signers see the same date. botocore sets X-Amz-Date and X-Amz-Security-Token
on the request exactly as the Swift signer does; everything else is passed through unchanged.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class RecordingSigV4Auth(SigV4Auth):
    """SigV4Auth that remembers the canonical request it signed (for diagnostics)."""

    last_canonical_request = None

    def string_to_sign(self, request, canonical_request):
        self.last_canonical_request = canonical_request
        return super().string_to_sign(request, canonical_request)


def sign(item):
    instant = datetime.datetime.fromtimestamp(item["epoch"], datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda *args, **kwargs: instant
    request = AWSRequest(method=item["method"], url=item["url"], data=bytes.fromhex(item["body_hex"]))
    for name, value in item["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
    credentials = Credentials(item["access_key"], item["secret_key"], item.get("token"))
    auth = RecordingSigV4Auth(credentials, item["service"], item["region"])
    auth.add_auth(request)
    authorization = request.headers["Authorization"]
    signed_headers = authorization.split("SignedHeaders=")[1].split(",")[0]
    return {
        "signature": authorization.rsplit("Signature=", 1)[1],
        "canonical_request": auth.last_canonical_request,
        "signed_headers": signed_headers,
    }


def main():
    for line in sys.stdin:
        line = line.strip()
        if line:
            sys.stdout.write(json.dumps(sign(json.loads(line))) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
