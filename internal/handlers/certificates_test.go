package handlers_test

// Certificates through raw HTTP (behaviour.md §12 Certificates, §3.5, §10.2): uploaded PEM
// certificates checked with crypto/x509, managed ones issued by their create_certificate
// action (a self-signed certificate for their names) or failed through the control route, and
// retried with issue_certificate. Every refused request leaves the state as it was.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
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

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func certFixedTime() time.Time { return time.Date(2026, 9, 14, 8, 30, 0, 0, time.UTC) }

// certPair is a PEM certificate with its PEM private key and the DER of the certificate.
type certPair struct {
	Cert, Key string
	DER       []byte
}

// certKeyKind picks the key algorithm and its PEM encoding.
type certKeyKind int

const (
	certECDSAPKCS8 certKeyKind = iota
	certECDSASEC1
	certRSAPKCS1
	certEd25519PKCS8
)

// certIssue makes a certificate for names signed by parent (nil: self-signed), with a key of
// the given kind; cn is the subject's common name.
func certIssue(t testing.TB, kind certKeyKind, cn string, names []string, notBefore, notAfter time.Time,
	parent *x509.Certificate, parentKey crypto.Signer) (certPair, crypto.Signer, *x509.Certificate) {
	t.Helper()
	var key crypto.Signer
	var keyPEM *pem.Block
	switch kind {
	case certECDSAPKCS8, certECDSASEC1:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		key = k
		if kind == certECDSASEC1 {
			der, err := x509.MarshalECPrivateKey(k)
			require.NoError(t, err)
			keyPEM = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
		}
	case certRSAPKCS1:
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		key = k
		keyPEM = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case certEd25519PKCS8:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		key = k
	}
	if keyPEM == nil {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		require.NoError(t, err)
		keyPEM = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Acme Co"}},
		DNSNames:     names,
		NotBefore:    notBefore, NotAfter: notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  parent == nil,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	require.NoError(t, err)
	parsed, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return certPair{Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Key: string(pem.EncodeToMemory(keyPEM)), DER: der}, key, parsed
}

// certSelfSigned is a self-signed ECDSA certificate for names, valid for a year from the fixed time.
func certSelfSigned(t testing.TB, names ...string) certPair {
	t.Helper()
	p, _, _ := certIssue(t, certECDSAPKCS8, "", names, certFixedTime().Add(-time.Hour), certFixedTime().AddDate(1, 0, 0), nil, nil)
	return p
}

// certFingerprint is the SHA-256 of a DER certificate in the API's form (upper-case colon hex).
func certFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// certBody is a certificate as the API shows it.
type certBody struct {
	ID             int64             `json:"id"`
	Name           string            `json:"name"`
	Labels         map[string]string `json:"labels"`
	Type           string            `json:"type"`
	Certificate    *string           `json:"certificate"`
	Created        string            `json:"created"`
	NotValidBefore *string           `json:"not_valid_before"`
	NotValidAfter  *string           `json:"not_valid_after"`
	DomainNames    []string          `json:"domain_names"`
	Fingerprint    *string           `json:"fingerprint"`
	Status         *struct {
		Issuance string             `json:"issuance"`
		Renewal  string             `json:"renewal"`
		Error    *store.ActionError `json:"error"`
	} `json:"status"`
	UsedBy []store.ActionResource `json:"used_by"`
}

// certCreated is the answer of POST /certificates.
type certCreated struct {
	Certificate certBody      `json:"certificate"`
	Action      *actionAnswer `json:"action"`
}

func certCreate(t *testing.T, api *apitest.Client, body map[string]any) certCreated {
	t.Helper()
	res := api.Post("/v1/certificates", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out certCreated
	res.Decode(&out)
	return out
}

func certGet(t *testing.T, api *apitest.Client, id int64) certBody {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/certificates/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Certificate certBody `json:"certificate"`
	}
	res.Decode(&out)
	return out.Certificate
}

func certList(t *testing.T, api *apitest.Client, query string) []string {
	t.Helper()
	res := api.Get("/v1/certificates" + query)
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Certificates []certBody `json:"certificates"`
	}
	res.Decode(&out)
	names := []string{}
	for _, c := range out.Certificates {
		names = append(names, c.Name)
	}
	return names
}

