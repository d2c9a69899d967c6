package handlers_test

// Certificates through the real Go client, hcloud-go v2.52.0: what it sends (Create forces
// type uploaded, CreateCertificate sends managed with domain_names, RetryIssuance posts no
// body) and what it parses (nullable PEM fields of a pending managed certificate, status).

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestCertificatesWithHcloudGo(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime))
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	pair := certSelfSigned(t, "example.com", "www.example.com")
	leaf, err := x509.ParseCertificate(pair.DER)
	require.NoError(t, err)

	up, _, err := client.Certificate.Create(ctx, hcloud.CertificateCreateOpts{
		Name: "uploaded", Certificate: pair.Cert, PrivateKey: pair.Key, Labels: map[string]string{"env": "test"}})
	require.NoError(t, err)
	assert.Equal(t, hcloud.CertificateTypeUploaded, up.Type)
	assert.Equal(t, pair.Cert, up.Certificate)
	assert.Equal(t, certFingerprint(pair.DER), up.Fingerprint)
	assert.Equal(t, []string{"example.com", "www.example.com"}, up.DomainNames)
	assert.True(t, leaf.NotBefore.Equal(up.NotValidBefore))
	assert.True(t, leaf.NotAfter.Equal(up.NotValidAfter))
	assert.Nil(t, up.Status)
	assert.Empty(t, up.UsedBy)
	assert.Equal(t, map[string]string{"env": "test"}, up.Labels)

	res, _, err := client.Certificate.CreateCertificate(ctx, hcloud.CertificateCreateOpts{
		Name: "managed", Type: hcloud.CertificateTypeManaged, DomainNames: []string{"example.org", "*.example.org"}})
	require.NoError(t, err)
	require.NotNil(t, res.Action)
	assert.Equal(t, "create_certificate", res.Action.Command)
	require.NotNil(t, res.Certificate.Status)
	assert.Equal(t, hcloud.CertificateStatusTypePending, res.Certificate.Status.Issuance)
	assert.Empty(t, res.Certificate.Certificate)
	assert.True(t, res.Certificate.NotValidBefore.IsZero(), "null until issued")
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))

	managed, _, err := client.Certificate.GetByID(ctx, res.Certificate.ID)
	require.NoError(t, err)
	require.NotNil(t, managed)
	assert.Equal(t, hcloud.CertificateStatusTypeCompleted, managed.Status.Issuance)
	assert.False(t, managed.Status.IsFailed())
	block, _ := pem.Decode([]byte(managed.Certificate))
	require.NotNil(t, block)
	issued, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.Equal(t, []string{"example.org", "*.example.org"}, issued.DNSNames)
	assert.Equal(t, managed.DomainNames, issued.DNSNames)
	assert.Equal(t, certFingerprint(block.Bytes), managed.Fingerprint)
	assert.True(t, issued.NotAfter.Equal(managed.NotValidAfter))

	_, _, err = client.Certificate.RetryIssuance(ctx, managed)
	requireHcloudError(t, err, hcloud.ErrorUnsupportedError)
	assert.Contains(t, err.Error(), "certificate not retryable")
	_, _, err = client.Certificate.RetryIssuance(ctx, up)
	requireHcloudError(t, err, hcloud.ErrorUnsupportedError)
	_, _, err = client.Certificate.Create(ctx, hcloud.CertificateCreateOpts{Name: "uploaded", Certificate: pair.Cert, PrivateKey: pair.Key})
	requireHcloudError(t, err, hcloud.ErrorCodeUniquenessError)
	other := certSelfSigned(t, "example.com")
	_, _, err = client.Certificate.Create(ctx, hcloud.CertificateCreateOpts{Name: "mismatch", Certificate: pair.Cert, PrivateKey: other.Key})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	up, _, err = client.Certificate.Update(ctx, up, hcloud.CertificateUpdateOpts{Name: "renamed", Labels: map[string]string{"env": "prod"}})
	require.NoError(t, err)
	assert.Equal(t, "renamed", up.Name)
	got, _, err := client.Certificate.Get(ctx, "renamed")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, map[string]string{"env": "prod"}, got.Labels)
	all, err := client.Certificate.AllWithOpts(ctx, hcloud.CertificateListOpts{Sort: []string{"name:desc"}})
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, []string{"renamed", "managed"}, []string{all[0].Name, all[1].Name})

	actions, err := client.Certificate.Action.All(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	require.Len(t, actions, 1)
	assert.Equal(t, res.Action.ID, actions[0].ID)
	forUploaded, _, err := client.Certificate.Action.ListFor(ctx, up, hcloud.ActionListOpts{})
	require.NoError(t, err)
	assert.Empty(t, forUploaded, "uploaded certificates have no actions")
	forManaged, err := client.Certificate.Action.AllFor(ctx, managed, hcloud.ActionListOpts{})
	require.NoError(t, err)
	assert.Len(t, forManaged, 1)
	act, _, err := client.Certificate.Action.GetByID(ctx, res.Action.ID)
	require.NoError(t, err)
	require.NotNil(t, act)
	assert.Equal(t, hcloud.ActionStatusSuccess, act.Status)

	for _, c := range []*hcloud.Certificate{up, managed} {
		_, err = client.Certificate.Delete(ctx, c)
		require.NoError(t, err)
		gone, _, err := client.Certificate.GetByID(ctx, c.ID)
		require.NoError(t, err)
		assert.Nil(t, gone)
	}
}

