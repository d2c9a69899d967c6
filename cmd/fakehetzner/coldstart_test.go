package main

// The built binary, as CI runs it: start, first answer, graceful stop.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds fakehetzner into a temporary directory.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "fakehetzner")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listeningLine = regexp.MustCompile(`^fakehetzner listening on (http://127\.0\.0\.1:\d+)$`)

// started is a running binary and the base URL it printed.
type started struct {
	cmd     *exec.Cmd
	url     string
	stderr  *syncBuffer
	exited  chan struct{} // closed when the process has been reaped; exitErr is then set
	exitErr error
}

// syncBuffer collects the process's stderr while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// start runs the binary on a free loopback port and waits for its listening line.
func start(tb testing.TB, bin string, args ...string) *started {
	tb.Helper()
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	for _, kv := range os.Environ() { // the flags alone configure it, whatever CI exports
		if !strings.HasPrefix(kv, "FAKEHETZNER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	s := &started{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		_ = cmd.Process.Kill()
		tb.Fatalf("no listening line (%v); stderr:\n%s", lines.Err(), s.stderr)
	}
	m := listeningLine.FindStringSubmatch(lines.Text())
	if m == nil {
		_ = cmd.Process.Kill()
		tb.Fatalf("unexpected first line %q", lines.Text())
	}
	s.url = m[1]
	go func() {
		_, _ = io.Copy(io.Discard, stdout) // Wait must not race the pipe's reader
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()
	return s
}

// kill stops the process hard (if it still runs) and reaps it.
func (s *started) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// get sends GET with an optional bearer token.
func get(client *http.Client, url, token string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// waitHealthy polls /healthz until 200, pausing at most a millisecond between tries.
func waitHealthy(client *http.Client, base string, deadline time.Time) error {
	for {
		status, _, err := get(client, base+"/healthz", "")
		if err == nil && status == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/healthz not 200 in time: %d %v", status, err)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func TestBinaryServesAndShutsDownGracefully(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	s := start(t, buildBinary(t))
	t.Cleanup(s.kill)
	client := &http.Client{Timeout: 10 * time.Second}
	if err := waitHealthy(client, s.url, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}

	status, body, err := get(client, s.url+"/v1/locations", "ci-token")
	if err != nil || status != http.StatusOK {
		t.Fatalf("GET /v1/locations: %d %v: %s", status, err, body)
	}
	if !strings.Contains(string(body), `"name":"fsn1"`) || !strings.Contains(string(body), `"pagination"`) {
		t.Errorf("GET /v1/locations: unexpected body %s", body)
	}
	status, body, err = get(client, s.url+"/v1/locations", "")
	if err != nil || status != http.StatusUnauthorized {
		t.Errorf("GET /v1/locations without a token: %d %v: %s", status, err, body)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
		if s.exitErr != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", s.exitErr, s.stderr)
		}
	case <-time.After(15 * time.Second):
		s.kill()
		t.Fatalf("still running 15 s after SIGTERM; stderr:\n%s", s.stderr)
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	if !strings.Contains(s.stderr.String(), "shutting down") {
		t.Errorf("no shutdown log line; stderr:\n%s", s.stderr)
	}
}

// BenchmarkColdStart is the time from exec to the first 200 from /healthz.
//
//	go test -run '^$' -bench ColdStart ./cmd/fakehetzner/
func BenchmarkColdStart(b *testing.B) {
	if testing.Short() {
		b.Skip("builds and runs the binary")
	}
	bin := buildBinary(b)
	b.ResetTimer()
	for b.Loop() {
		// A client per start: an idle connection to the previous process must not be reused.
		tr := &http.Transport{}
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		s := start(b, bin)
		if err := waitHealthy(client, s.url, time.Now().Add(10*time.Second)); err != nil {
			s.kill()
			b.Fatal(err)
		}
		b.StopTimer()
		tr.CloseIdleConnections()
		s.kill()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}
