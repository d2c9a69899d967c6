# fakehetzner: a small static image for CI services.
#   docker build -t fakehetzner . && docker run -p 8080:8080 fakehetzner
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/fakehetzner ./cmd/fakehetzner

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fakehetzner /fakehetzner
ENV FAKEHETZNER_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/fakehetzner"]
