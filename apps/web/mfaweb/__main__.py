"""python3 -m mfaweb [--data DIR] [--store URL] [--host H] [--port N] ...: runs the reference service.

The data folder holds the key ring (made 0600 on first start), the app's SQLite file and, by
default, the toolkit's SQLite store. Several instances share one --data folder and one
--store redis://… (docs/web.md).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

import mfakit

from .app import Config, create_app


def _keyring(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        pass
    text = mfakit.keyring_generate()
    # O_EXCL: two instances starting together never overwrite each other's new ring.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path) as f:
            return f.read()
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return text


def _duration(text: str) -> int:
    """"90d", "12h", "30m", "45s" or plain seconds, as seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    t = text.strip().lower()
    n, unit = (t[:-1], units[t[-1]]) if t and t[-1] in units else (t, 1)
    if not n.isdigit() or int(n) == 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a length of time like 90d, 12h, 30m or 45s")
    return int(n) * unit


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="mfaweb", description="The mfakit reference web service (docs/web.md).")
    p.add_argument("--data", default="web-data", help="data folder: key ring, app.db, the default store (default ./web-data)")
    p.add_argument("--store", help="toolkit store URL (default sqlite:DATA/mfa.db; redis://host:port/db for several instances)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one and prints it)")
    p.add_argument("--origin", help="the origin browsers use (default http://localhost:PORT); https:// turns on Secure cookies and HSTS")
    p.add_argument("--rp-id", help="WebAuthn relying-party id (default: the origin's host)")
    p.add_argument("--trust-proxy", type=int, default=0, metavar="N",
                   help="behind N reverse proxies: take the client address from X-Forwarded-For (default 0: the peer)")
    for name, what in (("free-failures", "failures before delays"), ("base-delay", "first delay, seconds"),
                       ("max-delay", "longest delay, seconds"), ("lock-after", "failures that lock the account"),
                       ("lock-duration", "seconds a lock lasts (0: until an admin unlocks)")):
        p.add_argument("--" + name, type=int, help=f"throttle: {what} (the toolkit's default when not given)")
    p.add_argument("--backup-dir", help="where the SQLite store's backups go (default DATA/backups; '' for none)")
    p.add_argument("--maintenance-interval", type=int, default=86400, metavar="SECONDS",
                   help="backup and key maintenance every SECONDS per process (default 86400; 0: never, run them from cron)")
    p.add_argument("--key-max-age", type=_duration, default=90 * 86400, metavar="AGE",
                   help="make a new key when the current one is AGE old: seconds, or with s, m, h, d (default 90d)")
    p.add_argument("--backup-retention-days", type=int, default=30, help="keep backups this long (default 30)")
    a = p.parse_args(argv)

    os.umask(0o077)  # the stores, the key ring and app.db: readable by the service's user only
    os.makedirs(a.data, mode=0o700, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stdout)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its access log prints query strings

    from werkzeug.serving import make_server
    server = make_server(a.host, a.port, app=None, threaded=True)  # type: ignore[arg-type]
    port = server.server_port
    origin = a.origin or f"http://localhost:{port}"
    rp_id = a.rp_id or origin.split("://", 1)[1].split(":", 1)[0].split("/", 1)[0]
    opts = {k: v for k, v in (("free_failures", a.free_failures), ("base_delay", a.base_delay),
                              ("max_delay", a.max_delay), ("lock_after", a.lock_after),
                              ("lock_duration", a.lock_duration)) if v is not None}
    keyring_path = os.path.join(a.data, "keyring")
    cfg = Config(data_dir=a.data, store_url=a.store or f"sqlite:{os.path.join(a.data, 'mfa.db')}", origin=origin,
                 rp_id=rp_id, keyring=_keyring(keyring_path), toolkit_options=opts,
                 cookie_secure=origin.startswith("https://"), keyring_path=keyring_path,
                 backup_dir=os.path.join(a.data, "backups") if a.backup_dir is None else a.backup_dir,
                 maintenance_interval=a.maintenance_interval, key_max_age=a.key_max_age,
                 backup_retention_days=a.backup_retention_days)
    app = create_app(cfg)
    if a.trust_proxy:
        # The allow lists and the audit log see the client's address, not the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=a.trust_proxy)  # type: ignore[method-assign]
    server.app = app
    print(f"mfaweb listening on http://{a.host}:{port} (origin {origin}, store {cfg.store_url.split('?')[0]})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
