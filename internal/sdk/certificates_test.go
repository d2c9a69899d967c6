package sdk_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// selfSignedPEM returns a self-signed ECDSA certificate for names with its PKCS #8 key, and
// the certificate's SHA-256 fingerprint in the API's form.
func selfSignedPEM(t *testing.T, names ...string) (cert, key, fingerprint string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: frozenWall().Add(-time.Hour), NotAfter: frozenWall().AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	sum := sha256.Sum256(der)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), strings.Join(hex, ":")
}

func TestCertificateLifecycle(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, []testkit.Option{testkit.WithTimeSource(frozenWall)}, tinyPolls)
	certs := client.Cloud().Certificates()
	pemCert, pemKey, fp := selfSignedPEM(t, "example.com", "www.example.com")

	up, err := certs.Create(ctx, sdk.CertificateCreateOpts{Name: "site", Certificate: pemCert, PrivateKey: pemKey,
		Labels: map[string]string{"env": "prod"}})
	require.NoError(t, err)
	assert.Nil(t, up.Action)
	c := up.Certificate
	assert.Equal(t, sdk.CertificateTypeUploaded, c.Type)
	require.NotNil(t, c.Fingerprint)
	assert.Equal(t, fp, *c.Fingerprint)
	assert.Equal(t, []string{"example.com", "www.example.com"}, c.DomainNames)
	assert.Nil(t, c.Status)
	assert.Equal(t, []sdk.ActionResource{}, c.UsedBy)
	got, err := certs.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)

	managed, err := certs.Create(ctx, sdk.CertificateCreateOpts{Name: "auto", Type: sdk.CertificateTypeManaged,
		DomainNames: []string{"example.org"}})
	require.NoError(t, err)
	require.NotNil(t, managed.Action)
	assert.Equal(t, "create_certificate", managed.Action.Command)
	assert.Nil(t, managed.Certificate.Certificate)
	assert.Equal(t, sdk.CertificateStatusPending, managed.Certificate.Status.Issuance)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, *managed.Action))
	issued, err := certs.Get(ctx, managed.Certificate.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.CertificateStatusCompleted, issued.Status.Issuance)
	assert.False(t, issued.Status.Failed())
	require.NotNil(t, issued.Certificate)
	require.NotNil(t, issued.NotValidAfter)
	assert.Equal(t, 90*24*time.Hour, issued.NotValidAfter.Sub(*issued.NotValidBefore))

	_, err = certs.Retry(ctx, issued.ID)
	requireNetErr(t, err, sdk.ErrUnsupported, 422, "")
	_, err = certs.Create(ctx, sdk.CertificateCreateOpts{Name: "site", Type: sdk.CertificateTypeManaged, DomainNames: []string{"x.example.com"}})
	requireNetErr(t, err, sdk.ErrUniqueness, 409, "name")
	_, err = certs.Create(ctx, sdk.CertificateCreateOpts{Name: "broken", Certificate: pemCert, PrivateKey: "nope"})
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "private_key")

	renamed, err := certs.Update(ctx, c.ID, sdk.CertificateUpdateOpts{Name: "renamed"})
	require.NoError(t, err)
	assert.Equal(t, "renamed", renamed.Name)
	assert.Equal(t, map[string]string{"env": "prod"}, renamed.Labels, "labels stay")

	var names []string
	for cert, err := range certs.All(ctx, sdk.CertificateListOpts{Types: []sdk.CertificateType{sdk.CertificateTypeManaged}}) {
		require.NoError(t, err)
		names = append(names, cert.Name)
	}
	assert.Equal(t, []string{"auto"}, names)
	list, _, err := certs.List(ctx, sdk.CertificateListOpts{Sort: []string{"name:desc"}})
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "renamed", list[0].Name)

	acts, _, err := certs.ListActions(ctx, issued.ID, sdk.ActionListOpts{})
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, managed.Action.ID, acts[0].ID)
	acts, _, err = certs.ListActions(ctx, c.ID, sdk.ActionListOpts{})
	require.NoError(t, err)
	assert.Empty(t, acts)

	require.NoError(t, certs.Delete(ctx, c.ID))
	_, err = certs.Get(ctx, c.ID)
	requireNetErr(t, err, sdk.ErrNotFound, 404, "")
}

func TestCertificateRetryAfterFailedIssuance(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, []testkit.Option{testkit.WithTimeSource(frozenWall), testkit.WithManualActions()}, tinyPolls)
	certs := client.Cloud().Certificates()

	res, err := certs.Create(ctx, sdk.CertificateCreateOpts{Name: "flaky", Type: sdk.CertificateTypeManaged,
		DomainNames: []string{"flaky.example.com"}})
	require.NoError(t, err)
	_, err = srv.CompleteAction(res.Action.ID, false, "dns_zone_not_found", "DNS zone not found")
	require.NoError(t, err)
	err = client.Cloud().Actions().Wait(ctx, *res.Action)
	assert.ErrorIs(t, err, sdk.Code("dns_zone_not_found"))

	failed, err := certs.Get(ctx, res.Certificate.ID)
	require.NoError(t, err)
	assert.True(t, failed.Status.Failed())
	assert.Equal(t, &sdk.ActionError{Code: "dns_zone_not_found", Message: "DNS zone not found"}, failed.Status.Error)

	retry, err := certs.Retry(ctx, failed.ID)
	require.NoError(t, err)
	assert.Equal(t, "issue_certificate", retry.Command)
	_, err = srv.CompleteAction(retry.ID, true, "", "")
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, retry))
	done, err := certs.Get(ctx, failed.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.CertificateStatusCompleted, done.Status.Issuance)
	assert.Nil(t, done.Status.Error)
	assert.NotNil(t, done.Fingerprint)
}