func certActions(t *testing.T, api *apitest.Client, path string) []actionAnswer {
	t.Helper()
	res := api.Get(path)
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Actions []actionAnswer `json:"actions"`
	}
	res.Decode(&out)
	return out.Actions
}

// certComplete ends a running action through the control route, with an error unless code is "".
func certComplete(t *testing.T, api *apitest.Client, id int64, code, message string) actionAnswer {
	t.Helper()
	body := map[string]any{"status": "success"}
	if code != "" {
		body = map[string]any{"status": "error", "error": map[string]string{"code": code, "message": message}}
	}
	res := api.Post(fmt.Sprintf("/_fake/actions/%d/complete", id), body)
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Action actionAnswer `json:"action"`
	}
	res.Decode(&out)
	return out.Action
}

func TestUploadedCertificate(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pair := certSelfSigned(t, "example.com", "www.example.com")

	res := api.Post("/v1/certificates", map[string]any{"name": "site", "type": "uploaded",
		"certificate": pair.Cert, "private_key": pair.Key, "labels": map[string]string{"env": "prod"}})
	require.Equal(t, 201, res.Status, string(res.Body))
	body := res.JSON()
	assert.ElementsMatch(t, []string{"certificate", "action"}, keys(body))
	assert.Nil(t, body["action"], "uploaded certificates have no action")
	var created certCreated
	res.Decode(&created)
	c := created.Certificate
	leaf, err := x509.ParseCertificate(pair.DER)
	require.NoError(t, err)
	assert.Equal(t, "site", c.Name)
	assert.Equal(t, "uploaded", c.Type)
	require.NotNil(t, c.Certificate)
	assert.Equal(t, pair.Cert, *c.Certificate, "the PEM as uploaded")
	require.NotNil(t, c.Fingerprint)
	assert.Equal(t, certFingerprint(pair.DER), *c.Fingerprint)
	assert.Regexp(t, `^[0-9A-F]{2}(:[0-9A-F]{2}){31}$`, *c.Fingerprint, "the form the CLI's live tests match")
	assert.Equal(t, []string{"example.com", "www.example.com"}, c.DomainNames)
	require.NotNil(t, c.NotValidBefore)
	require.NotNil(t, c.NotValidAfter)
	assert.Equal(t, leaf.NotBefore.UTC().Format(time.RFC3339), *c.NotValidBefore)
	assert.Equal(t, leaf.NotAfter.UTC().Format(time.RFC3339), *c.NotValidAfter)
	assert.Nil(t, c.Status, "status is null for uploaded certificates")
	assert.Equal(t, []store.ActionResource{}, c.UsedBy)
	assert.Equal(t, map[string]string{"env": "prod"}, c.Labels)
	assert.Equal(t, "2026-09-14T08:30:00Z", c.Created)
	assert.Equal(t, c, certGet(t, api, c.ID))
	raw := api.Get(fmt.Sprintf("/v1/certificates/%d", c.ID)).JSON()["certificate"].(map[string]any)
	assert.Contains(t, raw, "status", "status is present, as null")
	assert.Nil(t, raw["status"])

	// An uploaded certificate never has actions, and retrying it is not supported.
	assert.Empty(t, certActions(t, api, fmt.Sprintf("/v1/certificates/%d/actions", c.ID)))
	e := refused(t, srv, func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/certificates/%d/actions/retry", c.ID), nil)
	}, 422, "unsupported_error")
	assert.Equal(t, "certificate not retryable", e.Message)
}

