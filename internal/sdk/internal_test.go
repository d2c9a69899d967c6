package sdk

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Codes older servers send still match the sentinels of their successors. The fake only sends
// the current ones, so this is checked on the decoder directly.
func TestOldCodeNamesMatchTheirSuccessors(t *testing.T) {
	readonly := apiError(401, nil, []byte(`{"error":{"code":"token_readonly","message":"only GET","details":{}}}`))
	assert.ErrorIs(t, readonly, ErrForbidden)
	assert.NotErrorIs(t, readonly, ErrUnauthorized)
	limit := apiError(429, nil, []byte(`{"error":{"code":"limit_reached","message":"slow down","details":null}}`))
	assert.ErrorIs(t, limit, ErrRateLimitExceeded)
	assert.True(t, IsRetryable(limit))
	wrapped := fmt.Errorf("creating: %w", readonly)
	assert.ErrorIs(t, wrapped, ErrForbidden)
}

// A body that is not the API's envelope (a proxy's HTML page) gives an *Error without a code
// rather than an invented one; bare 502/503/504 are still retryable.
func TestNonJSONErrorBody(t *testing.T) {
	e := apiError(502, nil, []byte("<html>Bad Gateway</html>"))
	assert.Equal(t, Code(""), e.Code)
	assert.Equal(t, 502, e.StatusCode)
	assert.Contains(t, e.Message, "502")
	assert.True(t, IsRetryable(e))
	assert.False(t, errors.Is(e, ErrBadGateway), "no code was sent, none is claimed")
	assert.False(t, IsRetryable(apiError(500, nil, nil)))
}

func TestRefillWait(t *testing.T) {
	floor, ceiling := time.Millisecond, time.Minute
	// 3600 per hour refill one request per second.
	assert.Equal(t, time.Second, refillWait(RateLimit{Limit: 3600, Remaining: 0}, floor, ceiling))
	// 100 per hour: 36 s.
	assert.Equal(t, 36*time.Second, refillWait(RateLimit{Limit: 100, Remaining: 0}, floor, ceiling))
	// 2 per hour would be 30 minutes: bounded by the cap.
	assert.Equal(t, ceiling, refillWait(RateLimit{Limit: 2, Remaining: 0}, floor, ceiling))
	// Nothing known: the floor.
	assert.Equal(t, floor, refillWait(RateLimit{}, floor, ceiling))
}

func TestBackoffDoublesWithJitterUpToTheCap(t *testing.T) {
	c := New("t", WithRetries(10, 100*time.Millisecond, time.Second))
	for attempt, full := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		full *= time.Millisecond
		for range 50 {
			d := c.backoff(attempt)
			require.GreaterOrEqual(t, d, full/2, "attempt %d", attempt)
			require.LessOrEqual(t, d, full, "attempt %d", attempt)
		}
	}
}

func TestPollBackoffNeverSpins(t *testing.T) {
	c := New("t", WithPollBackoff(0, 0))
	assert.Equal(t, time.Millisecond, c.pollInitial)
	assert.Equal(t, time.Millisecond, c.pollMax)
	c = New("t", WithRetries(-1, 0, 0))
	assert.Equal(t, 0, c.retries)
	assert.Equal(t, time.Millisecond, c.retryBase)
}

func TestExpand(t *testing.T) {
	path, q, err := expand("/zones/{id_or_name}/rrsets/{rr_name}/{rr_type}",
		Params{"id_or_name": "example.com", "rr_name": "a b", "rr_type": "A", "type": []string{"A", "MX"}, "page": 2})
	require.NoError(t, err)
	assert.Equal(t, "/zones/example.com/rrsets/a%20b/A", path)
	assert.Equal(t, []string{"A", "MX"}, q["type"])
	assert.Equal(t, "2", q.Get("page"))
	_, _, err = expand("/servers/{id}", Params{"id": []int64{1, 2}})
	assert.Error(t, err)
	_, _, err = expand("/servers/{id}", Params{"id": ""})
	assert.Error(t, err)
}

// The private-networks answer in the shape Hetzner documents, parsed offline: the documented
// example and quoting the fake never writes. The fake's own answer for a server attached to
// networks is read in TestMetadataPrivateNetworksOfAnAttachedServer (networks_test.go).
func TestParsePrivateNetworks(t *testing.T) {
	doc := `- ip: 10.0.0.2
  alias_ips:
  - 10.0.0.3
  - 10.0.0.4
  interface_num: 1
  mac_address: 86:00:00:2a:7d:e0
  network_id: 1234
  network_name: nw-test1
  network: 10.0.0.0/8
  subnet: 10.0.0.0/24
  gateway: 10.0.0.1
- ip: 192.168.0.2
  alias_ips: []
  interface_num: 2
  mac_address: 86:00:00:2a:7d:e1
  network_id: 4321
  network_name: nw-test2
  network: 192.168.0.0/16
  subnet: 192.168.0.0/24
  gateway: 192.168.0.1
`
	nets, err := parsePrivateNetworks(doc)
	require.NoError(t, err)
	require.Len(t, nets, 2)
	assert.Equal(t, MetadataPrivateNetwork{IP: "10.0.0.2", AliasIPs: []string{"10.0.0.3", "10.0.0.4"}, InterfaceNum: 1,
		MACAddress: "86:00:00:2a:7d:e0", NetworkID: 1234, NetworkName: "nw-test1", Network: "10.0.0.0/8",
		Subnet: "10.0.0.0/24", Gateway: "10.0.0.1"}, nets[0])
	assert.Equal(t, []string{}, nets[1].AliasIPs)
	assert.Equal(t, int64(4321), nets[1].NetworkID)
	empty, err := parsePrivateNetworks("[]\n")
	require.NoError(t, err)
	assert.Empty(t, empty)
	_, err = parsePrivateNetworks("garbage")
	assert.Error(t, err)

	quoted, err := parsePrivateNetworks("- ip: 10.0.0.2\n  network_name: 'it''s: mine'\n- ip: \"10.0.1.2\"\n  network_name: \"tab\\there\"\n")
	require.NoError(t, err)
	require.Len(t, quoted, 2)
	assert.Equal(t, "it's: mine", quoted[0].NetworkName)
	assert.Equal(t, "10.0.1.2", quoted[1].IP)
	assert.Equal(t, "tab\there", quoted[1].NetworkName)
}
