package store

import (
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Certificate types.
const (
	CertificateTypeUploaded = "uploaded"
	CertificateTypeManaged  = "managed"
)

// Issuance and renewal statuses of a managed certificate.
const (
	CertificateStatusPending     = "pending"
	CertificateStatusCompleted   = "completed"
	CertificateStatusFailed      = "failed"
	CertificateStatusScheduled   = "scheduled"
	CertificateStatusUnavailable = "unavailable"
)

// Commands of a managed certificate's actions.
const (
	commandCreateCertificate = "create_certificate"
	commandIssueCertificate  = "issue_certificate"
)

// managedValidity is how long an issued managed certificate is valid (Let's Encrypt's 90 days).
const managedValidity = 90 * 24 * time.Hour

// Certificate is a TLS certificate as the API shows it. An uploaded one carries the PEM it was
// given and what it says; a managed one has nulls there until its issuance succeeds.
type Certificate struct {
	ID             int64              `json:"id"`
	Name           string             `json:"name"`
	Labels         map[string]string  `json:"labels"`
	Type           string             `json:"type"`
	Certificate    *string            `json:"certificate"`
	Created        time.Time          `json:"created"`
	NotValidBefore *time.Time         `json:"not_valid_before"`
	NotValidAfter  *time.Time         `json:"not_valid_after"`
	DomainNames    []string           `json:"domain_names"`
	Fingerprint    *string            `json:"fingerprint"`
	Status         *CertificateStatus `json:"status"` // null for uploaded certificates
	UsedBy         []ActionResource   `json:"used_by"`
}

// CertificateStatus is the issuance and renewal state of a managed certificate; Error says why
// the last one failed.
type CertificateStatus struct {
	Issuance string       `json:"issuance"`
	Renewal  string       `json:"renewal"`
	Error    *ActionError `json:"error"`
}

func (c Certificate) entityID() int64 { return c.ID }

func (c Certificate) clone() Certificate {
	c.Labels = copyLabels(c.Labels)
	c.DomainNames = nonNil(slices.Clone(c.DomainNames))
	c.UsedBy = nonNil(slices.Clone(c.UsedBy))
	c.Certificate = clonePtr(c.Certificate)
	c.Fingerprint = clonePtr(c.Fingerprint)
	c.NotValidBefore = clonePtr(c.NotValidBefore)
	c.NotValidAfter = clonePtr(c.NotValidAfter)
	if c.Status != nil {
		s := *c.Status
		s.Error = clonePtr(s.Error)
		c.Status = &s
	}
	return c
}

func certificateRef(id int64) ActionResource { return ActionResource{ID: id, Type: "certificate"} }

// CreateCertificate is the body of POST /certificates. Type defaults to uploaded.
type CreateCertificate struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	Certificate *string           `json:"certificate"`
	PrivateKey  *string           `json:"private_key"`
	DomainNames []string          `json:"domain_names"`
	Labels      map[string]string `json:"labels"`
}

// CreateCertificateResult is the answer of POST /certificates: action is null for uploaded
// certificates and create_certificate for managed ones.
type CreateCertificateResult struct {
	Certificate Certificate `json:"certificate"`
	Action      *Action     `json:"action"`
}

// UpdateCertificate is the body of PUT /certificates/{id}; nil fields stay as they are.
type UpdateCertificate struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

// CertificateFilter narrows GET /certificates.
type CertificateFilter struct {
	Name  string
	Types []string
}

var certificateSorter = Sorter[Certificate]{
	"name":    byString(func(c Certificate) string { return c.Name }),
	"created": func(a, b Certificate) int { return a.Created.Compare(b.Created) },
}

// certificateFacts is what a PEM certificate chain says about its first (leaf) certificate.
type certificateFacts struct {
	leaf        *x509.Certificate
	domainNames []string
	fingerprint string
}

// parseCertificateChain reads a PEM chain (one or more CERTIFICATE blocks, leaf first) and
// returns the facts of its leaf. Text around the blocks is skipped, as PEM readers do (openssl
// exports put "Bag Attributes" there).
func parseCertificateChain(chain string) (certificateFacts, error) {
	bad := func(msg string) (certificateFacts, error) {
		return certificateFacts{}, InvalidField("certificate", msg)
	}
	var certs []*x509.Certificate
	rest := []byte(chain)
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return bad(fmt.Sprintf("unexpected PEM block %q; expected CERTIFICATE", block.Type))
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return bad("certificate cannot be parsed")
		}
		certs = append(certs, c)
		rest = next
	}
	if len(certs) == 0 {
		return bad("certificate is not valid PEM")
	}
	return factsOf(certs[0]), nil
}

