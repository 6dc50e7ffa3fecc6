# A search replica: `digest serve --search-only`, fed from the bucket that
# `digest deploy` publishes to. See docs/DEPLOY.md.
#
#   docker build -t digest .
#   docker run -p 8080:8080 digest --index s3://my-index-bucket?region=eu-central-1
#
# Arguments after the image name are added to serve's flags below.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: no C library needed in the image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/digest ./cmd/digest

# Alpine for its wget, which the health check runs; the binary needs nothing of it.
FROM alpine:3.22
RUN adduser -D -H -u 10001 digest && mkdir -p /var/cache/digest && chown digest /var/cache/digest
COPY --from=build /out/digest /usr/local/bin/digest
USER digest
EXPOSE 8080
# Ready, not merely alive: the index open and answering a probe query.
HEALTHCHECK --interval=5s --timeout=2s --start-period=60s --retries=2 \
    CMD wget -q -O /dev/null http://127.0.0.1:8080/readyz || exit 1
# Docker sends SIGTERM and kills after 10 s: drain for 4 s, then 5 s for
# the searches in flight.
STOPSIGNAL SIGTERM
ENTRYPOINT ["digest", "serve", "--search-only", "--addr", ":8080", "--log-format", "json", \
    "--index-dir", "/var/cache/digest", "--drain", "4s", "--shutdown-timeout", "5s"]
CMD ["--help"]
