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
	"github.com/fakehetzner/fakehetzner/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
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

// run serves until SIGINT/SIGTERM or until ctx ends, then drains and saves the state.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("fakehetzner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("FAKEHETZNER_ADDR", ":8080"), "listen address (env FAKEHETZNER_ADDR); port 0 picks a free port")
	var tokens stringList
	fs.Var(&tokens, "token", "accepted API token TOKEN[:ro|:rw][@PROJECT], repeatable (env FAKEHETZNER_TOKENS, comma separated); none: every token is its own project")
	rateLimit := fs.String("rate-limit", env("FAKEHETZNER_RATE_LIMIT", "3600"), "requests per hour per project, 0 = off (env FAKEHETZNER_RATE_LIMIT)")
	actionDuration := fs.String("action-duration", env("FAKEHETZNER_ACTION_DURATION", "0s"), "how long actions run: 0s, 2s, … or manual (env FAKEHETZNER_ACTION_DURATION)")
	adminToken := fs.String("admin-token", env("FAKEHETZNER_ADMIN_TOKEN", ""), "bearer token that protects /_fake (env FAKEHETZNER_ADMIN_TOKEN)")
	datacentersRemoved := fs.Bool("datacenters-removed", env("FAKEHETZNER_DATACENTERS_REMOVED", "") == "true", "answer /v1/datacenters with 410, as announced for after 2026-10-01 (env FAKEHETZNER_DATACENTERS_REMOVED=true)")
	logLevel := fs.String("log-level", env("FAKEHETZNER_LOG_LEVEL", "info"), "debug, info, warn or error (env FAKEHETZNER_LOG_LEVEL)")
	stateFilePath := fs.String("state-file", env("FAKEHETZNER_STATE_FILE", ""), "load state from PATH at start, save it there atomically every --save-interval and at shutdown (env FAKEHETZNER_STATE_FILE)")
	saveInterval := fs.String("save-interval", env("FAKEHETZNER_SAVE_INTERVAL", "30s"), "how often to save a changed state to --state-file; 0 = only at shutdown (env FAKEHETZNER_SAVE_INTERVAL)")
	limitsSpec := fs.String("limits", env("FAKEHETZNER_LIMITS", ""), "per-project resource limits, e.g. servers=5,ssh_keys=10 (env FAKEHETZNER_LIMITS); unnamed kinds allow 1000")
	maxBody := fs.Int64("max-body-bytes", envInt64("FAKEHETZNER_MAX_BODY_BYTES", 1<<20), "largest request body accepted (env FAKEHETZNER_MAX_BODY_BYTES)")
	readHeaderTimeout := fs.String("read-header-timeout", env("FAKEHETZNER_READ_HEADER_TIMEOUT", "10s"), "time a client has to send the request headers (env FAKEHETZNER_READ_HEADER_TIMEOUT)")
	readTimeout := fs.String("read-timeout", env("FAKEHETZNER_READ_TIMEOUT", "60s"), "time a client has to send the whole request (env FAKEHETZNER_READ_TIMEOUT)")
	shutdownTimeout := fs.String("shutdown-timeout", env("FAKEHETZNER_SHUTDOWN_TIMEOUT", "10s"), "how long shutdown waits for requests in flight (env FAKEHETZNER_SHUTDOWN_TIMEOUT)")
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
	durations := map[string]*string{"save-interval": saveInterval, "read-header-timeout": readHeaderTimeout,
		"read-timeout": readTimeout, "shutdown-timeout": shutdownTimeout}
	parsed := map[string]time.Duration{}
	for name, v := range durations {
		d, err := time.ParseDuration(*v)
		if err != nil || d < 0 {
			return fmt.Errorf("--%s %q: not a duration such as 30s", name, *v)
		}
		parsed[name] = d
	}
	limits, err := store.ParseLimits(*limitsSpec)
	if err != nil {
		return fmt.Errorf("--limits: %w", err)
	}
	if *maxBody <= 0 {
		return fmt.Errorf("--max-body-bytes %d: must be positive", *maxBody)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	srv, err := fakehetzner.New(fakehetzner.Config{
		Tokens: tokens, RateLimit: limit, ActionDuration: *actionDuration,
		AdminToken: *adminToken, DatacentersRemoved: *datacentersRemoved, Logger: logger, Limits: limits, MaxBodyBytes: *maxBody,
	})
	if err != nil {
		return err
	}
	var state *stateFile
	if *stateFilePath != "" {
		state = &stateFile{path: *stateFilePath, store: srv.Store(), log: logger}
		if err := state.load(); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: parsed["read-header-timeout"],
		ReadTimeout:       parsed["read-timeout"],
		IdleTimeout:       120 * time.Second,
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	fmt.Fprintf(stdout, "fakehetzner listening on http://%s\n", net.JoinHostPort(host, port))

	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	saving := make(chan struct{})
	if state != nil && parsed["save-interval"] > 0 {
		go func() { defer close(saving); state.saveEvery(ctx, parsed["save-interval"]) }()
	} else {
		close(saving)
	}
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
		logger.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), parsed["shutdown-timeout"])
		defer cancel()
		serveErr = httpSrv.Shutdown(shutdownCtx) // drains the requests in flight
		if err := <-served; serveErr == nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	}
	stop()
	<-saving
	if state != nil { // after the last request, so nothing it did is lost
		if err := state.save(); err != nil {
			return errors.Join(serveErr, err)
		}
		logger.Info("state saved", "path", state.path)
	}
	return serveErr
}

// envInt64 returns the environment variable as a number, or the fallback.
func envInt64(name string, fallback int64) int64 {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return fallback
}
