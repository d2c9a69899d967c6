package fakehetzner_test

// Throughput of the whole pipeline (recover → correlation id → log → auth → rate limit →
// validation → handler → store) against a bare net/http handler that answers the same bytes,
// both over real HTTP on loopback with a keep-alive client and b.RunParallel. The pipeline
// benchmarks report "x_bare": their throughput as a fraction of the bare one (1.0 = as fast).
//
//	go test -run '^$' -bench . -benchmem .

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner"
)

const benchToken = "bench-token"

// benchClient keeps enough idle connections for every parallel goroutine, so no request
// pays for a new connection.
func benchClient(b *testing.B) *http.Client {
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// pipelineServer is the fake behind a real listener.
func pipelineServer(b *testing.B) *httptest.Server {
	fake, err := fakehetzner.New(fakehetzner.Config{})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(fake.Handler())
	b.Cleanup(hs.Close)
	return hs
}

// cannedServer answers every request with the given status and body, as the fake's
// Content-Type says; it reads the request body first, as any server must.
func cannedServer(b *testing.B, status int, body []byte) *httptest.Server {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	b.Cleanup(hs.Close)
	return hs
}

// do sends one request and drains the answer so the connection is reused.
func do(client *http.Client, method, url string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// sshKeyBodies are n POST /ssh_keys bodies, each with its own name and a fresh ed25519 key.
func sshKeyBodies(b *testing.B, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		sshPub, err := ssh.NewPublicKey(pub)
		if err != nil {
			b.Fatal(err)
		}
		line := bytes.TrimSpace(ssh.MarshalAuthorizedKey(sshPub))
		out[i] = fmt.Appendf(nil, `{"name":"bench-%d","public_key":%q,"labels":{"env":"bench"}}`, i, line)
	}
	return out
}

// capture is one real answer of the fake, for the bare handler to repeat.
func capture(b *testing.B, method, path string, body []byte, want int) []byte {
	hs := pipelineServer(b)
	status, out, err := do(benchClient(b), method, hs.URL+path, body)
	if err != nil || status != want {
		b.Fatalf("%s %s: %d %v: %s", method, path, status, err, out)
	}
	return out
}

// runGET sends GET url from every parallel goroutine.
func runGET(b *testing.B, url string) {
	client := benchClient(b)
	if status, out, err := do(client, http.MethodGet, url, nil); err != nil || status != 200 {
		b.Fatalf("warm-up: %d %v: %s", status, err, out)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if status, out, err := do(client, http.MethodGet, url, nil); err != nil || status != 200 {
				b.Errorf("%d %v: %s", status, err, out)
				return
			}
		}
	})
}

// runPOST sends one fresh SSH key per iteration (generated before the timer starts); on the
// fake the project therefore grows by b.N keys during the run.
func runPOST(b *testing.B, url string) {
	client := benchClient(b)
	bodies := sshKeyBodies(b, b.N)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bodies[next.Add(1)-1]
			if status, out, err := do(client, http.MethodPost, url, body); err != nil || status != 201 {
				b.Errorf("%d %v: %s", status, err, out)
				return
			}
		}
	})
}

func benchBareGETLocations(b *testing.B) {
	body := capture(b, http.MethodGet, "/v1/locations", nil, 200)
	runGET(b, cannedServer(b, 200, body).URL+"/v1/locations")
}

func benchBarePOSTSSHKey(b *testing.B) {
	body := capture(b, http.MethodPost, "/v1/ssh_keys", sshKeyBodies(b, 1)[0], 201)
	runPOST(b, cannedServer(b, 201, body).URL+"/v1/ssh_keys")
}

func BenchmarkBareGETLocations(b *testing.B) { benchBareGETLocations(b) }

func BenchmarkBarePOSTSSHKey(b *testing.B) { benchBarePOSTSSHKey(b) }

// The bare baselines the pipeline benchmarks compare with, measured once per process.
var (
	bareGET  = sync.OnceValue(func() testing.BenchmarkResult { return testing.Benchmark(benchBareGETLocations) })
	barePOST = sync.OnceValue(func() testing.BenchmarkResult { return testing.Benchmark(benchBarePOSTSSHKey) })
)

// reportRatio reports the pipeline's throughput as a fraction of the bare baseline's.
func reportRatio(b *testing.B, bare testing.BenchmarkResult) {
	elapsed := b.Elapsed()
	if b.N == 0 || elapsed == 0 || bare.N == 0 {
		return
	}
	pipelineNs := float64(elapsed.Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(bare.NsPerOp())/pipelineNs, "x_bare")
	b.ReportMetric(float64(bare.NsPerOp()), "bare_ns/op")
}

func BenchmarkPipelineGETLocations(b *testing.B) {
	bare := bareGET()
	runGET(b, pipelineServer(b).URL+"/v1/locations")
	b.StopTimer()
	reportRatio(b, bare)
}

func BenchmarkPipelinePOSTSSHKey(b *testing.B) {
	bare := barePOST()
	runPOST(b, pipelineServer(b).URL+"/v1/ssh_keys")
	b.StopTimer()
	reportRatio(b, bare)
}
