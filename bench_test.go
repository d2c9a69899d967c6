package fakehetzner_test

// Throughput of the whole pipeline (recover → correlation id → log → auth → rate limit →
// validation → handler → store) against a bare net/http handler that answers the same bytes,
// both over real HTTP on loopback with a keep-alive client and b.RunParallel. The pipeline
// benchmarks also run the bare server with the same b.N just before (outside the timer) and
// report "x_bare": their throughput as a fraction of the bare one's (1.0 = as fast).
//
//	go test -run '^$' -bench . -benchmem .

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

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

// pipelineServer is the fake behind a real listener, its SSH key limit lifted so that b.N
// creates fit in one project.
func pipelineServer(b *testing.B) *httptest.Server {
	fake, err := fakehetzner.New(fakehetzner.Config{Limits: map[string]int{"ssh_keys": math.MaxInt32}})
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

// parallelGET sends GET url from every parallel goroutine, b.N times in all.
func parallelGET(b *testing.B, client *http.Client, url string) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if status, out, err := do(client, http.MethodGet, url, nil); err != nil || status != 200 {
				b.Errorf("GET %s: %d %v: %s", url, status, err, out)
				return
			}
		}
	})
}

// parallelPOST sends the bodies in order from every parallel goroutine, b.N times in all.
func parallelPOST(b *testing.B, client *http.Client, url string, bodies [][]byte) {
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bodies[next.Add(1)-1]
			if status, out, err := do(client, http.MethodPost, url, body); err != nil || status != 201 {
				b.Errorf("POST %s: %d %v: %s", url, status, err, out)
				return
			}
		}
	})
}

// warmUp makes one GET so the first connection and lazy set-up are not measured; a canned
// server answers it with its one status.
func warmUp(b *testing.B, client *http.Client, url string, want int) {
	if status, out, err := do(client, http.MethodGet, url, nil); err != nil || status != want {
		b.Fatalf("warm-up GET %s: %d %v: %s", url, status, err, out)
	}
}

func BenchmarkBareGETLocations(b *testing.B) {
	url := cannedServer(b, 200, capture(b, http.MethodGet, "/v1/locations", nil, 200)).URL + "/v1/locations"
	client := benchClient(b)
	warmUp(b, client, url, 200)
	b.ReportAllocs()
	b.ResetTimer()
	parallelGET(b, client, url)
}

func BenchmarkBarePOSTSSHKey(b *testing.B) {
	bare := cannedServer(b, 201, capture(b, http.MethodPost, "/v1/ssh_keys", sshKeyBodies(b, 1)[0], 201))
	client := benchClient(b)
	bodies := sshKeyBodies(b, b.N)
	warmUp(b, client, bare.URL+"/v1/locations", 201)
	b.ReportAllocs()
	b.ResetTimer()
	parallelPOST(b, client, bare.URL+"/v1/ssh_keys", bodies)
}

// compareWithBare times run against the bare server (untimed for the benchmark), then
// against the fake (timed), with the same b.N, and reports the fake's throughput as a
// fraction of the bare one's ("x_bare", 1.0 = as fast) and the bare ns/op beside it.
func compareWithBare(b *testing.B, bareURL, fakeURL string, run func(base string)) {
	b.StopTimer()
	start := time.Now()
	run(bareURL)
	bare := time.Since(start)

	b.ReportAllocs()
	b.ResetTimer()
	b.StartTimer()
	run(fakeURL)
	b.StopTimer()
	if fake := b.Elapsed(); fake > 0 {
		b.ReportMetric(float64(bare)/float64(fake), "x_bare")
		b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N), "bare_ns/op")
	}
}

func BenchmarkPipelineGETLocations(b *testing.B) {
	fake := pipelineServer(b)
	bare := cannedServer(b, 200, capture(b, http.MethodGet, "/v1/locations", nil, 200))
	client := benchClient(b)
	warmUp(b, client, bare.URL+"/v1/locations", 200)
	warmUp(b, client, fake.URL+"/v1/locations", 200)
	compareWithBare(b, bare.URL, fake.URL, func(base string) { parallelGET(b, client, base+"/v1/locations") })
}

// BenchmarkPipelinePOSTSSHKey creates b.N keys in one project: the project grows during the
// run, as a long test session's would.
func BenchmarkPipelinePOSTSSHKey(b *testing.B) {
	fake := pipelineServer(b)
	bare := cannedServer(b, 201, capture(b, http.MethodPost, "/v1/ssh_keys", sshKeyBodies(b, 1)[0], 201))
	client := benchClient(b)
	bodies := sshKeyBodies(b, b.N)
	warmUp(b, client, bare.URL+"/v1/locations", 201)
	warmUp(b, client, fake.URL+"/v1/locations", 200)
	compareWithBare(b, bare.URL, fake.URL, func(base string) { parallelPOST(b, client, base+"/v1/ssh_keys", bodies) })
}
