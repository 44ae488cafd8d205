# syntax=docker/dockerfile:1
# Build stage: resolve the pinned dependencies into a virtualenv (wheels only, no compilers).
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
# Install the project to pull in its pinned dependencies, then drop the project itself:
# the image runs the source from /app, where alembic/ and alembic.ini sit beside it.
RUN /opt/venv/bin/pip install --only-binary=:all: --constraint constraints.txt . \
 && /opt/venv/bin/pip uninstall --yes todo-bot

# Runtime stage: the virtualenv and the source, run as an unprivileged user.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/todo-bot.sqlite3
RUN useradd --create-home --uid 10001 todo && mkdir /data && chown todo /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY alembic.ini ./
COPY alembic ./alembic
COPY bot ./bot
USER todo
# Without PostgreSQL (docker run), tasks are kept in a SQLite file on this volume.
VOLUME ["/data"]
# SIGTERM lets updates in flight finish (SHUTDOWN_TIMEOUT); exit code 0.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
