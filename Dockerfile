# One image for the user code server, the webserver and the daemon (docker-compose.yml).
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-por espeak-ng sox postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/affiliate
COPY pyproject.toml README.md ./
COPY affiliate_assets ./affiliate_assets
COPY dbt_project ./dbt_project
RUN pip install --no-cache-dir -e . \
    && cd dbt_project && dbt parse --quiet --profiles-dir .
COPY dagster.yaml workspace.docker.yaml ./
ENV DAGSTER_HOME=/opt/dagster_home
RUN mkdir -p $DAGSTER_HOME && cp dagster.yaml $DAGSTER_HOME/dagster.yaml
