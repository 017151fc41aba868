"""A mock of the Kontolink server's widget-facing endpoints, for smoke-testing the widget."""
import json, os, sys, time, uuid, re
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

DIST = sys.argv[1]
PORT = int(sys.argv[2])
ASSETS = sys.argv[3]
LOG = []

SANDBOX = {"id": "kontolink-sandbox", "name": "Kontolink Sandbox Bank", "blz": "90094815", "bic": "KLSBDEB1XXX",
           "city": "Berlin", "country": "DE", "access_methods": [{"id": "kontolink-sandbox-pin", "name": "PIN/TAN",
           "type": "SANDBOX", "credentials": [{"id": "login", "label": "Login", "is_secret": False, "is_optional": False},
                                              {"id": "pin", "label": "PIN", "is_secret": True, "is_optional": False}]}]}
BANKS = [SANDBOX] + [{"id": f"de-1001000{i}", "name": f"Testbank {i}", "blz": f"1001000{i}", "bic": None, "city": "Berlin",
                     "country": "DE", "access_methods": []} for i in range(5)]
SYNCS = {}
CHALLENGES = {
    "embedded": {"type": "EMBEDDED", "format": "TEXT", "data": "Bitte TAN 123456 eingeben"},
    "flicker": {"type": "EMBEDDED", "format": "HHD", "data": "0248A0120452019980812345678"},
    "photo": {"type": "EMBEDDED", "format": "PHOTO", "data": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="},
    "html": {"type": "EMBEDDED", "format": "HTML", "data": "<p>Bitte <b>TAN</b> eingeben<script>window.pwned=1</script><img src=x onerror='window.pwned=1'></p>"},
    "methods": {"type": "AUTH_METHOD_SELECT", "auth_methods": [{"id": "942", "medium_name": None, "type": "pushTAN", "additional_info": "App"}, {"id": "972", "medium_name": None, "type": "chipTAN", "additional_info": None}]},
    "decoupled": {"type": "DECOUPLED", "data": "Bitte in der App freigeben"},
    "redirect": {"type": "REDIRECT"},
}


def challenge(kind, sync_id):
    c = {"id": f"ch-{sync_id}", "type": None, "format": None, "data": None, "label": None, "input_format": "NUMERIC",
         "min_length": None, "max_length": 6, "additional_info": None, "auth_methods": [], "location": None}
    c.update(CHALLENGES[kind])
    if kind == "redirect":
        c["location"] = f"http://127.0.0.1:{PORT}/bank?sync={sync_id}"
    return c


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def err(self, status, code):
        self.send_json(status, {"error": {"code": code, "group": "x", "message": "m", "description": "d", "data": None}})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw else None

    def finish_redirect(self, query):
        host = "localhost" if "xo" in (self.headers.get("Authorization") or "") else "127.0.0.1"
        return {"redirect": f"http://{host}:{PORT}/cb", "query": query}

    def do_GET(self):
        u = urlparse(self.path)
        LOG.append(("GET", self.path, self.headers.get("Authorization")))
        if u.path == "/log":
            return self.send_json(200, LOG)
        if u.path == "/catalog/providers":
            q = parse_qs(u.query).get("q", [""])[0].lower()
            return self.send_json(200, {"providers": [b for b in BANKS if q in b["name"].lower() or q in (b["blz"] or "")]})
        m = re.match(r"^/catalog/providers/(.+)$", u.path)
        if m:
            return self.send_json(200, SANDBOX) if m.group(1) == SANDBOX["id"] else self.err(404, 1002)
        m = re.match(r"^/rest/accesses/([^/]+)/syncs/([^/]+)$", u.path)
        if m:
            s = SYNCS[m.group(2)]
            s["polls"] += 1
            if s["status"] == "RUNNING" and s["polls"] >= 2:
                login = s["login"]
                if s.get("pin") == "wrong":
                    s["status"] = "FAILED"; s["error"] = {"code": 10000, "group": "USER", "message": "m", "description": "d", "data": None}
                elif login == "locked":
                    s["status"] = "FAILED"; s["error"] = {"code": 10012, "group": "USER", "message": "m", "description": "d", "data": None}
                elif login == "limit":
                    s["status"] = "FAILED"; s["error"] = {"code": 1020, "group": "CLIENT", "message": "m", "description": "d", "data": {"next_sync_possible_at": "2026-11-22T08:00:00Z"}}
                elif login in CHALLENGES and not s.get("answered"):
                    s["status"] = "AWAIT_AUTH"; s["challenge"] = challenge(login, s["id"])
                else:
                    s["status"] = "COMPLETED"; s["step"] = "FETCH_ACCOUNTS"
            if s["status"] == "AWAIT_AUTH" and s["login"] == "decoupled" and s["polls"] > 5:
                s["status"] = "RUNNING"; s["answered"] = True; s["challenge"] = None; s["polls"] = 0
            out = {k: v for k, v in s.items() if k not in ("polls", "login", "pin", "answered")}
            return self.send_json(200, out)
        if u.path == "/rest/accounts":
            return self.send_json(200, {"accounts": [
                {"id": "acc-giro", "access_id": "access-1", "iban": "DE82900948150000002881", "name": "Girokonto", "type": "Giro account",
                 "currency": "EUR", "owner": "Erika", "balance": {"balance": "1234.56", "available": None, "currency": "EUR", "balance_date": "2026-11-21"}},
                {"id": "acc-save", "access_id": "access-1", "iban": "DE12900948150000002882", "name": "Tagesgeld", "type": "Savings account",
                 "currency": "EUR", "owner": "Erika", "balance": {"balance": "-50", "available": None, "currency": "EUR", "balance_date": "2026-11-21"}}]})
        if u.path == "/bank":
            sid = parse_qs(u.query)["sync"][0]
            s = SYNCS[sid]
            target = s["redirect_uri"] + "?state=" + s["state"]
            s["approved"] = True
            body = f"<html><body><a id=approve href='{target}'>Approve</a></body></html>".encode()
            self.send_response(200); self.send_header("Content-Type", "text/html"); self.end_headers(); self.wfile.write(body)
            return
        if u.path in ("/kontolink.js", "/demo/demo.js"):
            data = open(ASSETS + "/" + u.path.rsplit("/", 1)[-1], "rb").read()
            self.send_response(200); self.send_header("Content-Type", "text/javascript"); self.end_headers(); self.wfile.write(data)
            return
        if u.path == "/integrator.html":
            self.send_response(200); self.send_header("Content-Type", "text/html"); self.end_headers()
            self.wfile.write(f"<html><body><button id=b>x</button><script src='/kontolink.js'></script><script>window.events=[];window.open1=()=>Kontolink.open({{location:'http://127.0.0.1:{PORT}/?token=good-xo',onSuccess:r=>window.result={{ok:r}},onExit:r=>window.result={{exit:r}},onEvent:e=>window.events.push(e.event)}});</script></body></html>".encode())
            return
        if u.path == "/parent.html":
            self.send_response(200); self.send_header("Content-Type", "text/html"); self.end_headers()
            self.wfile.write(b"<html><body><script>window.msgs=[];addEventListener('message',e=>window.msgs.push({data:e.data,origin:e.origin}))</script><iframe id=f style='width:400px;height:700px' src='/?token=good'></iframe></body></html>")
            return
        if u.path == "/cb":
            self.send_response(200); self.send_header("Content-Type", "text/html"); self.end_headers()
            self.wfile.write(b"<html><body>callback</body></html>")
            return
        path = os.path.join(DIST, u.path.lstrip("/"))
        if not os.path.isfile(path):
            path = os.path.join(DIST, "index.html")
        data = open(path, "rb").read()
        ctype = {"js": "text/javascript", "wasm": "application/wasm", "css": "text/css", "html": "text/html"}.get(path.rsplit(".", 1)[-1], "application/octet-stream")
        self.send_response(200); self.send_header("Content-Type", ctype); self.end_headers(); self.wfile.write(data)

    def do_POST(self):
        u = urlparse(self.path)
        b = self.body()
        LOG.append(("POST", self.path, self.headers.get("Authorization"), b))
        if u.path == "/widget/session":
            tok = b["token"]
            if tok == "used":
                return self.err(400, 1030)
            lang = "en" if tok.endswith("-en") else "de"
            return self.send_json(201, {"session_token": "st-" + tok, "expires_in": 1800, "flow": {
                "id": "flow-1", "language": lang, "accounts": [], "account_types": None,
                "allow_multi_selection": not tok.startswith("single"), "sync_period": 90, "save_secrets_allowed": True,
                "provider_id": "kontolink-sandbox" if tok.startswith("preset") else None}})
        if u.path == "/rest/accesses":
            return self.send_json(201, {"id": "access-1", "provider_id": "kontolink-sandbox", "access_method_id": b["access_method_id"],
                                        "accounts": [], "secrets_saved": False, "next_sync_possible_at": None,
                                        "created_at": "2026-11-21T10:00:00Z", "last_synced_at": None, "status": "ACTIVE",
                                        "_login": b["credentials"].get("login")})
        m = re.match(r"^/rest/accesses/([^/]+)/syncs$", u.path)
        if m:
            sid = "sync-" + uuid.uuid4().hex[:6]
            creds = b.get("credentials") or {}
            SYNCS[sid] = {"id": sid, "access_id": m.group(1), "status": "RUNNING", "scope": ["ACCOUNTS"], "challenge": None,
                          "error": None, "step": "LOGIN", "created_at": "t", "started_at": None, "ended_at": None, "polls": 0,
                          "login": creds.get("login"), "pin": creds.get("pin"), "redirect_uri": b.get("redirect_uri"), "state": b.get("state")}
            return self.send_json(201, {k: v for k, v in SYNCS[sid].items() if k not in ("polls", "login", "pin", "answered")})
        m = re.match(r"^/rest/accesses/([^/]+)/syncs/([^/]+)/challenges/([^/]+)/response$", u.path)
        if m:
            s = SYNCS[m.group(2)]
            if b.get("value") is not None and b["value"] != "123456":
                return self.err(400, 10004)
            if s["login"] == "redirect" and not s.get("approved"):
                return self.send_json(200, {})
            if s["login"] == "methods" and b.get("method_id"):
                s["login"] = "embedded"; s["challenge"] = challenge("embedded", s["id"] + "b"); s["polls"] = 0
                return self.send_json(200, {})
            s["answered"] = True; s["status"] = "RUNNING"; s["challenge"] = None; s["polls"] = 0
            return self.send_json(200, {})
        if u.path == "/widget/complete":
            return self.send_json(200, self.finish_redirect({"code": "the-code", "state": "st", "success": "true"}))
        if u.path == "/widget/cancel":
            return self.send_json(200, self.finish_redirect({"state": "st", "success": "false", "cancel": "true"}))
        if u.path == "/widget/fail":
            return self.send_json(200, self.finish_redirect({"state": "st", "success": "false", "error": b["error"]}))
        self.err(404, 1002)


ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
