# digest as a container: the daemon (`digest run`) as an unprivileged user, its state in a volume.
#   docker build -t digest .
#   docker run -d --name digest -v digest-state:/data -v /srv/news:/news:ro \
#       -v "$PWD/digest.toml:/config/digest.toml:ro" -e DIGEST_SMTP_PASSWORD=... digest
# The config's [sources] folders must name paths inside the container (/news above).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY digest ./digest
# A regular (not editable) install: the templates travel inside the package.
RUN pip install . && rm -rf /src

RUN useradd --system --create-home --home-dir /home/digest --uid 10001 digest \
    && mkdir -p /data /config \
    && chown digest:digest /data
USER digest
WORKDIR /home/digest

# DIGEST_HOME holds state.sqlite (articles, stories, the send ledger): keep it in a volume so
# that a new container neither re-sends nor forgets what was sent.
ENV DIGEST_HOME=/data \
    DIGEST_CONFIG=/config/digest.toml
VOLUME ["/data"]

# `digest run` stops cleanly on SIGTERM (docker stop), finishing the message being sent.
STOPSIGNAL SIGTERM
ENTRYPOINT ["digest"]
CMD ["run"]