// The type defaults to uploaded; chains, PKCS #1, SEC 1 and Ed25519 keys are accepted; domain
// names come from the leaf's DNS names, else its common name.
func TestUploadedCertificateVariants(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	from, to := certFixedTime().Add(-time.Hour), certFixedTime().AddDate(0, 6, 0)

	_, caKey, ca := certIssue(t, certECDSAPKCS8, "Fake CA", nil, from, to.AddDate(1, 0, 0), nil, nil)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}))
	leaf, _, _ := certIssue(t, certECDSASEC1, "shop.example.com", []string{"shop.example.com"}, from, to, ca, caKey)
	c := certCreate(t, api, map[string]any{"name": "chain", "certificate": leaf.Cert + caPEM, "private_key": leaf.Key}).Certificate
	assert.Equal(t, "uploaded", c.Type, "the default type")
	assert.Equal(t, certFingerprint(leaf.DER), *c.Fingerprint, "the fingerprint of the leaf, not of the chain")
	assert.Equal(t, []string{"shop.example.com"}, c.DomainNames)
	assert.Equal(t, to.Format(time.RFC3339), *c.NotValidAfter)

	rsaPair, _, _ := certIssue(t, certRSAPKCS1, "", []string{"rsa.example.com"}, from, to, nil, nil)
	c = certCreate(t, api, map[string]any{"name": "rsa", "certificate": rsaPair.Cert, "private_key": rsaPair.Key}).Certificate
	assert.Equal(t, []string{"rsa.example.com"}, c.DomainNames)

	edPair, _, _ := certIssue(t, certEd25519PKCS8, "only-cn.example.com", nil, from, to, nil, nil)
	c = certCreate(t, api, map[string]any{"name": "ed", "certificate": edPair.Cert, "private_key": edPair.Key}).Certificate
	assert.Equal(t, []string{"only-cn.example.com"}, c.DomainNames, "the common name without DNS names")

	// Text around the PEM blocks is skipped, as PEM readers do.
	withText := certSelfSigned(t, "text.example.com")
	c = certCreate(t, api, map[string]any{"name": "text",
		"certificate": "Bag Attributes\n    friendlyName: x\n" + withText.Cert, "private_key": withText.Key}).Certificate
	assert.Equal(t, certFingerprint(withText.DER), *c.Fingerprint)
}

func TestCertificateCreateErrors(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pair := certSelfSigned(t, "example.com")
	other := certSelfSigned(t, "example.com")
	certCreate(t, api, map[string]any{"name": "taken", "certificate": pair.Cert, "private_key": pair.Key})
	post := func(body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Post("/v1/certificates", body) }
	}
	uploaded := func(cert, key string) map[string]any {
		return map[string]any{"name": "new", "type": "uploaded", "certificate": cert, "private_key": key}
	}
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{1, 2, 3}}))

	refused(t, srv, post(map[string]any{"name": "new"}), 422, "invalid_input", "certificate", "private_key")
	refused(t, srv, post(map[string]any{"name": "new", "certificate": pair.Cert}), 422, "invalid_input", "private_key")
	refused(t, srv, post(map[string]any{"name": "new", "private_key": pair.Key}), 422, "invalid_input", "certificate")
	refused(t, srv, post(uploaded("not a certificate", pair.Key)), 422, "invalid_input", "certificate")
	refused(t, srv, post(uploaded(csr, pair.Key)), 422, "invalid_input", "certificate")
	broken := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("garbage")}))
	refused(t, srv, post(uploaded(broken, pair.Key)), 422, "invalid_input", "certificate")
	refused(t, srv, post(uploaded(pair.Cert, "not a key")), 422, "invalid_input", "private_key")
	refused(t, srv, post(uploaded(pair.Cert, pair.Cert)), 422, "invalid_input", "private_key")
	e := refused(t, srv, post(uploaded(pair.Cert, other.Key)), 422, "invalid_input", "private_key")
	assert.Equal(t, "invalid input in field 'private_key'", e.Message)
	withNames := uploaded(pair.Cert, pair.Key)
	withNames["domain_names"] = []string{"example.com"}
	refused(t, srv, post(withNames), 422, "invalid_input", "domain_names")

	refused(t, srv, post(map[string]any{"name": "new", "type": "managed"}), 422, "invalid_input", "domain_names")
	refused(t, srv, post(map[string]any{"name": "new", "type": "managed", "domain_names": []string{}}), 422, "invalid_input", "domain_names")
	refused(t, srv, post(map[string]any{"name": "new", "type": "managed", "domain_names": []string{"bad name!"}}), 422, "invalid_input", "domain_names")
	refused(t, srv, post(map[string]any{"name": "new", "type": "managed", "domain_names": []string{"*.example.com", "-x.com"}}), 422, "invalid_input", "domain_names")
	refused(t, srv, post(map[string]any{"name": "new", "type": "managed", "domain_names": []string{"example.com"},
		"certificate": pair.Cert, "private_key": pair.Key}), 422, "invalid_input", "certificate", "private_key")
	refused(t, srv, post(map[string]any{"name": "new", "type": "self-signed", "domain_names": []string{"example.com"}}), 422, "invalid_input", "type")

	refused(t, srv, post(map[string]any{"name": " ", "type": "managed", "domain_names": []string{"example.com"}}), 422, "invalid_input", "name")
	refused(t, srv, post(map[string]any{"type": "managed", "domain_names": []string{"example.com"}}), 422, "invalid_input", "name")
	refused(t, srv, post(map[string]any{"name": "new", "type": "managed", "domain_names": []string{"example.com"},
		"labels": map[string]string{"bad key!": "x"}}), 422, "invalid_input", "labels")
	e = refused(t, srv, post(map[string]any{"name": "taken", "type": "managed", "domain_names": []string{"example.com"}}), 409, "uniqueness_error")
	assert.Equal(t, "name is already used", e.Message)
}

