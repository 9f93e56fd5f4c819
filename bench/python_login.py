"""The AWS documentation's flow (boto3 and requests), timed the same way as the broker's: from before
the first import to the login URL in hand. It reads the external ID from Secrets Manager as the broker
does, against the same local servers."""
import time

started = time.perf_counter()
import json  # noqa: E402
import os  # noqa: E402
import urllib.parse  # noqa: E402

import boto3  # noqa: E402
import requests  # noqa: E402

imported = time.perf_counter()
secrets = boto3.client("secretsmanager", region_name="eu-west-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"])
sts = boto3.client("sts", region_name="eu-west-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
external_id = secrets.get_secret_value(SecretId="console-broker/external-id/prod-readonly")["SecretString"]
credentials = sts.assume_role(
    RoleArn="arn:aws:iam::222222222222:role/ConsoleBrokerReadOnly",
    RoleSessionName="bench",
    ExternalId=external_id,
)["Credentials"]
session = json.dumps({
    "sessionId": credentials["AccessKeyId"],
    "sessionKey": credentials["SecretAccessKey"],
    "sessionToken": credentials["SessionToken"],
})
endpoint = os.environ["FEDERATION_ENDPOINT"]
token = requests.get(endpoint, params={"Action": "getSigninToken", "Session": session}, timeout=3).json()["SigninToken"]
login_url = endpoint + "?" + urllib.parse.urlencode({
    "Action": "login",
    "Issuer": "https://bench.example/",
    "Destination": "https://console.aws.amazon.com/ec2/home?region=eu-west-1",
    "SigninToken": token,
})
assert login_url
done = time.perf_counter()
print("BENCH " + json.dumps({"importMs": (imported - started) * 1000, "firstRequestMs": (done - imported) * 1000, "totalMs": (done - started) * 1000}), file=os.sys.stderr)
