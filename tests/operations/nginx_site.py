"""The handbook's nginx site (docs/deploy/nginx/koopstadt.conf) made runnable in a test directory.

Only what a test cannot use is changed: the certificate (a self-signed one), log and temporary files,
the ports (80 and 443 need root and may be taken), and on request the upstream address, the static root
and the server name.
"""

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

from tests.conftest import ROOT, require_services

NGINX_SITE = ROOT / "docs" / "deploy" / "nginx" / "koopstadt.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::", 0))
    except OSError:
        return False
    return True


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    require_services(path is not None, "nginx is not installed (apt-get install nginx)")
    return str(path)


def self_signed_certificate(directory: Path, name: str) -> None:
    openssl = shutil.which("openssl")
    require_services(openssl is not None, "openssl is not installed")
    subprocess.run(
        [
            str(openssl),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-days",
            "2",
            "-keyout",
            str(directory / "privkey.pem"),
            "-out",
            str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def nginx_config(
    directory: Path,
    *,
    upstream: str | None = None,
    static_parent: Path | None = None,
    server_name: str | None = None,
) -> tuple[Path, int, int, int]:
    """Write site.conf and nginx.conf into ``directory``.

    Returns nginx.conf and the ports of HTTP, HTTPS and the monitoring listener (9180 in the site).
    """
    self_signed_certificate(directory, server_name or "cr.example.org")
    site = NGINX_SITE.read_text()
    site = site.replace("/etc/ssl/koopstadt/", f"{directory}/").replace("/var/log/nginx/", f"{directory}/")
    http_port, https_port = free_port(), free_port()
    site = re.sub(r"listen (\[::\]:)?80\b", rf"listen \g<1>{http_port}", site)
    site = re.sub(r"listen (\[::\]:)?443\b", rf"listen \g<1>{https_port}", site)
    monitoring_port = free_port()
    site = site.replace("listen 127.0.0.1:9180;", f"listen 127.0.0.1:{monitoring_port};")
    if upstream:
        site = site.replace("server 127.0.0.1:8000;", f"server {upstream};")
    if static_parent:
        site = site.replace("root /var/lib/koopstadt;", f"root {static_parent};")
    if server_name:
        site = site.replace("cr.example.org", server_name)
    if not ipv6_available():
        site = re.sub(r"^\s*listen \[::\].*$", "", site, flags=re.MULTILINE)
    (directory / "site.conf").write_text(site)
    mime_types = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would become "nobody" and could not read the test's files.
    user = "user root;" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{}}
http {{
    {mime_types}
    default_type application/octet-stream;
    access_log {directory}/access.log;
{temp_paths}
    include {directory}/site.conf;
}}
"""
    )
    return directory / "nginx.conf", http_port, https_port, monitoring_port


def nginx_command(config: Path, *args: str) -> list[str]:
    directory = config.parent
    return [
        nginx_binary(),
        *args,
        "-p",
        str(directory),
        "-c",
        str(config),
        "-e",
        str(directory / "error.log"),
    ]
