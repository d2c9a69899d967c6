package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// inProcess is run() serving on a free loopback port inside the test.
type inProcess struct {
	url    string
	cancel context.CancelFunc
	done   chan error
	logs   *lockedLog
}

type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// runInProcess starts run with args; it returns the error of a run that fails to start.
func runInProcess(t *testing.T, args ...string) (*inProcess, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, outW := io.Pipe()
	p := &inProcess{cancel: cancel, done: make(chan error, 1), logs: &lockedLog{}}
	go func() {
		err := run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), outW, p.logs)
		outW.Close()
		p.done <- err
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		return nil, <-p.done
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	p.url = strings.TrimSpace(strings.TrimPrefix(line, "fakehetzner listening on "))
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			t.Error("run did not stop")
		}
	})
	return p, nil
}

// stop ends the run as a cancelled context would and returns its error.
func (p *inProcess) stop(t *testing.T) error {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
		return nil
	}
}

func (p *inProcess) do(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.url+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data
}

func sshPublicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	k, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

// createKey creates an SSH key and returns its id.
func (p *inProcess) createKey(t *testing.T, token, name string) int64 {
	t.Helper()
	status, body := p.do(t, "POST", "/v1/ssh_keys", token, map[string]any{"name": name, "public_key": sshPublicKey(t)})
	require.Equal(t, 201, status, "%s", body)
	var out struct {
		SSHKey struct{ ID int64 } `json:"ssh_key"`
	}
	require.NoError(t, json.Unmarshal(body, &out))
	return out.SSHKey.ID
}

// stateWithoutTime is GET /_fake/state without its time stamp.
func (p *inProcess) stateWithoutTime(t *testing.T) map[string]any {
	t.Helper()
	status, body := p.do(t, "GET", "/_fake/state", "", nil)
	require.Equal(t, 200, status)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	delete(m, "taken")
	return m
}

func TestStateFileMissingStartsEmptyAndIsWrittenAtShutdown(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	const token = "persist-token-SECRET-42"
	p, err := runInProcess(t, "--state-file", path, "--save-interval", "0")
	require.NoError(t, err)
	status, body := p.do(t, "GET", "/v1/ssh_keys", token, nil)
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), `"ssh_keys":[]`)
	p.createKey(t, token, "kept")
	_, statErr := os.Stat(path)
	assert.True(t, os.IsNotExist(statErr), "no periodic save with --save-interval 0")

	require.NoError(t, p.stop(t))
	data, err := os.ReadFile(path)
	require.NoError(t, err, "saved at shutdown")
	var snap struct {
		Version  int                        `json:"version"`
		Projects map[string]json.RawMessage `json:"projects"`
	}
	require.NoError(t, json.Unmarshal(data, &snap))
	assert.Equal(t, 1, snap.Version)
	assert.Contains(t, string(data), `"kept"`)
	assert.NotContains(t, string(data), token, "tokens never reach the state file")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestStateFileRestoresAcrossRestartAndIDsAreNeverReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	p, err := runInProcess(t, "--state-file", path)
	require.NoError(t, err)
	p.createKey(t, "alice", "a1")
	p.createKey(t, "bob", "b1")
	last := p.createKey(t, "alice", "a2")
	status, _ := p.do(t, "DELETE", fmt.Sprintf("/v1/ssh_keys/%d", last), "alice", nil)
	require.Equal(t, 204, status)
	before := p.stateWithoutTime(t)
	require.NoError(t, p.stop(t))

	p2, err := runInProcess(t, "--state-file", path)
	require.NoError(t, err)
	assert.Equal(t, before, p2.stateWithoutTime(t), "the whole state comes back")
	status, body := p2.do(t, "GET", "/v1/ssh_keys?name=a1", "alice", nil)
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), `"a1"`)
	status, body = p2.do(t, "GET", "/v1/ssh_keys", "bob", nil)
	require.Equal(t, 200, status)
	assert.NotContains(t, string(body), `"a1"`, "projects stay apart")
	assert.Greater(t, p2.createKey(t, "alice", "a3"), last, "an id handed out before the restart is not reused")
}

