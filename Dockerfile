# agenda-mcp for a team: one image, MCP over streamable HTTP on port 8000.
#
#   docker build -t agenda-mcp .
#   docker run -p 8000:8000 -e AGENDA_MCP_HTTP_TOKEN=... -e AGENDA_MCP_ALLOWED_HOSTS=agenda.example.com \
#     -e PLANADAY_API_KEY=... -e PLANADAY_BASE_URL=... agenda-mcp
#
# With podman or buildah, build with `--format docker`: the OCI image format has no HEALTHCHECK.
#
# The token and the allowed host names come from the environment at run time: the server refuses to
# listen on 0.0.0.0 without them, so the image cannot be started open by mistake. No secret is baked in.
# tests/test_container.py checks these promises.

# One pinned base for both stages (Python 3.11 on Debian 12, patch version fixed): a rebuild gets the
# same interpreter, and an upgrade is a reviewed one-line change.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# -- builder: the wheel, exactly as `python -m build` makes it for PyPI --------------------------------
FROM ${PYTHON_IMAGE} AS builder
WORKDIR /src
RUN python -m pip install --no-cache-dir "build==1.6.1"
# Only what the wheel is built from (.dockerignore keeps the rest of the checkout out of the context).
COPY pyproject.toml README.md LICENSE ./
COPY src/ src/
RUN python -m build --wheel --outdir /dist .

# -- runtime: the installed wheel and nothing of the source tree --------------------------------------
FROM ${PYTHON_IMAGE}
# CA certificates for the HTTPS calls to the vendors' APIs (and to an OAuth issuer's keys).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# A fixed unprivileged user: the server needs no root, and a fixed uid suits runAsNonRoot policies.
RUN groupadd --system --gid 10001 agenda \
    && useradd --system --uid 10001 --gid agenda --create-home --home-dir /home/agenda agenda
# The team extra (Redis for shared state between replicas, JWT for OAuth tokens) is what makes the
# image a team server; the wheel is the one the builder stage made, not the source tree.
# (COPY, not a BuildKit bind mount, so podman/buildah and older Docker build it too.)
COPY --from=builder /dist/ /tmp/dist/
RUN python -m pip install --no-cache-dir "$(ls /tmp/dist/agenda_mcp-*.whl)[team]" && rm -rf /tmp/dist

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
# Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /home/agenda
EXPOSE 8000

# /healthz answers 200 without a token; python's urllib, as the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# Exec form, no shell in between: SIGTERM from `docker stop` or Kubernetes reaches agenda-mcp itself,
# which stops accepting connections and lets calls in flight finish (at most 25 s; give the container
# a 30 s grace period).
STOPSIGNAL SIGTERM
CMD ["agenda-mcp", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
