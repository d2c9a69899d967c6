package store

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

func limitTestKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	k, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

func TestParseLimits(t *testing.T) {
	l, err := ParseLimits(" servers=5, ssh_keys=0 ,")
	require.NoError(t, err)
	assert.Equal(t, Limits{"servers": 5, "ssh_keys": 0}, l)
	l, err = ParseLimits("")
	require.NoError(t, err)
	assert.Empty(t, l)
	for _, bad := range []string{"servers", "servers=x", "servers=-1", "gizmos=3", "=3"} {
		_, err := ParseLimits(bad)
		assert.Error(t, err, bad)
	}
}

func TestDefaultLimitsAreGenerous(t *testing.T) {
	s := New(catalog.Default())
	for _, name := range LimitNames() {
		assert.GreaterOrEqual(t, s.Limits()[name], 1000, name)
	}
	assert.Contains(t, LimitNames(), "servers")
	assert.Contains(t, LimitNames(), "ssh_keys")
}

func TestSSHKeyLimit(t *testing.T) {
	s := New(catalog.Default(), WithLimits(Limits{"ssh_keys": 2}))
	p, other := s.Project("a"), s.Project("b")
	k1, err := p.CreateSSHKey(CreateSSHKey{Name: "k1", PublicKey: limitTestKey(t)})
	require.NoError(t, err)
	_, err = p.CreateSSHKey(CreateSSHKey{Name: "k2", PublicKey: limitTestKey(t)})
	require.NoError(t, err)
	before := s.Snapshot()

	_, err = p.CreateSSHKey(CreateSSHKey{Name: "k3", PublicKey: limitTestKey(t)})
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, CodeResourceLimitExceeded, se.Code)
	assert.Equal(t, 403, se.Status())
	assert.Equal(t, "SSH key limit exceeded", se.Message)
	assert.Equal(t, map[string]any{"limits": []map[string]string{{"name": "project_limit"}}}, se.Details)
	assert.Equal(t, before.IDs, s.Snapshot().IDs, "a refused create takes no id")

	_, err = other.CreateSSHKey(CreateSSHKey{Name: "k3", PublicKey: limitTestKey(t)})
	require.NoError(t, err, "limits are per project")

	require.NoError(t, p.DeleteSSHKey(k1.ID))
	_, err = p.CreateSSHKey(CreateSSHKey{Name: "k3", PublicKey: limitTestKey(t)})
	require.NoError(t, err, "a delete frees a slot")
}

func TestSetLimitsMergesAndRejectsAtomically(t *testing.T) {
	s := New(catalog.Default(), WithLimits(Limits{"servers": 5}))
	require.NoError(t, s.SetLimits(Limits{"ssh_keys": 3}))
	assert.Equal(t, 5, s.Limits()["servers"])
	assert.Equal(t, 3, s.Limits()["ssh_keys"])
	err := s.SetLimits(Limits{"servers": 1, "gizmos": 2})
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, CodeInvalidInput, se.Code)
	assert.Equal(t, 5, s.Limits()["servers"], "an invalid set changes nothing")
	got := s.Limits()
	got["servers"] = 99
	assert.Equal(t, 5, s.Limits()["servers"], "Limits returns a copy")
}

func TestCheckLimitOfUnknownCollectionPanics(t *testing.T) {
	p := New(catalog.Default()).Project("a")
	assert.PanicsWithValue(t, "store: no limit for gizmos; add it to limitSubjects in limits.go", func() {
		_ = p.checkLimit("gizmos", 0)
	})
	assert.NoError(t, p.checkLimit("servers", 999))
	assert.Error(t, p.checkLimit("servers", 1000))
}
