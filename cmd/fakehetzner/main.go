// Command fakehetzner serves the fake Hetzner APIs over HTTP.
//
//	go run ./cmd/fakehetzner --addr :8080
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fakehetzner/fakehetzner"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakehetzner:", err)
		os.Exit(1)
	}
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// env returns the environment variable or the fallback.
func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakehetzner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("FAKEHETZNER_ADDR", ":8080"), "listen address (env FAKEHETZNER_ADDR); port 0 picks a free port")
	var tokens stringList
	fs.Var(&tokens, "token", "accepted API token TOKEN[:ro|:rw][@PROJECT], repeatable (env FAKEHETZNER_TOKENS, comma separated); none: every token is its own project")
	rateLimit := fs.String("rate-limit", env("FAKEHETZNER_RATE_LIMIT", "3600"), "requests per hour per project, 0 = off (env FAKEHETZNER_RATE_LIMIT)")
	actionDuration := fs.String("action-duration", env("FAKEHETZNER_ACTION_DURATION", "0s"), "how long actions run: 0s, 2s, … or manual (env FAKEHETZNER_ACTION_DURATION)")
	adminToken := fs.String("admin-token", env("FAKEHETZNER_ADMIN_TOKEN", ""), "bearer token that protects /_fake (env FAKEHETZNER_ADMIN_TOKEN)")
	logLevel := fs.String("log-level", env("FAKEHETZNER_LOG_LEVEL", "info"), "debug, info, warn or error (env FAKEHETZNER_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(tokens) == 0 {
		if v := os.Getenv("FAKEHETZNER_TOKENS"); v != "" {
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					tokens = append(tokens, t)
				}
			}
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: %w", *logLevel, err)
	}
	limit, err := strconv.Atoi(*rateLimit)
	if err != nil {
		return fmt.Errorf("--rate-limit %q: not a number", *rateLimit)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	srv, err := fakehetzner.New(fakehetzner.Config{
		Tokens: tokens, RateLimit: limit, ActionDuration: *actionDuration,
		AdminToken: *adminToken, Logger: logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	fmt.Fprintf(stdout, "fakehetzner listening on http://%s\n", net.JoinHostPort(host, port))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
