# Staffbank's container image: `docker build -t staffbank .` then see compose.yaml.
# Two stages: the build (Rust, with Node only to fetch the NHS.UK frontend the binary embeds),
# and a small Debian runtime running as an unprivileged user.

# The Rust release rust-toolchain.toml pins, so the image builds what CI tests.
FROM rust:1.95.0-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The NHS.UK frontend, exactly as locked, for the web crate's build script to embed.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev --loglevel=error
COPY . .
RUN cargo build --release --locked -p staffbank \
    && install -m 0755 target/release/staffbank /usr/local/bin/staffbank

FROM debian:bookworm-slim
# CA certificates for SMTP over TLS, Web Push, webhooks and OTLP over HTTPS; curl for the
# health check; pg_dump and pg_restore for `staffbank backup` and `restore`, from the PostgreSQL
# project's own Debian repository (apt.postgresql.org), since a dump needs a pg_dump at least as
# new as the server and bookworm's own is 15. Version 17 dumps servers from 9.2 to 17.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-17 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/staffbank --create-home staffbank \
    && install -d -o staffbank -g staffbank /var/lib/staffbank/payroll-exports
COPY --from=build /usr/local/bin/staffbank /usr/local/bin/staffbank
USER staffbank
WORKDIR /var/lib/staffbank
ENV STAFFBANK_LISTEN=0.0.0.0:8080 \
    STAFFBANK_LOG_JSON=1 \
    STAFFBANK_PAYROLL_DIR=/var/lib/staffbank/payroll-exports
EXPOSE 8080
# Ready means the database answers and the ledger is sound; a failing instance is taken out
# of the load balancer and restarted.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
# SIGTERM (docker stop) drains requests in flight and stops background work; keep the
# runtime's stop timeout above STAFFBANK_SHUTDOWN_GRACE_SECONDS.
STOPSIGNAL SIGTERM
ENTRYPOINT ["staffbank"]
CMD ["serve"]