func TestManagedCertificateIssuance(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	names := []string{"example.com", "*.example.com", "www.example.com"}

	res := api.Post("/v1/certificates", map[string]any{"name": "managed", "type": "managed", "domain_names": names})
	require.Equal(t, 201, res.Status, string(res.Body))
	raw := res.JSON()["certificate"].(map[string]any)
	for _, field := range []string{"certificate", "fingerprint", "not_valid_before", "not_valid_after"} {
		assert.Contains(t, raw, field)
		assert.Nil(t, raw[field], "%s is null until issued", field)
	}
	var created certCreated
	res.Decode(&created)
	c, act := created.Certificate, created.Action
	require.NotNil(t, act)
	assert.Equal(t, "create_certificate", act.Command)
	assert.Equal(t, "running", act.Status)
	assert.Equal(t, []store.ActionResource{{ID: c.ID, Type: "certificate"}}, act.Resources)
	assert.Equal(t, names, c.DomainNames)
	require.NotNil(t, c.Status)
	assert.Equal(t, "pending", c.Status.Issuance)
	assert.Equal(t, "unavailable", c.Status.Renewal)
	assert.Nil(t, c.Status.Error)

	// While its issuance runs, the certificate cannot be deleted or retried; renaming is fine.
	refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/certificates/%d", c.ID)) }, 423, "locked")
	refused(t, srv, func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/certificates/%d/actions/retry", c.ID), nil)
	}, 423, "locked")
	res = api.Put(fmt.Sprintf("/v1/certificates/%d", c.ID), map[string]any{"name": "renamed"})
	require.Equal(t, 200, res.Status, string(res.Body))

	srv.AdvanceClock(90 * time.Second)
	done := certComplete(t, api, act.ID, "", "")
	require.NotNil(t, done.Finished)
	c = certGet(t, api, c.ID)
	assert.Equal(t, "renamed", c.Name)
	require.NotNil(t, c.Status)
	assert.Equal(t, "completed", c.Status.Issuance)
	assert.Equal(t, "unavailable", c.Status.Renewal, "as the CLI's live test sees right after issuance")
	assert.Nil(t, c.Status.Error)
	assert.Equal(t, names, c.DomainNames)

	// The issued certificate is real and agrees with the fields around it.
	require.NotNil(t, c.Certificate)
	block, rest := pem.Decode([]byte(*c.Certificate))
	require.NotNil(t, block)
	assert.Empty(t, strings.TrimSpace(string(rest)))
	issued, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.Equal(t, names, issued.DNSNames)
	assert.Equal(t, "example.com", issued.Subject.CommonName)
	pub, ok := issued.PublicKey.(*ecdsa.PublicKey)
	require.True(t, ok, "an ECDSA key")
	assert.Equal(t, elliptic.P256(), pub.Curve)
	require.NoError(t, issued.CheckSignature(issued.SignatureAlgorithm, issued.RawTBSCertificate, issued.Signature), "self-signed")
	assert.Equal(t, issued.Subject.String(), issued.Issuer.String())
	assert.Equal(t, certFingerprint(block.Bytes), *c.Fingerprint)
	assert.Equal(t, *done.Finished, *c.NotValidBefore, "valid from its issuance")
	assert.Equal(t, issued.NotBefore.UTC().Format(time.RFC3339), *c.NotValidBefore)
	assert.Equal(t, issued.NotAfter.UTC().Format(time.RFC3339), *c.NotValidAfter)
	assert.Equal(t, 90*24*time.Hour, issued.NotAfter.Sub(issued.NotBefore))

	e := refused(t, srv, func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/certificates/%d/actions/retry", c.ID), nil)
	}, 422, "unsupported_error")
	assert.Equal(t, "certificate not retryable", e.Message, "an issued certificate")

	res = api.Delete(fmt.Sprintf("/v1/certificates/%d", c.ID))
	require.Equal(t, 204, res.Status, string(res.Body))
	assert.Equal(t, "create_certificate", getAction(t, api, act.ID).Command, "its action outlives it")
}

