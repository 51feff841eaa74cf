# syntax=docker/dockerfile:1
# Build: a static binary (pure Go, no cgo), without FerretDB's unused
# PostgreSQL backend (see README "Docker" for what the tag saves and what no
# tag can cut). Cross-compiled on the build platform for each target:
#   docker buildx build --platform linux/amd64,linux/arm64 -t yimayou .
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -tags ferretdb_no_postgresql -ldflags="-s -w" -o /out/yimayou ./cmd/yimayou \
 && mkdir -p /out/data

# Run: distroless static, non-root, data on a volume.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=0.1.0
ARG REVISION=
LABEL org.opencontainers.image.title="yimayou" \
      org.opencontainers.image.description="一码游 One code, one tour: a self-hosted QR visitor platform for county tourism bureaus" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.source="https://github.com/yimayou/yimayou" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/yimayou /usr/local/bin/yimayou
COPY --from=build --chown=nonroot:nonroot /out/data /data
# Metrics listen on all of the container's interfaces (its loopback is out
# of anyone's reach); publish 9464 only to the monitoring network.
ENV YIMAYOU_ADDR=:8080 \
    YIMAYOU_METRICS_ADDR=:9464 \
    YIMAYOU_DATA_DIR=/data \
    YIMAYOU_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080 9464
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/yimayou", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/yimayou"]
CMD ["serve"]