func TestStateFileCorruptStopsTheStartAndIsLeftUntouched(t *testing.T) {
	for name, content := range map[string]string{
		"not json":       `{"version":1,"projects":{`,
		"wrong version":  `{"version":99,"projects":{}}`,
		"unknown field":  `{"version":1,"projects":{},"gizmos":[]}`,
		"trailing data":  `{"version":1,"projects":{}} {}`,
		"duplicate ids":  `{"version":1,"projects":{"p":{"ssh_keys":[{"id":1,"name":"a","public_key":"x"},{"id":1,"name":"b","public_key":"y"}],"actions":[]}}}`,
		"empty file":     ``,
		"not an object":  `[]`,
		"bad public key": `{"version":1,"projects":{"p":{"ssh_keys":[{"id":1,"name":"a","public_key":"nope"}],"actions":[]}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
			_, err := runInProcess(t, "--state-file", path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path, "the error names the file")
			data, readErr := os.ReadFile(path)
			require.NoError(t, readErr)
			assert.Equal(t, content, string(data), "the file is untouched")
		})
	}
}

func TestStateFileSavedEveryInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	p, err := runInProcess(t, "--state-file", path, "--save-interval", "20ms")
	require.NoError(t, err)
	p.createKey(t, "tok", "periodic")
	assert.Eventually(t, func() bool {
		data, err := os.ReadFile(path)
		return err == nil && bytes.Contains(data, []byte(`"periodic"`))
	}, 5*time.Second, 10*time.Millisecond, "saved while serving")
	info, err := os.Stat(path)
	require.NoError(t, err)
	// Unchanged state is not rewritten.
	time.Sleep(100 * time.Millisecond)
	info2, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, info.ModTime(), info2.ModTime())
}

// SIGTERM drains the request in flight, then saves what it did.
func TestSIGTERMDrainsInFlightRequestsAndSaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	p, err := runInProcess(t, "--state-file", path, "--save-interval", "0")
	require.NoError(t, err)
	status, body := p.do(t, "POST", "/_fake/faults", "", map[string]any{"method": "POST", "path": "/ssh_keys", "delay": "400ms"})
	require.Equal(t, 201, status, "%s", body)

	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", p.url+"/v1/ssh_keys",
			strings.NewReader(fmt.Sprintf(`{"name":"in-flight","public_key":%q}`, sshPublicKey(t))))
		req.Header.Set("Authorization", "Bearer tok")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- -1
			return
		}
		res.Body.Close()
		answered <- res.StatusCode
	}()
	require.Eventually(t, func() bool {
		_, body := p.do(t, "GET", "/_fake/faults", "", nil)
		return bytes.Contains(body, []byte(`"hits":1`))
	}, 5*time.Second, 5*time.Millisecond, "the request is in flight")

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	assert.Equal(t, 201, <-answered, "the request in flight is answered")
	select {
	case err := <-p.done:
		p.done <- err
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"in-flight"`, "its effect is saved")
	assert.Contains(t, p.logs.String(), "shutting down")
}

func TestLimitsAndBodyFlags(t *testing.T) {
	p, err := runInProcess(t, "--limits", "ssh_keys=1", "--max-body-bytes", "2048")
	require.NoError(t, err)
	p.createKey(t, "tok", "one")
	status, body := p.do(t, "POST", "/v1/ssh_keys", "tok", map[string]any{"name": "two", "public_key": sshPublicKey(t)})
	assert.Equal(t, 403, status)
	assert.Contains(t, string(body), `"resource_limit_exceeded"`)
	status, body = p.do(t, "POST", "/v1/ssh_keys", "tok", map[string]any{"name": strings.Repeat("n", 4096), "public_key": "x"})
	assert.Equal(t, 422, status)
	assert.Contains(t, string(body), "too large")

	for _, args := range [][]string{
		{"--limits", "gizmos=1"}, {"--limits", "servers=-1"}, {"--max-body-bytes", "0"},
		{"--save-interval", "soon"}, {"--read-header-timeout", "-1s"},
	} {
		_, err := runInProcess(t, args...)
		assert.Error(t, err, "%v", args)
	}
}

func TestSlowClientIsCutOffByReadHeaderTimeout(t *testing.T) {
	p, err := runInProcess(t, "--read-header-timeout", "100ms")
	require.NoError(t, err)
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")) // headers never end
	require.NoError(t, err)
	// Our own deadline is far beyond the server's timeout: reaching EOF before it means the
	// server hung up on the slow client. (No timing assertions: only who closed.)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	answer, err := io.ReadAll(conn)
	require.NoError(t, err, "the server closes the connection (EOF), not our deadline")
	assert.NotContains(t, string(answer), "200 OK", "the incomplete request is never served")

	status, _ := p.do(t, "GET", "/healthz", "", nil)
	assert.Equal(t, 200, status, "a prompt client is served")
}
