# syntax=docker/dockerfile:1
# Build: a static binary (pure Go, no cgo), without FerretDB's unused
# PostgreSQL backend.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -tags ferretdb_no_postgresql -ldflags="-s -w" \
      -o /out/yimayou ./cmd/yimayou \
 && mkdir -p /out/data

# Run: distroless static, non-root, data on a volume.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/yimayou /usr/local/bin/yimayou
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV YIMAYOU_ADDR=:8080 \
    YIMAYOU_DATA_DIR=/data \
    YIMAYOU_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/yimayou", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/yimayou"]
CMD ["serve"]
