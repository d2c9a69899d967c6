package testkit_test

import (
	"net/http/httptest"
	"testing"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// BenchmarkNewServer is what every test after the first pays for testkit.New: a server over
// the process's already parsed spec and catalog, its listener, and closing both.
//
//	go test -run '^$' -bench NewServer ./testkit/
func BenchmarkNewServer(b *testing.B) {
	testkit.New(b) // the first server parses openapi.json and builds the catalog, once per process
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		fake, err := fakehetzner.New(fakehetzner.Config{ActionDuration: "0s"})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(fake.Handler())
		hs.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}
