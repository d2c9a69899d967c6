package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

func certTestManaged(t *testing.T, p *Project, name string) int64 {
	t.Helper()
	res, err := p.CreateCertificate(CreateCertificate{Name: name, Type: CertificateTypeManaged, DomainNames: []string{name + ".example.com"}})
	require.NoError(t, err)
	return res.Certificate.ID
}

func certUsers(t *testing.T, p *Project, id int64) []ActionResource {
	t.Helper()
	c, err := p.GetCertificate(id)
	require.NoError(t, err)
	return c.UsedBy
}

// setCertificateUser is how load balancers keep used_by: it sets the exact set of certificates
// one user holds, and a certificate in use cannot be deleted.
func TestSetCertificateUser(t *testing.T) {
	p := New(catalog.Default()).Project("a")
	a, b, c := certTestManaged(t, p, "a"), certTestManaged(t, p, "b"), certTestManaged(t, p, "c")
	lb1, lb2 := ActionResource{ID: 7, Type: "load_balancer"}, ActionResource{ID: 3, Type: "load_balancer"}
	set := func(user ActionResource, ids ...int64) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.setCertificateUser(user, ids)
	}

	set(lb1, a, b, 999) // an unknown id is skipped
	set(lb2, b)
	assert.Equal(t, []ActionResource{lb1}, certUsers(t, p, a))
	assert.Equal(t, []ActionResource{lb2, lb1}, certUsers(t, p, b), "ordered by type and id")
	assert.Equal(t, []ActionResource{}, certUsers(t, p, c))
	p.mu.Lock()
	assert.True(t, p.certificateExists(a))
	assert.False(t, p.certificateExists(999))
	p.mu.Unlock()

	err := p.DeleteCertificate(b)
	require.Error(t, err)
	assert.Equal(t, CodeServiceError, err.(*Error).Code)

	set(lb1, c) // lb1 now uses only c
	assert.Equal(t, []ActionResource{}, certUsers(t, p, a))
	assert.Equal(t, []ActionResource{lb2}, certUsers(t, p, b))
	assert.Equal(t, []ActionResource{lb1}, certUsers(t, p, c))
	set(lb2) // lb2 is deleted
	require.NoError(t, p.DeleteCertificate(b))
	require.NoError(t, p.DeleteCertificate(a))
	assert.Error(t, p.DeleteCertificate(c))
}
