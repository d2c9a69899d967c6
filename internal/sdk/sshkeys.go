package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// SSHKey is a public key stored in the project.
type SSHKey struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Fingerprint string            `json:"fingerprint"` // MD5, colon-separated hex
	PublicKey   string            `json:"public_key"`
	Labels      map[string]string `json:"labels"`
	Created     time.Time         `json:"created"`
}

// SSHKeyCreateOpts is the body of POST /ssh_keys.
type SSHKeyCreateOpts struct {
	Name      string            `json:"name"`
	PublicKey string            `json:"public_key"` // an authorized_keys line
	Labels    map[string]string `json:"labels,omitempty"`
}

// SSHKeyUpdateOpts changes an SSH key. Empty Name keeps the name; nil Labels keeps the labels,
// a non-nil empty map removes them all (labels are replaced as a whole).
type SSHKeyUpdateOpts struct {
	Name   string
	Labels map[string]string
}

func (o SSHKeyUpdateOpts) MarshalJSON() ([]byte, error) {
	return json.Marshal(updateBody(o.Name, o.Labels))
}

// updateBody is the PUT body most resources share: name and labels, each only when set.
func updateBody(name string, labels map[string]string) map[string]any {
	body := map[string]any{}
	if name != "" {
		body["name"] = name
	}
	if labels != nil {
		body["labels"] = labels
	}
	return body
}

// SSHKeyListOpts filters GET /ssh_keys.
type SSHKeyListOpts struct {
	Name          string
	Fingerprint   string
	LabelSelector string   // see Selector
	Sort          []string // id, name, with :asc or :desc
	Page, PerPage int
}

func (o SSHKeyListOpts) values() query {
	return query{}.str("name", o.Name).str("fingerprint", o.Fingerprint).
		str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// SSHKeyClient manages SSH keys.
type SSHKeyClient struct{ c *Client }

// Get returns one SSH key.
func (s SSHKeyClient) Get(ctx context.Context, id int64) (SSHKey, error) {
	return getOne[SSHKey](ctx, s.c, idPath("/ssh_keys", id), "ssh_key")
}

// List returns one page of SSH keys.
func (s SSHKeyClient) List(ctx context.Context, opts SSHKeyListOpts) ([]SSHKey, Pagination, error) {
	return listPage[SSHKey](ctx, s.c, "/ssh_keys", "ssh_keys", opts.values().values())
}

// All iterates every SSH key.
func (s SSHKeyClient) All(ctx context.Context, opts SSHKeyListOpts) iter.Seq2[SSHKey, error] {
	return listAll[SSHKey](ctx, s.c, "/ssh_keys", "ssh_keys", opts.values().values())
}

// Create stores a public key. A key whose name or fingerprint exists is ErrUniqueness.
func (s SSHKeyClient) Create(ctx context.Context, opts SSHKeyCreateOpts) (SSHKey, error) {
	var res struct {
		SSHKey SSHKey `json:"ssh_key"`
	}
	err := s.c.sendJSON(ctx, http.MethodPost, "/ssh_keys", opts, &res)
	return res.SSHKey, err
}

// Update renames a key or replaces its labels.
func (s SSHKeyClient) Update(ctx context.Context, id int64, opts SSHKeyUpdateOpts) (SSHKey, error) {
	var res struct {
		SSHKey SSHKey `json:"ssh_key"`
	}
	err := s.c.sendJSON(ctx, http.MethodPut, idPath("/ssh_keys", id), opts, &res)
	return res.SSHKey, err
}

// Delete removes a key.
func (s SSHKeyClient) Delete(ctx context.Context, id int64) error {
	return s.c.sendJSON(ctx, http.MethodDelete, idPath("/ssh_keys", id), nil, nil)
}