// A managed certificate whose issuance fails (forced through the control route) reports it in
// its status, and RetryIssuance issues it.
func TestCertificateRetryIssuanceWithHcloudGo(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime), testkit.WithManualActions())
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()

	res, _, err := client.Certificate.CreateCertificate(ctx, hcloud.CertificateCreateOpts{
		Name: "retry-me", Type: hcloud.CertificateTypeManaged, DomainNames: []string{"retry.example.com"}})
	require.NoError(t, err)
	_, err = srv.CompleteAction(res.Action.ID, false, "caa_record_does_not_allow_ca", "CAA record does not allow certificate authority")
	require.NoError(t, err)
	err = client.Action.WaitFor(ctx, res.Action)
	var actionErr hcloud.ActionError
	require.ErrorAs(t, err, &actionErr)
	assert.Equal(t, "caa_record_does_not_allow_ca", actionErr.Code)

	cert, _, err := client.Certificate.GetByID(ctx, res.Certificate.ID)
	require.NoError(t, err)
	require.True(t, cert.Status.IsFailed())
	assert.Equal(t, hcloud.CertificateStatusTypeFailed, cert.Status.Issuance)
	require.NotNil(t, cert.Status.Error)
	assert.Equal(t, hcloud.ErrorCode("caa_record_does_not_allow_ca"), cert.Status.Error.Code)
	assert.Equal(t, "CAA record does not allow certificate authority", cert.Status.Error.Message)

	retry, _, err := client.Certificate.RetryIssuance(ctx, cert)
	require.NoError(t, err)
	assert.Equal(t, "issue_certificate", retry.Command)
	srv.AdvanceClock(time.Minute)
	_, err = srv.CompleteAction(retry.ID, true, "", "")
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, retry))

	cert, _, err = client.Certificate.GetByID(ctx, cert.ID)
	require.NoError(t, err)
	assert.Equal(t, hcloud.CertificateStatusTypeCompleted, cert.Status.Issuance)
	assert.Nil(t, cert.Status.Error)
	assert.NotEmpty(t, cert.Certificate)
	assert.Equal(t, certFixedTime().Add(time.Minute), cert.NotValidBefore.UTC())
	actions, _, err := client.Certificate.Action.List(ctx, hcloud.ActionListOpts{Sort: []string{"id"}})
	require.NoError(t, err)
	require.Len(t, actions, 2)
	assert.Equal(t, []string{"create_certificate", "issue_certificate"}, []string{actions[0].Command, actions[1].Command})
}