func TestManagedCertificateFailureAndRetry(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	created := certCreate(t, api, map[string]any{"name": "flaky", "type": "managed", "domain_names": []string{"flaky.example.com"}})
	id := created.Certificate.ID

	failed := certComplete(t, api, created.Action.ID, "ca_dns_validation_failed", "Certificate Authority: DNS validation failed")
	assert.Equal(t, "error", failed.Status)
	c := certGet(t, api, id)
	require.NotNil(t, c.Status)
	assert.Equal(t, "failed", c.Status.Issuance)
	assert.Equal(t, "unavailable", c.Status.Renewal)
	assert.Equal(t, &store.ActionError{Code: "ca_dns_validation_failed", Message: "Certificate Authority: DNS validation failed"}, c.Status.Error)
	assert.Nil(t, c.Certificate)
	assert.Nil(t, c.Fingerprint)

	retry := actionOf(t, api.Post(fmt.Sprintf("/v1/certificates/%d/actions/retry", id), nil))
	assert.Equal(t, "issue_certificate", retry.Command)
	assert.Equal(t, "running", retry.Status)
	assert.Equal(t, []store.ActionResource{{ID: id, Type: "certificate"}}, retry.Resources)
	c = certGet(t, api, id)
	assert.Equal(t, "pending", c.Status.Issuance, "issuing again")
	assert.Nil(t, c.Status.Error)

	// It fails once more with the default error of the control route, then succeeds.
	certComplete(t, api, retry.ID, "action_failed", "Action failed")
	assert.Equal(t, &store.ActionError{Code: "action_failed", Message: "Action failed"}, certGet(t, api, id).Status.Error)
	retry = actionOf(t, api.Post(fmt.Sprintf("/v1/certificates/%d/actions/retry", id), nil))
	certComplete(t, api, retry.ID, "", "")
	c = certGet(t, api, id)
	assert.Equal(t, "completed", c.Status.Issuance)
	require.NotNil(t, c.Certificate)
	require.NotNil(t, c.Fingerprint)

	var commands []string
	for _, a := range certActions(t, api, fmt.Sprintf("/v1/certificates/%d/actions?sort=id", id)) {
		commands = append(commands, a.Command+" "+a.Status)
	}
	assert.Equal(t, []string{"create_certificate error", "issue_certificate error", "issue_certificate success"}, commands)
}

