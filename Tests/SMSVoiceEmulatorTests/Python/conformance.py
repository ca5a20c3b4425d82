"""Drives the SMS Voice v2 emulator with boto3, the official AWS SDK for Python, as the judge.

Usage: conformance.py ENDPOINT_URL
The emulator must accept AKIDEXAMPLE/wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY and
ASIATEMPEXAMPLE/tempSecretKeyExample with session token "session-token-example".
Prints one JSON object: {"checks": [{"name", "ok", "detail"}], "passed": n, "failed": n}.
"""
import datetime
import json
import sys
import urllib.request

import boto3
import botocore
from botocore.config import Config

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
checks = []


def check(name, ok, detail=""):
    checks.append({"name": name, "ok": bool(ok), "detail": str(detail)[:500]})


def control(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(ENDPOINT + "/_emulator/" + path, data=data, method="GET" if body is None else "POST")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def client(akid="AKIDEXAMPLE", secret="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token=None, validate=True, attempts=3):
    return boto3.client(
        "pinpoint-sms-voice-v2", endpoint_url=ENDPOINT, region_name=REGION,
        aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token,
        config=Config(parameter_validation=validate, retries={"max_attempts": attempts, "mode": "standard"}))


def expect_error(name, exc_class_name, call, sdk, **fields):
    """Runs call(); passes when it raises the SDK's modeled class `exc_class_name` with the given fields."""
    try:
        call()
        check(name, False, "no error raised")
        return None
    except botocore.exceptions.ClientError as e:
        expected_class = getattr(sdk.exceptions, exc_class_name, None)
        problems = []
        if expected_class is not None and not isinstance(e, expected_class):
            problems.append(f"class {type(e).__name__} is not {exc_class_name}")
        if e.response["Error"]["Code"] != exc_class_name:
            problems.append(f"code {e.response['Error']['Code']}")
        if not e.response["ResponseMetadata"].get("RequestId"):
            problems.append("no request id")
        for key, want in fields.items():
            got = e.response.get(key)
            if callable(want):
                if not want(got):
                    problems.append(f"{key}={got!r}")
            elif got != want:
                problems.append(f"{key}={got!r} want {want!r}")
        check(name, not problems, "; ".join(problems) or e.response["Error"].get("Message", ""))
        return e


sms = client()
raw = client(validate=False, attempts=1)  # skips botocore's client-side checks, so the server's validation is judged
one_shot = client(attempts=1)

# --- opt-out lists ---
r = sms.create_opt_out_list(OptOutListName="cards", Tags=[{"Key": "bu", "Value": "cards"}], ClientToken="tok-1")
check("CreateOptOutList returns name, ARN, tags, timestamp",
      r["OptOutListName"] == "cards" and r["OptOutListArn"].endswith(":opt-out-list/cards")
      and r["Tags"] == [{"Key": "bu", "Value": "cards"}] and isinstance(r["CreatedTimestamp"], datetime.datetime)
      and r["ResponseMetadata"]["RequestId"], r)
r2 = sms.create_opt_out_list(OptOutListName="cards", ClientToken="tok-1")
check("CreateOptOutList with the same ClientToken is idempotent", r2["OptOutListArn"] == r["OptOutListArn"], r2)
expect_error("CreateOptOutList on an existing name raises ConflictException", "ConflictException",
             lambda: sms.create_opt_out_list(OptOutListName="cards"), sms,
             Reason="RESOURCE_ALREADY_EXISTS", ResourceType="opt-out-list", ResourceId="cards")
expect_error("CreateOptOutList with a bad name raises ValidationException with Fields", "ValidationException",
             lambda: raw.create_opt_out_list(OptOutListName="bad name!"), raw,
             Reason="FIELD_VALIDATION_FAILED", Fields=lambda f: bool(f) and f[0]["Name"] == "OptOutListName")
expect_error("CreateOptOutList with a 65-char name raises ValidationException", "ValidationException",
             lambda: raw.create_opt_out_list(OptOutListName="x" * 65), raw, Reason="FIELD_VALIDATION_FAILED")
for name in ["loans", "travel", "insurance"]:
    sms.create_opt_out_list(OptOutListName=name)
names = [l["OptOutListName"] for page in sms.get_paginator("describe_opt_out_lists").paginate(PaginationConfig={"PageSize": 2})
         for l in page["OptOutLists"]]
check("DescribeOptOutLists paginator walks every list once",
      sorted(names) == ["Default", "cards", "insurance", "loans", "travel"], names)
r = sms.describe_opt_out_lists(OptOutListNames=["cards", r["OptOutListArn"]])
check("DescribeOptOutLists by name and ARN", [l["OptOutListName"] for l in r["OptOutLists"]] == ["cards", "cards"], r)
expect_error("DescribeOptOutLists of a missing list raises ResourceNotFoundException", "ResourceNotFoundException",
             lambda: sms.describe_opt_out_lists(OptOutListNames=["nope"]), sms, ResourceType="opt-out-list", ResourceId="nope")
expect_error("DescribeOptOutLists with MaxResults 101 raises ValidationException", "ValidationException",
             lambda: raw.describe_opt_out_lists(MaxResults=101), raw, Reason="FIELD_VALIDATION_FAILED")
expect_error("DescribeOptOutLists with a forged NextToken raises ValidationException", "ValidationException",
             lambda: sms.describe_opt_out_lists(NextToken="Zm9yZ2Vk"), sms, Reason="INVALID_NEXT_TOKEN")
expect_error("DescribeOptOutLists with Owner=nobody raises ValidationException (enum)", "ValidationException",
             lambda: raw.describe_opt_out_lists(Owner="nobody"), raw, Reason="FIELD_VALIDATION_FAILED")

# --- opted-out numbers ---
r = sms.put_opted_out_number(OptOutListName="cards", OptedOutNumber="+12065550100")
check("PutOptedOutNumber returns the record with EndUserOptedOut false",
      r["OptedOutNumber"] == "+12065550100" and r["EndUserOptedOut"] is False and r["OptOutListName"] == "cards"
      and isinstance(r["OptedOutTimestamp"], datetime.datetime), r)
r = sms.put_opted_out_number(OptOutListName="arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/cards", OptedOutNumber="12065550100")
check("PutOptedOutNumber by ARN and without '+' is the same number", r["OptedOutNumber"] == "+12065550100", r)
expect_error("PutOptedOutNumber with a non-number raises ValidationException naming OptedOutNumber", "ValidationException",
             lambda: raw.put_opted_out_number(OptOutListName="cards", OptedOutNumber="abc"), raw,
             Reason="FIELD_VALIDATION_FAILED", Fields=lambda f: bool(f) and f[0]["Name"] == "OptedOutNumber")
expect_error("PutOptedOutNumber with a pattern-valid but invalid number raises ValidationException", "ValidationException",
             lambda: sms.put_opted_out_number(OptOutListName="cards", OptedOutNumber="+10005550100"), sms,
             Reason="INVALID_PARAMETER")
expect_error("PutOptedOutNumber without OptedOutNumber raises ValidationException", "ValidationException",
             lambda: raw.put_opted_out_number(OptOutListName="cards"), raw,
             Reason="FIELD_VALIDATION_FAILED", Fields=lambda f: bool(f) and f[0]["Name"] == "OptedOutNumber")
expect_error("PutOptedOutNumber on a missing list raises ResourceNotFoundException", "ResourceNotFoundException",
             lambda: sms.put_opted_out_number(OptOutListName="missing", OptedOutNumber="+12065550100"), sms,
             ResourceType="opt-out-list", ResourceId="missing")

numbers = [f"+4420794609{i:02d}" for i in range(25)]
for n in numbers:
    sms.put_opted_out_number(OptOutListName="loans", OptedOutNumber=n)
seen = [n["OptedOutNumber"] for page in sms.get_paginator("describe_opted_out_numbers").paginate(
    OptOutListName="loans", PaginationConfig={"PageSize": 7}) for n in page["OptedOutNumbers"]]
check("DescribeOptedOutNumbers paginator returns all 25 numbers once", sorted(seen) == sorted(numbers), len(seen))

page1 = sms.describe_opted_out_numbers(OptOutListName="loans", MaxResults=10)
first = [n["OptedOutNumber"] for n in page1["OptedOutNumbers"]]
# The list changes between pages: delete one already returned, one not yet returned, add one before and one after.
sms.delete_opted_out_number(OptOutListName="loans", OptedOutNumber=first[0])
sms.delete_opted_out_number(OptOutListName="loans", OptedOutNumber=numbers[20])
sms.put_opted_out_number(OptOutListName="loans", OptedOutNumber="+442079460800")
sms.put_opted_out_number(OptOutListName="loans", OptedOutNumber="+442079460999")
rest = []
token = page1["NextToken"]
while token:
    p = sms.describe_opted_out_numbers(OptOutListName="loans", MaxResults=10, NextToken=token)
    rest += [n["OptedOutNumber"] for n in p["OptedOutNumbers"]]
    token = p.get("NextToken")
expected_rest = sorted(set(numbers[10:]) - {numbers[20]} | {"+442079460999"})
check("NextToken stays valid while the list changes (no repeats, no skipped survivors)",
      rest == expected_rest and not set(rest) & set(first), {"rest": rest, "expected": expected_rest})

r = sms.describe_opted_out_numbers(OptOutListName="loans", OptedOutNumbers=numbers[1:4])
check("DescribeOptedOutNumbers with OptedOutNumbers returns those",
      [n["OptedOutNumber"] for n in r["OptedOutNumbers"]] == numbers[1:4], r["OptedOutNumbers"])
expect_error("DescribeOptedOutNumbers with 6 numbers raises ValidationException", "ValidationException",
             lambda: raw.describe_opted_out_numbers(OptOutListName="loans", OptedOutNumbers=numbers[:6]), raw,
             Reason="FIELD_VALIDATION_FAILED")
expect_error("DescribeOptedOutNumbers with an unknown filter name raises ValidationException", "ValidationException",
             lambda: raw.describe_opted_out_numbers(OptOutListName="loans", Filters=[{"Name": "colour", "Values": ["x"]}]), raw,
             Reason="FIELD_VALIDATION_FAILED")

# --- the end user replies STOP ---
pool = control("pools", {"optOutListName": "cards"})
added = control("stop", {"number": "+13125550123", "pool": pool["poolId"]})
r = sms.describe_opted_out_numbers(OptOutListName="cards", Filters=[{"Name": "end-user-opted-out", "Values": ["true"]}])
check("A simulated STOP appears with EndUserOptedOut true under the end-user-opted-out filter",
      added["added"] and [(n["OptedOutNumber"], n["EndUserOptedOut"]) for n in r["OptedOutNumbers"]] == [("+13125550123", True)], r)
r = sms.describe_opted_out_numbers(OptOutListName="cards", Filters=[{"Name": "end-user-opted-out", "Values": ["false"]}])
check("The end-user-opted-out=false filter returns API-added numbers only",
      [n["OptedOutNumber"] for n in r["OptedOutNumbers"]] == ["+12065550100"], r)

# --- deleting numbers and the 30-day rule ---
r = sms.delete_opted_out_number(OptOutListName="cards", OptedOutNumber="+12065550100")
check("DeleteOptedOutNumber returns the removed record", r["OptedOutNumber"] == "+12065550100" and r["EndUserOptedOut"] is False, r)
expect_error("DeleteOptedOutNumber of an absent number raises ResourceNotFoundException", "ResourceNotFoundException",
             lambda: sms.delete_opted_out_number(OptOutListName="cards", OptedOutNumber="+12065550100"), sms,
             ResourceType="opted-out-number")
sms.put_opted_out_number(OptOutListName="cards", OptedOutNumber="+12065550100")
expect_error("A second DeleteOptedOutNumber within 30 days raises ConflictException", "ConflictException",
             lambda: sms.delete_opted_out_number(OptOutListName="cards", OptedOutNumber="+12065550100"), sms,
             ResourceType="opted-out-number")
control("clock", {"advanceSeconds": 31 * 86400})
r = sms.delete_opted_out_number(OptOutListName="cards", OptedOutNumber="+12065550100")
check("After 30 days the number can be deleted again", r["OptedOutNumber"] == "+12065550100", r)

# --- pools ---
pool2 = control("pools", {"optOutListName": "Default", "selfManagedOptOutsEnabled": True})
ids = [p["PoolId"] for page in sms.get_paginator("describe_pools").paginate(PaginationConfig={"PageSize": 1}) for p in page["Pools"]]
check("DescribePools paginator lists both pools", sorted(ids) == sorted([pool["poolId"], pool2["poolId"]]), ids)
r = sms.update_pool(PoolId=pool["poolId"], OptOutListName="travel", SelfManagedOptOutsEnabled=True)
check("UpdatePool associates the opt-out list and sets SelfManagedOptOutsEnabled",
      r["OptOutListName"] == "travel" and r["SelfManagedOptOutsEnabled"] is True and r["PoolId"] == pool["poolId"], r)
r = sms.describe_pools(Filters=[{"Name": "opt-out-list-name", "Values": ["travel"]}])
check("DescribePools filters by opt-out-list-name", [p["PoolId"] for p in r["Pools"]] == [pool["poolId"]], r)
added = control("stop", {"number": "+13125550199", "pool": pool["poolId"]})
check("A STOP to a self-managed pool adds nothing", added["added"] is False, added)
expect_error("UpdatePool of a missing pool raises ResourceNotFoundException", "ResourceNotFoundException",
             lambda: sms.update_pool(PoolId="pool-doesnotexist"), sms, ResourceType="pool")
expect_error("UpdatePool to a missing list raises ResourceNotFoundException", "ResourceNotFoundException",
             lambda: sms.update_pool(PoolId=pool["poolId"], OptOutListName="nolist"), sms, ResourceType="opt-out-list")

# --- deleting lists ---
expect_error("DeleteOptOutList of a list in use by a pool raises ConflictException", "ConflictException",
             lambda: sms.delete_opt_out_list(OptOutListName="travel"), sms, ResourceType="opt-out-list")
r = sms.delete_opt_out_list(OptOutListName="insurance")
check("DeleteOptOutList returns the deleted list", r["OptOutListName"] == "insurance", r)
expect_error("DeleteOptOutList of a missing list raises ResourceNotFoundException", "ResourceNotFoundException",
             lambda: sms.delete_opt_out_list(OptOutListName="insurance"), sms, ResourceType="opt-out-list")

# --- quotas, faults, account state ---
control("config", {"quotas": {"DescribeOptOutLists": 0.1}})  # one token, refilled after 10 s
one_shot.describe_opt_out_lists()
expect_error("Beyond the quota the SDK raises ThrottlingException", "ThrottlingException",
             lambda: one_shot.describe_opt_out_lists(), one_shot)
control("config", {"quotas": {}, "faultRate": 1.0, "faultKinds": ["error"]})
expect_error("An injected fault raises InternalServerException (HTTP 500)", "InternalServerException",
             lambda: one_shot.describe_opt_out_lists(), one_shot,
             ResponseMetadata=lambda m: m["HTTPStatusCode"] == 500)
control("config", {"faultRate": 0.0, "accountDisabled": True})
expect_error("A disabled account raises AccessDeniedException", "AccessDeniedException",
             lambda: sms.describe_opt_out_lists(), sms, Reason="ACCOUNT_DISABLED")
control("config", {"accountDisabled": False})

# --- signatures ---
expect_error("A wrong secret key raises the SDK's InvalidSignatureException", "InvalidSignatureException",
             lambda: client(secret="not-the-secret").describe_opt_out_lists(), sms,
             ResponseMetadata=lambda m: m["HTTPStatusCode"] == 403)
expect_error("An unknown access key raises UnrecognizedClientException", "UnrecognizedClientException",
             lambda: client(akid="AKIDUNKNOWN").describe_opt_out_lists(), sms)
r = client(akid="ASIATEMPEXAMPLE", secret="tempSecretKeyExample", token="session-token-example").describe_opt_out_lists()
check("Temporary credentials with their session token are accepted", len(r["OptOutLists"]) >= 1, r)
expect_error("Temporary credentials without the session token are refused", "UnrecognizedClientException",
             lambda: client(akid="ASIATEMPEXAMPLE", secret="tempSecretKeyExample").describe_opt_out_lists(), sms)
expect_error("A wrong session token is refused", "UnrecognizedClientException",
             lambda: client(akid="ASIATEMPEXAMPLE", secret="tempSecretKeyExample", token="stolen").describe_opt_out_lists(), sms)

stats = control("stats")
check("Statistics count requests, bad signatures, validation errors and throttles",
      stats["requestsByOperation"].get("PutOptedOutNumber", 0) >= 30 and stats["badSignatures"] >= 4
      and stats["validationErrors"] >= 5 and stats["throttled"] >= 1 and stats["duplicatePuts"] >= 1
      and stats["stopsSimulated"] == 2, stats)

passed = sum(1 for c in checks if c["ok"])
print(json.dumps({"checks": checks, "passed": passed, "failed": len(checks) - passed, "boto3": boto3.__version__}))
