package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// CertificateType says where a certificate comes from.
type CertificateType string

// Certificate types.
const (
	CertificateTypeUploaded CertificateType = "uploaded" // a PEM certificate and key given by the user
	CertificateTypeManaged  CertificateType = "managed"  // issued (and renewed) by the API for DomainNames
)

// CertificateStatusType is the state of a managed certificate's issuance or renewal.
type CertificateStatusType string

// Issuance is pending, completed or failed; renewal is scheduled, pending, failed or
// unavailable.
const (
	CertificateStatusPending     CertificateStatusType = "pending"
	CertificateStatusCompleted   CertificateStatusType = "completed"
	CertificateStatusFailed      CertificateStatusType = "failed"
	CertificateStatusScheduled   CertificateStatusType = "scheduled"
	CertificateStatusUnavailable CertificateStatusType = "unavailable"
)

// Certificate is a TLS certificate for load balancers. The PEM fields, Fingerprint and the
// validity are empty (nil) for a managed certificate until it is issued.
type Certificate struct {
	ID             int64              `json:"id"`
	Name           string             `json:"name"`
	Type           CertificateType    `json:"type"`
	Certificate    *string            `json:"certificate"` // the PEM chain, leaf first
	DomainNames    []string           `json:"domain_names"`
	Fingerprint    *string            `json:"fingerprint"` // SHA-256 of the leaf, upper-case colon hex
	NotValidBefore *time.Time         `json:"not_valid_before"`
	NotValidAfter  *time.Time         `json:"not_valid_after"`
	Status         *CertificateStatus `json:"status"` // nil for uploaded certificates
	UsedBy         []ActionResource   `json:"used_by"`
	Labels         map[string]string  `json:"labels"`
	Created        time.Time          `json:"created"`
}

// CertificateStatus is the issuance and renewal state of a managed certificate; Error says
// why the last one failed.
type CertificateStatus struct {
	Issuance CertificateStatusType `json:"issuance"`
	Renewal  CertificateStatusType `json:"renewal"`
	Error    *ActionError          `json:"error"`
}

// Failed reports whether the issuance or the renewal failed (then Retry applies).
func (s CertificateStatus) Failed() bool {
	return s.Issuance == CertificateStatusFailed || s.Renewal == CertificateStatusFailed
}

// CertificateCreateOpts is the body of POST /certificates: Certificate and PrivateKey (PEM) for
// an uploaded certificate, DomainNames with Type managed for a managed one.
type CertificateCreateOpts struct {
	Name        string            `json:"name"`
	Type        CertificateType   `json:"type,omitempty"` // "": uploaded
	Certificate string            `json:"certificate,omitempty"`
	PrivateKey  string            `json:"private_key,omitempty"`
	DomainNames []string          `json:"domain_names,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

// CertificateCreateResult is the answer of POST /certificates; Action (create_certificate) is
// nil for uploaded certificates.
type CertificateCreateResult struct {
	Certificate Certificate `json:"certificate"`
	Action      *Action     `json:"action"`
}

// CertificateUpdateOpts changes a certificate; see SSHKeyUpdateOpts for the rules.
type CertificateUpdateOpts struct {
	Name   string
	Labels map[string]string
}

func (o CertificateUpdateOpts) MarshalJSON() ([]byte, error) {
	return json.Marshal(updateBody(o.Name, o.Labels))
}

// CertificateListOpts filters GET /certificates.
type CertificateListOpts struct {
	Name          string
	Types         []CertificateType
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o CertificateListOpts) values() query {
	q := query{}.str("name", o.Name).str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
	for _, t := range o.Types {
		q.str("type", string(t))
	}
	return q
}

// CertificateClient manages certificates.
type CertificateClient struct{ c *Client }

func certificatePath(id int64) string { return idPath("/certificates", id) }

// Get returns one certificate.
func (cc CertificateClient) Get(ctx context.Context, id int64) (Certificate, error) {
	return getOne[Certificate](ctx, cc.c, certificatePath(id), "certificate")
}

// List returns one page of certificates.
func (cc CertificateClient) List(ctx context.Context, opts CertificateListOpts) ([]Certificate, Pagination, error) {
	return listPage[Certificate](ctx, cc.c, "/certificates", "certificates", opts.values().values())
}

// All iterates every certificate.
func (cc CertificateClient) All(ctx context.Context, opts CertificateListOpts) iter.Seq2[Certificate, error] {
	return listAll[Certificate](ctx, cc.c, "/certificates", "certificates", opts.values().values())
}

// Create uploads a certificate or requests a managed one; wait for the result's Action (when
// not nil) to have it issued.
func (cc CertificateClient) Create(ctx context.Context, opts CertificateCreateOpts) (CertificateCreateResult, error) {
	var res CertificateCreateResult
	err := cc.c.sendJSON(ctx, http.MethodPost, "/certificates", opts, &res)
	return res, err
}

// Update renames a certificate or replaces its labels.
func (cc CertificateClient) Update(ctx context.Context, id int64, opts CertificateUpdateOpts) (Certificate, error) {
	var res struct {
		Certificate Certificate `json:"certificate"`
	}
	err := cc.c.sendJSON(ctx, http.MethodPut, certificatePath(id), opts, &res)
	return res.Certificate, err
}

// Delete deletes a certificate. One a load balancer uses is ErrServiceError ("certificate
// still in use").
func (cc CertificateClient) Delete(ctx context.Context, id int64) error {
	return cc.c.sendJSON(ctx, http.MethodDelete, certificatePath(id), nil, nil)
}

// Retry retries the failed issuance or renewal of a managed certificate (action
// issue_certificate); for any other certificate it is ErrUnsupported.
func (cc CertificateClient) Retry(ctx context.Context, id int64) (Action, error) {
	return cc.c.actionOf(ctx, http.MethodPost, certificatePath(id)+"/actions/retry", nil)
}

// ListActions returns one page of the certificate's actions (none for uploaded ones).
func (cc CertificateClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, cc.c, certificatePath(id)+"/actions", "actions", opts.values().values())
}
