# One image for every service; its entrypoint is the `campaign` command.
#   docker build -t campaign-platform .
#   docker run campaign-platform serve plans        (or services.plans.service:PlansService)
#   docker run campaign-platform serve gateway      (the HTTP gateway; the default)
#   docker run -it campaign-platform create-admin --username admin
# The operators' console: a static build the gateway serves at /console/.
FROM node:20.20.2-bookworm-slim AS console
WORKDIR /console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console ./
RUN npm run build

FROM python:3.11.14-slim-bookworm AS build
WORKDIR /app
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml constraints.txt README.md ./
COPY services ./services
COPY stack ./stack
RUN python -m venv /venv && /venv/bin/pip install "setuptools<82" wheel \
 && /venv/bin/pip install -c constraints.txt .

FROM python:3.11.14-slim-bookworm
RUN useradd --system --uid 10001 campaign
COPY --from=build /venv /venv
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint
COPY --from=console /console/dist /app/console
# PYTHONDONTWRITEBYTECODE: the Kubernetes pods run with a read-only root file system.
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 ENVIRONMENT=production \
    CONSOLE_DIST_DIR=/app/console
USER campaign
EXPOSE 8000 9100
ENTRYPOINT ["docker-entrypoint"]
CMD ["serve", "gateway"]
