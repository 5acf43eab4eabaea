# Build: docker build -t regua .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/regua/regua/internal/app.Version=${VERSION}" -o /out/regua ./cmd/regua

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/regua /regua
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/regua"]
CMD ["serve"]
