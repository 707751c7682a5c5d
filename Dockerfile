# Container image of the koopstadt C+R portal (docs/handbook.md, section 10).
#
#   docker build -t koopstadt-cr .
#
# One image for every role: the default command runs gunicorn; compose.yaml runs the same image as the
# release step (scripts/release), the Celery workers and celery beat. Migrations run only in the
# release step, never at build time or on start. No container engine runs on the development machines:
# this file is checked by reading and by running its commands outside a container (docs/install-record.md).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the locked Python packages in a virtual environment ---------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /src
# Only the lock file, so the layer is rebuilt only when dependencies change. Every file is checked
# against its sha256 in requirements/main.txt (which pins pip as well); wheels only, nothing is built.
# The project's own code is not a package (pyproject: packages = []): it runs from the source tree below.
COPY requirements/main.txt requirements/main.txt
RUN /opt/venv/bin/pip install --quiet --require-hashes --only-binary :all: --requirement requirements/main.txt

# --- runtime -------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
# postgresql-client: pg_dump and pg_restore for scripts/backup and scripts/restore (PostgreSQL 15).
# libpango-1.0-0, libpangoft2-1.0-0 and fonts-dejavu-core: WeasyPrint renders the tagged PDFs with
# them (koopstadt/pdf.py; PDF_DEBIAN_PACKAGES in scripts/lib/common.sh).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
         libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 koopstadt \
    && useradd --system --uid 10001 --gid koopstadt --home-dir /var/lib/koopstadt \
         --no-create-home --shell /usr/sbin/nologin koopstadt \
    && install -d -o koopstadt -g koopstadt -m 0755 /var/lib/koopstadt /var/lib/koopstadt/static \
    && install -d -o koopstadt -g koopstadt -m 0750 /var/lib/koopstadt/media /run/koopstadt \
         /run/koopstadt/metrics

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The source tree, read-only for the portal's user (owned by root); .dockerignore keeps out .git,
# .venv, .env, var/, tests and the like.
COPY . /app

# KOOPSTADT_PYTHON: the interpreter scripts/release, scripts/backup and scripts/restore use (no .venv here).
ENV PATH=/opt/venv/bin:$PATH \
    KOOPSTADT_PYTHON=/opt/venv/bin/python \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production \
    STATIC_ROOT=/var/lib/koopstadt/static \
    MEDIA_ROOT=/var/lib/koopstadt/media \
    GUNICORN_BIND=0.0.0.0:8000 \
    FORWARDED_ALLOW_IPS=*

USER koopstadt

# Static files belong to the code version, so they are collected into the image (compressed, with
# hashed names for WhiteNoise). This step only needs settings that import: the key and host below exist
# for this build step only, no database is touched. scripts/release collects them again at runtime.
RUN SECRET_KEY=build-only-collectstatic-key-never-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000

# Liveness: /healthz answers 200 when the process and the database answer. Sent as nginx would send
# it (a host from ALLOWED_HOSTS, X-Forwarded-Proto: https), so the HTTPS redirect does not apply.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request as u; host = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('.'); host = 'localhost' if host in ('', '*') else host; port = os.environ.get('GUNICORN_BIND', '0.0.0.0:8000').rsplit(':', 1)[-1]; r = u.urlopen(u.Request(f'http://127.0.0.1:{port}/healthz', headers={'Host': host, 'X-Forwarded-Proto': 'https'}), timeout=8); sys.exit(0 if r.status == 200 else 1)"]

# gunicorn (koopstadt/gunicorn.conf.py). prometheus_client's multiprocess mode needs an empty directory
# at every start; compose.yaml mounts a fresh tmpfs there as well.
CMD ["/bin/sh", "-c", "export PROMETHEUS_MULTIPROC_DIR=\"${PROMETHEUS_MULTIPROC_DIR:-/run/koopstadt/metrics}\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && find \"$PROMETHEUS_MULTIPROC_DIR\" -mindepth 1 -delete && exec gunicorn -c koopstadt/gunicorn.conf.py koopstadt.wsgi"]