// factsOf reads the domain names (the DNS names, else the common name) and the SHA-256
// fingerprint, upper-case colon hex as the API shows it (the CLI's live tests match
// [0-9A-F]{2}(:[0-9A-F]{2}){31}).
func factsOf(c *x509.Certificate) certificateFacts {
	names := slices.Clone(c.DNSNames)
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = []string{c.Subject.CommonName}
	}
	sum := sha256.Sum256(c.Raw)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	return certificateFacts{leaf: c, domainNames: nonNil(names), fingerprint: strings.Join(hex, ":")}
}

// parsePrivateKey reads one PEM private key: PKCS #8, PKCS #1 (RSA) or SEC 1 (EC).
func parsePrivateKey(s string) (crypto.Signer, error) {
	bad := InvalidField("private_key", "private key is not a valid PEM private key")
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, bad
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, bad
	}
	signer, ok := key.(crypto.Signer)
	if err != nil || !ok {
		return nil, bad
	}
	return signer, nil
}

// uploadedCertificate checks an uploaded certificate and key: both parse and the key belongs to
// the leaf certificate.
func uploadedCertificate(req CreateCertificate) (certificateFacts, error) {
	var missing []FieldError
	if req.Certificate == nil || strings.TrimSpace(*req.Certificate) == "" {
		missing = append(missing, FieldError{Name: "certificate", Messages: []string{"Missing data for required field."}})
	}
	if req.PrivateKey == nil || strings.TrimSpace(*req.PrivateKey) == "" {
		missing = append(missing, FieldError{Name: "private_key", Messages: []string{"Missing data for required field."}})
	}
	if len(missing) > 0 {
		return certificateFacts{}, InvalidInput(missing...)
	}
	if len(req.DomainNames) > 0 {
		return certificateFacts{}, InvalidField("domain_names", "domain_names are only for managed certificates; "+
			"an uploaded certificate's come from the certificate")
	}
	facts, err := parseCertificateChain(*req.Certificate)
	if err != nil {
		return facts, err
	}
	key, err := parsePrivateKey(*req.PrivateKey)
	if err != nil {
		return facts, err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(facts.leaf.PublicKey) {
		return facts, InvalidField("private_key", "private key does not match the certificate")
	}
	return facts, nil
}

// checkDomainNames checks the domain names of a managed certificate: host names, each may
// start with a "*." wildcard label.
func checkDomainNames(names []string) error {
	if len(names) == 0 {
		return InvalidField("domain_names", "Missing data for required field.")
	}
	for _, n := range names {
		if !validHostname(strings.TrimPrefix(n, "*.")) {
			return InvalidField("domain_names", fmt.Sprintf("%q is not a valid domain name", n))
		}
	}
	return nil
}

// CreateCertificate stores an uploaded certificate, or requests a managed one whose
// create_certificate action issues it.
func (p *Project) CreateCertificate(req CreateCertificate) (CreateCertificateResult, error) {
	if strings.TrimSpace(req.Name) == "" {
		return CreateCertificateResult{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Type == "" {
		req.Type = CertificateTypeUploaded
	}
	var facts certificateFacts
	switch req.Type {
	case CertificateTypeUploaded:
		f, err := uploadedCertificate(req)
		if err != nil {
			return CreateCertificateResult{}, err
		}
		facts = f
	case CertificateTypeManaged:
		var extra []FieldError
		for _, f := range []struct {
			name  string
			given bool
		}{{"certificate", req.Certificate != nil}, {"private_key", req.PrivateKey != nil}} {
			if f.given {
				extra = append(extra, FieldError{Name: f.name, Messages: []string{"only for uploaded certificates"}})
			}
		}
		if len(extra) > 0 {
			return CreateCertificateResult{}, InvalidInput(extra...)
		}
		if err := checkDomainNames(req.DomainNames); err != nil {
			return CreateCertificateResult{}, err
		}
	default:
		return CreateCertificateResult{}, InvalidField("type", "Not a valid choice.")
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreateCertificateResult{}, err
	}
	defer p.lock()()
	if _, dup := p.certificates.byName(req.Name); dup {
		return CreateCertificateResult{}, Uniqueness("name", "name is already used")
	}
	if err := p.checkLimit("certificates", p.certificates.len()); err != nil {
		return CreateCertificateResult{}, err
	}
	c := Certificate{ID: p.store.nextID("certificate"), Name: req.Name, Labels: copyLabels(req.Labels),
		Type: req.Type, Created: p.now(), UsedBy: []ActionResource{}}
	if req.Type == CertificateTypeUploaded {
		c.setFacts(*req.Certificate, facts)
		p.certificates.put(c)
		return CreateCertificateResult{Certificate: c.clone()}, nil
	}
	c.DomainNames = slices.Clone(req.DomainNames)
	c.Status = &CertificateStatus{Issuance: CertificateStatusPending, Renewal: CertificateStatusUnavailable}
	p.certificates.put(c)
	a := p.startAction(commandCreateCertificate, certificateRef(c.ID))
	return CreateCertificateResult{Certificate: c.clone(), Action: &a}, nil
}

// setFacts sets the PEM and what its leaf says.
func (c *Certificate) setFacts(pemChain string, f certificateFacts) {
	before, after := f.leaf.NotBefore.UTC(), f.leaf.NotAfter.UTC()
	fp := f.fingerprint
	c.Certificate, c.Fingerprint = &pemChain, &fp
	c.NotValidBefore, c.NotValidAfter = &before, &after
	c.DomainNames = slices.Clone(f.domainNames)
}

// GetCertificate returns one certificate.
func (p *Project) GetCertificate(id int64) (Certificate, error) {
	defer p.lock()()
	c, ok := p.certificates.get(id)
	if !ok {
		return Certificate{}, NotFound("certificate")
	}
	return c, nil
}

// ListCertificates lists certificates with the name and type filters.
func (p *Project) ListCertificates(f CertificateFilter, opts ListOptions) (Page[Certificate], error) {
	defer p.lock()()
	return page(&p.certificates, opts, func(c Certificate) bool {
		return (f.Name == "" || c.Name == f.Name) && (len(f.Types) == 0 || slices.Contains(f.Types, c.Type))
	}, func(c Certificate) map[string]string { return c.Labels }, certificateSorter)
}

// UpdateCertificate renames a certificate or replaces its labels.
func (p *Project) UpdateCertificate(id int64, req UpdateCertificate) (Certificate, error) {
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return Certificate{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return Certificate{}, err
		}
	}
	defer p.lock()()
	c, ok := p.certificates.get(id)
	if !ok {
		return Certificate{}, NotFound("certificate")
	}
	if err := renameAndRelabel(&p.certificates, req.Name, req.Labels, &c.Name, &c.Labels, "name is already used"); err != nil {
		return Certificate{}, err
	}
	p.certificates.put(c)
	return c.clone(), nil
}

// DeleteCertificate deletes a certificate no load balancer uses. In use, the API answers
// service_error "certificate still in use" (seen live through hcloud-go:
// https://github.com/magenx/hek3ster/issues/216).
func (p *Project) DeleteCertificate(id int64) error {
	defer p.lock()()
	c, ok := p.certificates.get(id)
	if !ok {
		return NotFound("certificate")
	}
	if p.lockedBy("certificate", id) {
		return Locked("certificate")
	}
	if len(c.UsedBy) > 0 {
		return Errorf(CodeServiceError, "certificate still in use")
	}
	p.certificates.remove(id)
	return nil
}

// RetryCertificate retries the failed issuance (or renewal) of a managed certificate with an
// issue_certificate action; anything else is unsupported_error "certificate not retryable", as
// the CLI's live tests see for uploaded and for issued certificates.
func (p *Project) RetryCertificate(id int64) (Action, error) {
	defer p.lock()()
	c, ok := p.certificates.get(id)
	if !ok {
		return Action{}, NotFound("certificate")
	}
	if p.lockedBy("certificate", id) {
		return Action{}, Locked("certificate")
	}
	s := c.Status
	if c.Type != CertificateTypeManaged || s == nil ||
		(s.Issuance != CertificateStatusFailed && s.Renewal != CertificateStatusFailed) {
		return Action{}, Errorf(CodeUnsupportedError, "certificate not retryable")
	}
	if s.Issuance == CertificateStatusFailed {
		s.Issuance = CertificateStatusPending
	}
	if s.Renewal == CertificateStatusFailed {
		s.Renewal = CertificateStatusPending
	}
	s.Error = nil
	p.certificates.put(c)
	return p.startAction(commandIssueCertificate, certificateRef(id)), nil
}

// certificateExists says whether the project has the certificate (for load balancer services
// that name certificates).
func (p *Project) certificateExists(id int64) bool {
	return p.certificates.has(id)
}

// setCertificateUser records that user (a load balancer) uses exactly the certificates ids: it
// enters their used_by and leaves that of every other certificate. Load balancers call it
// whenever the certificates of their services change, and with no ids when they are deleted;
// ids of certificates that do not exist are skipped (check them with certificateExists first).
// The caller holds the project lock.
func (p *Project) setCertificateUser(user ActionResource, ids []int64) {
	for _, c := range p.certificates.values() {
		uses := slices.Contains(ids, c.ID)
		has := slices.Contains(c.UsedBy, user)
		if uses == has {
			continue
		}
		c = c.clone()
		if uses {
			c.UsedBy = append(c.UsedBy, user)
			slices.SortFunc(c.UsedBy, func(a, b ActionResource) int {
				return cmp.Or(strings.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
			})
		} else {
			c.UsedBy = slices.DeleteFunc(c.UsedBy, func(r ActionResource) bool { return r == user })
		}
		p.certificates.put(c)
	}
}

func init() { actionEffects["certificate"] = certificateActionDone }

// certificateActionDone ends an issuance: on success the certificate gets a freshly issued
// (self-signed) certificate for its domain names; on failure its status says failed, with the
// action's error (complete the action with an error through /_fake/actions/{id}/complete).
func certificateActionDone(p *Project, a Action) {
	if a.Command != commandCreateCertificate && a.Command != commandIssueCertificate {
		return
	}
	c, ok := p.certificates.get(a.Resources[0].ID)
	if !ok || c.Status == nil {
		return // deleted meanwhile
	}
	var issued string
	var facts certificateFacts
	var err error
	if a.Status == ActionStatusSuccess {
		issued, facts, err = issueCertificate(c.DomainNames, *a.Finished)
	}
	switch {
	case a.Status == ActionStatusSuccess && err == nil:
		c.setFacts(issued, facts)
		c.Status = &CertificateStatus{Issuance: CertificateStatusCompleted, Renewal: CertificateStatusUnavailable}
	default:
		cause := &ActionError{Code: "unknown_error", Message: "certificate could not be issued"}
		if a.Error != nil {
			cause = clonePtr(a.Error)
		}
		if c.Status.Issuance == CertificateStatusPending {
			c.Status.Issuance = CertificateStatusFailed
		}
		if c.Status.Renewal == CertificateStatusPending {
			c.Status.Renewal = CertificateStatusFailed
		}
		c.Status.Error = cause
	}
	p.certificates.put(c)
}

// issueCertificate makes a self-signed ECDSA P-256 certificate for the names, valid from now
// for 90 days, and returns its PEM and facts.
func issueCertificate(names []string, now time.Time) (string, certificateFacts, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", certificateFacts{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", certificateFacts{}, err
	}
	now = now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: names[0]},
		DNSNames:              slices.Clone(names),
		NotBefore:             now,
		NotAfter:              now.Add(managedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return "", certificateFacts{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return "", certificateFacts{}, err
	}
	facts := factsOf(leaf)
	facts.domainNames = slices.Clone(names)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), facts, nil
}

// restoreCertificates loads the certificates of a snapshot. What a certificate's PEM says
// (fingerprint, validity, an uploaded one's domain names) is read again from the PEM, so a
// snapshot cannot make them disagree; used_by is left empty here and filled in from the
// load balancers' services when they are restored (after the certificates).
func (p *Project) restoreCertificates(ps ProjectSnapshot, seen map[string]bool, maxIDs map[string]int64) error {
	for _, c := range ps.Certificates {
		if err := checkRestored("certificate", c.ID, c.Name, seen, maxIDs); err != nil {
			return err
		}
		restored, err := restoredCertificate(c)
		if err != nil {
			return fmt.Errorf("certificate %d: %w", c.ID, err)
		}
		p.certificates.put(restored)
	}
	return nil
}

func restoredCertificate(c Certificate) (Certificate, error) {
	if strings.TrimSpace(c.Name) == "" {
		return c, fmt.Errorf("empty name")
	}
	if err := ValidateLabels(c.Labels); err != nil {
		return c, err
	}
	out := c.clone()
	out.UsedBy = []ActionResource{}
	switch c.Type {
	case CertificateTypeUploaded:
		if c.Status != nil || c.Certificate == nil {
			return c, fmt.Errorf("an uploaded certificate needs its PEM and no status")
		}
	case CertificateTypeManaged:
		s := c.Status
		if s == nil || !slices.Contains([]string{CertificateStatusPending, CertificateStatusCompleted, CertificateStatusFailed}, s.Issuance) ||
			!slices.Contains([]string{CertificateStatusScheduled, CertificateStatusPending, CertificateStatusFailed, CertificateStatusUnavailable}, s.Renewal) {
			return c, fmt.Errorf("invalid status")
		}
		if err := checkDomainNames(c.DomainNames); err != nil {
			return c, fmt.Errorf("invalid domain names")
		}
		if (c.Certificate != nil) != (s.Issuance == CertificateStatusCompleted) {
			return c, fmt.Errorf("issuance %s does not fit the certificate", s.Issuance)
		}
	default:
		return c, fmt.Errorf("type %q", c.Type)
	}
	out.Fingerprint, out.NotValidBefore, out.NotValidAfter = nil, nil, nil
	if c.Certificate != nil {
		facts, err := parseCertificateChain(*c.Certificate)
		if err != nil {
			return c, fmt.Errorf("invalid certificate PEM")
		}
		names := out.DomainNames
		out.setFacts(*c.Certificate, facts)
		if c.Type == CertificateTypeManaged {
			out.DomainNames = names
		}
	}
	return out, nil
}
