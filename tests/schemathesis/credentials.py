"""Creates the three kinds of credentials schemathesis needs against a running server with
the demo client (`demo` / `demo-secret`): prints shell assignments of SESSION_TOKEN (a fresh
widget session) and ACCESS_TOKEN (from a flow completed through the sandbox bank)."""

import sys
import time

import requests

base = sys.argv[1].rstrip("/")
client = ("demo", "demo-secret")
redirect = f"{base}/demo/callback"


def session(user: str) -> str:
    flow = requests.post(
        f"{base}/ongoing/access",
        auth=client,
        json={"redirect_uri": redirect, "user_id": user, "save_secrets": True},
        timeout=30,
    )
    flow.raise_for_status()
    token = flow.json()["location"].split("?token=", 1)[1]
    opened = requests.post(f"{base}/widget/session", json={"token": token}, timeout=30)
    opened.raise_for_status()
    return opened.json()["session_token"]


def access_token(user: str) -> str:
    bearer = {"Authorization": f"Bearer {session(user)}"}
    access = requests.post(
        f"{base}/rest/accesses",
        headers=bearer,
        json={
            "access_method_id": "kontolink-sandbox-pin",
            "credentials": {"login": "demo", "pin": "1234"},
            "save_secrets": True,
            "consent": True,
        },
        timeout=30,
    )
    access.raise_for_status()
    access_id = access.json()["id"]
    sync = requests.post(f"{base}/rest/accesses/{access_id}/syncs", headers=bearer, json={}, timeout=30)
    sync.raise_for_status()
    sync_id = sync.json()["id"]
    for _ in range(600):
        status = requests.get(
            f"{base}/rest/accesses/{access_id}/syncs/{sync_id}", headers=bearer, timeout=30
        ).json()["status"]
        if status in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.05)
    accounts = requests.get(f"{base}/rest/accounts", headers=bearer, timeout=30).json()["accounts"]
    done = requests.post(
        f"{base}/widget/complete",
        headers=bearer,
        json={"account_ids": [a["id"] for a in accounts]},
        timeout=30,
    )
    done.raise_for_status()
    code = done.json()["query"]["code"]
    tokens = requests.post(
        f"{base}/auth/token",
        auth=client,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
        timeout=30,
    )
    tokens.raise_for_status()
    return tokens.json()["access_token"]


print(f"SESSION_TOKEN={session('schemathesis-session')}")
print(f"ACCESS_TOKEN={access_token('schemathesis-access')}")
