package store

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The regexes hcloud-go and terraform validate labels with: the byte checks must agree.
var (
	hcloudLabelKeyRE   = regexp.MustCompile(`^([a-z0-9A-Z]((?:[\-_.]|[a-z0-9A-Z]){0,253}[a-z0-9A-Z])?/)?[a-z0-9A-Z]((?:[\-_.]|[a-z0-9A-Z]|){0,61}[a-z0-9A-Z])?$`)
	hcloudLabelValueRE = regexp.MustCompile(`^(([a-z0-9A-Z](?:[\-_.]|[a-z0-9A-Z]){0,61})?[a-z0-9A-Z]$|$)`)
)

func TestLabelChecksAgreeWithTheClientsRegexes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "aZ09-_./ éx"
	gen := func() string {
		n := rng.IntN(70)
		if rng.IntN(10) == 0 {
			n = 250 + rng.IntN(20) // around the prefix bound
		}
		var b strings.Builder
		for range n {
			if rng.IntN(4) == 0 {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			} else {
				b.WriteByte("abcXYZ019"[rng.IntN(9)])
			}
		}
		return b.String()
	}
	edge := []string{"", "a", "a/b", "/b", "a/", "a//b", "a/b/c", "-a", "a-", "a.b_c-d",
		strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("p", 255) + "/n", strings.Repeat("p", 256) + "/n"}
	for i := 0; i < 20000; i++ { // enough to hit every branch; the fuzz target FuzzLabelSelector goes further
		s := gen()
		if i < len(edge) {
			s = edge[i]
		}
		if got, want := validLabelKey(s), hcloudLabelKeyRE.MatchString(s); got != want {
			t.Fatalf("key %q: %v, regex says %v", s, got, want)
		}
		if got, want := validLabelValue(s), hcloudLabelValueRE.MatchString(s); got != want {
			t.Fatalf("value %q: %v, regex says %v", s, got, want)
		}
	}
}