// The four action endpoints find certificate actions only, and only of that certificate.
func TestCertificateActionEndpoints(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	first := certCreate(t, api, map[string]any{"name": "a", "type": "managed", "domain_names": []string{"a.example.com"}})
	second := certCreate(t, api, map[string]any{"name": "b", "type": "managed", "domain_names": []string{"b.example.com"}})
	pair := certSelfSigned(t, "c.example.com")
	uploaded := certCreate(t, api, map[string]any{"name": "c", "certificate": pair.Cert, "private_key": pair.Key}).Certificate
	server := pipCreateServer(t, api, "web", true, false, false)

	ids := func(list []actionAnswer) []int64 {
		out := []int64{}
		for _, a := range list {
			out = append(out, a.ID)
		}
		return out
	}
	assert.Equal(t, []int64{first.Action.ID, second.Action.ID}, ids(certActions(t, api, "/v1/certificates/actions")))
	assert.Equal(t, []int64{second.Action.ID}, ids(certActions(t, api, fmt.Sprintf("/v1/certificates/actions?id=%d&id=%d", second.Action.ID, server.Actions[0]))))
	assert.Equal(t, []int64{first.Action.ID}, ids(certActions(t, api, fmt.Sprintf("/v1/certificates/%d/actions?status=success", first.Certificate.ID))))
	assert.Empty(t, certActions(t, api, fmt.Sprintf("/v1/certificates/%d/actions", uploaded.ID)))
	assert.Equal(t, 404, api.Get("/v1/certificates/999999/actions").Status)

	res := api.Get(fmt.Sprintf("/v1/certificates/actions/%d", first.Action.ID))
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/certificates/actions/%d", server.Actions[0])).Status, "a server's action")
	res = api.Get(fmt.Sprintf("/v1/certificates/%d/actions/%d", second.Certificate.ID, second.Action.ID))
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/certificates/%d/actions/%d", first.Certificate.ID, second.Action.ID)).Status,
		"another certificate's action")
}

func TestCertificateListUpdateDelete(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pair := certSelfSigned(t, "example.com")
	up := certCreate(t, api, map[string]any{"name": "beta", "certificate": pair.Cert, "private_key": pair.Key,
		"labels": map[string]string{"team": "a"}}).Certificate
	srv.AdvanceClock(time.Minute)
	managed := certCreate(t, api, map[string]any{"name": "alpha", "type": "managed", "domain_names": []string{"example.org"},
		"labels": map[string]string{"team": "b"}}).Certificate

	assert.Equal(t, []string{"beta", "alpha"}, certList(t, api, ""))
	assert.Equal(t, []string{"alpha", "beta"}, certList(t, api, "?sort=name"))
	assert.Equal(t, []string{"alpha", "beta"}, certList(t, api, "?sort=created:desc"))
	assert.Equal(t, []string{"alpha"}, certList(t, api, "?type=managed"))
	assert.Equal(t, []string{"beta", "alpha"}, certList(t, api, "?type=managed&type=uploaded"))
	assert.Equal(t, []string{"beta"}, certList(t, api, "?name=beta"))
	assert.Equal(t, []string{"alpha"}, certList(t, api, "?label_selector=team%3Db"))
	assert.Equal(t, 422, api.Get("/v1/certificates?type=self-signed").Status)
	assert.Equal(t, 422, api.Get("/v1/certificates?sort=fingerprint").Status)

	put := func(id int64, body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Put(fmt.Sprintf("/v1/certificates/%d", id), body) }
	}
	res := put(up.ID, map[string]any{"name": "gamma", "labels": map[string]string{"team": "c"}})()
	require.Equal(t, 200, res.Status, string(res.Body))
	got := certGet(t, api, up.ID)
	assert.Equal(t, "gamma", got.Name)
	assert.Equal(t, map[string]string{"team": "c"}, got.Labels)
	assert.Equal(t, up.Fingerprint, got.Fingerprint, "only name and labels change")
	res = put(up.ID, map[string]any{"name": "gamma"})()
	require.Equal(t, 200, res.Status, "its own name again")
	assert.Equal(t, map[string]string{"team": "c"}, certGet(t, api, up.ID).Labels, "labels stay when not given")

	refused(t, srv, put(up.ID, map[string]any{"name": "alpha"}), 409, "uniqueness_error")
	refused(t, srv, put(up.ID, map[string]any{"name": ""}), 422, "invalid_input", "name")
	refused(t, srv, put(up.ID, map[string]any{"labels": map[string]string{"hetzner.cloud/x": "y"}}), 422, "invalid_input", "labels")
	refused(t, srv, put(up.ID, map[string]any{"certificate": pair.Cert}), 422, "invalid_input", "certificate")
	refused(t, srv, put(999999, map[string]any{"name": "x"}), 404, "not_found")
	refused(t, srv, func() *apitest.Response { return api.Get("/v1/certificates/999999") }, 404, "not_found")
	refused(t, srv, func() *apitest.Response { return api.Delete("/v1/certificates/999999") }, 404, "not_found")
	refused(t, srv, func() *apitest.Response { return api.Post("/v1/certificates/999999/actions/retry", nil) }, 404, "not_found")

	for _, id := range []int64{up.ID, managed.ID} {
		res = api.Delete(fmt.Sprintf("/v1/certificates/%d", id))
		require.Equal(t, 204, res.Status, string(res.Body))
		assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/certificates/%d", id)).Status)
	}
	assert.Empty(t, certList(t, api, ""))
	// The name is free again.
	certCreate(t, api, map[string]any{"name": "alpha", "type": "managed", "domain_names": []string{"example.org"}})
}

// A certificate an HTTPS service of a load balancer uses shows it in used_by and cannot be
// deleted; used_by follows the load balancer, also through a snapshot.
func TestCertificateInUseCannotBeDeleted(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pair := certSelfSigned(t, "example.com")
	c := certCreate(t, api, map[string]any{"name": "used", "certificate": pair.Cert, "private_key": pair.Key}).Certificate
	res := api.Post("/v1/load_balancers", map[string]any{"name": "lb", "load_balancer_type": "lb11", "location": "fsn1",
		"services": []any{map[string]any{"protocol": "https", "listen_port": 443, "destination_port": 80, "proxyprotocol": false,
			"http": map[string]any{"certificates": []int64{c.ID}}}}})
	require.Equal(t, 201, res.Status, string(res.Body))
	var lb struct {
		LoadBalancer struct {
			ID int64 `json:"id"`
		} `json:"load_balancer"`
	}
	res.Decode(&lb)
	user := store.ActionResource{ID: lb.LoadBalancer.ID, Type: "load_balancer"}
	assert.Equal(t, []store.ActionResource{user}, certGet(t, api, c.ID).UsedBy)

	e := refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/certificates/%d", c.ID)) }, 422, "service_error")
	assert.Equal(t, "certificate still in use", e.Message, "as hcloud-go users see it live")

	// used_by comes from the load balancers on restore: a user that is not there is dropped.
	snap := srv.Snapshot()
	require.NoError(t, srv.Restore(snap))
	assert.Equal(t, []store.ActionResource{user}, certGet(t, api, c.ID).UsedBy)
	for key, ps := range snap.Projects {
		for i := range ps.Certificates {
			ps.Certificates[i].UsedBy = append(ps.Certificates[i].UsedBy, store.ActionResource{ID: 999999, Type: "load_balancer"})
		}
		snap.Projects[key] = ps
	}
	require.NoError(t, srv.Restore(snap))
	assert.Equal(t, []store.ActionResource{user}, certGet(t, api, c.ID).UsedBy)

	res = api.Delete(fmt.Sprintf("/v1/load_balancers/%d", lb.LoadBalancer.ID))
	require.Less(t, res.Status, 300, string(res.Body))
	srv.AdvanceClock(0)
	assert.Equal(t, []store.ActionResource{}, certGet(t, api, c.ID).UsedBy)
	assert.Equal(t, 204, api.Delete(fmt.Sprintf("/v1/certificates/%d", c.ID)).Status)
}

func TestCertificateSnapshotRoundTrip(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(certFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pair := certSelfSigned(t, "up.example.com")
	up := certCreate(t, api, map[string]any{"name": "up", "certificate": pair.Cert, "private_key": pair.Key})
	issued := certCreate(t, api, map[string]any{"name": "issued", "type": "managed", "domain_names": []string{"ok.example.com"}})
	failed := certCreate(t, api, map[string]any{"name": "failed", "type": "managed", "domain_names": []string{"no.example.com"}})
	pending := certCreate(t, api, map[string]any{"name": "pending", "type": "managed", "domain_names": []string{"wait.example.com"}})
	certComplete(t, api, issued.Action.ID, "", "")
	certComplete(t, api, failed.Action.ID, "dns_zone_not_found", "DNS zone not found")
	ids := []int64{up.Certificate.ID, issued.Certificate.ID, failed.Certificate.ID, pending.Certificate.ID}
	before := map[int64]certBody{}
	for _, id := range ids {
		before[id] = certGet(t, api, id)
	}
	snap := srv.Snapshot()

	other := testkit.New(t, testkit.WithTimeSource(certFixedTime), testkit.WithManualActions())
	require.NoError(t, other.Restore(snap))
	otherAPI := apitest.New(t, other.BaseURL, srv.Token)
	for _, id := range ids {
		assert.Equal(t, before[id], certGet(t, otherAPI, id))
	}
	// The restored pending issuance still completes, and new ids do not repeat old ones.
	certComplete(t, otherAPI, pending.Action.ID, "", "")
	assert.Equal(t, "completed", certGet(t, otherAPI, pending.Certificate.ID).Status.Issuance)
	next := certCreate(t, otherAPI, map[string]any{"name": "next", "type": "managed", "domain_names": []string{"n.example.com"}})
	assert.Greater(t, next.Certificate.ID, pending.Certificate.ID)

	// What a PEM says is read from it again: a snapshot cannot make them disagree.
	tampered := srv.Snapshot()
	for key, ps := range tampered.Projects {
		for i := range ps.Certificates {
			fp := "00:11"
			ps.Certificates[i].Fingerprint = &fp
			ps.Certificates[i].DomainNames = []string{"evil.example.com"}
		}
		tampered.Projects[key] = ps
	}
	require.NoError(t, other.Restore(tampered))
	assert.Equal(t, before[up.Certificate.ID], certGet(t, otherAPI, up.Certificate.ID))
	assert.Equal(t, before[issued.Certificate.ID].Fingerprint, certGet(t, otherAPI, issued.Certificate.ID).Fingerprint)

	for name, breakIt := range map[string]func(c *store.Certificate){
		"bad type": func(c *store.Certificate) { c.Type = "other" },
		"bad pem":  func(c *store.Certificate) { s := "junk"; c.Certificate = &s },
		"uploaded status": func(c *store.Certificate) {
			c.Status = &store.CertificateStatus{Issuance: "completed", Renewal: "scheduled"}
		},
		"managed no status": func(c *store.Certificate) { c.Type, c.Status = "managed", nil },
		"empty name":        func(c *store.Certificate) { c.Name = "" },
		"uploaded no pem":   func(c *store.Certificate) { c.Certificate = nil },
		"bad label":         func(c *store.Certificate) { c.Labels = map[string]string{"bad key!": "x"} },
		"non-positive id":   func(c *store.Certificate) { c.ID = 0 },
		"pending with a pem": func(c *store.Certificate) {
			c.Type, c.Status = "managed", &store.CertificateStatus{Issuance: "pending", Renewal: "unavailable"}
		},
	} {
		bad := srv.Snapshot()
		for key, ps := range bad.Projects {
			for i := range ps.Certificates {
				if ps.Certificates[i].ID == up.Certificate.ID {
					breakIt(&ps.Certificates[i])
				}
			}
			bad.Projects[key] = ps
		}
		assert.Error(t, other.Restore(bad), name)
	}
}
