package store

import (
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHKey is a public key stored in a project.
type SSHKey struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Fingerprint string            `json:"fingerprint"`
	PublicKey   string            `json:"public_key"`
	Labels      map[string]string `json:"labels"`
	Created     time.Time         `json:"created"`
}

func (k SSHKey) entityID() int64 { return k.ID }

func (k SSHKey) clone() SSHKey {
	k.Labels = copyLabels(k.Labels)
	return k
}

// CreateSSHKey is the body of POST /ssh_keys.
type CreateSSHKey struct {
	Name      string            `json:"name"`
	PublicKey string            `json:"public_key"`
	Labels    map[string]string `json:"labels"`
}

// UpdateSSHKey is the body of PUT /ssh_keys/{id}; nil fields stay as they are.
type UpdateSSHKey struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

// SSHKeyFilter narrows GET /ssh_keys.
type SSHKeyFilter struct {
	Name        string
	Fingerprint string
}

var sshKeySorter = Sorter[SSHKey]{
	"name": byString(func(k SSHKey) string { return k.Name }),
}

// fingerprintSSHKey parses an authorized_keys line and returns the MD5 colon-hex fingerprint
// the API shows (the SHA256 form is what ssh-keygen prints by default, not what Hetzner uses).
func fingerprintSSHKey(public string) (string, error) {
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(public))
	if err != nil {
		return "", InvalidField("public_key", "invalid public key")
	}
	return ssh.FingerprintLegacyMD5(key), nil
}

// CreateSSHKey stores a key; name and fingerprint are unique in the project.
func (p *Project) CreateSSHKey(req CreateSSHKey) (SSHKey, error) {
	if strings.TrimSpace(req.Name) == "" {
		return SSHKey{}, InvalidField("name", "Name must not be empty.")
	}
	fp, err := fingerprintSSHKey(req.PublicKey)
	if err != nil {
		return SSHKey{}, err
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return SSHKey{}, err
	}
	defer p.lock()()
	if err := p.checkLimit("ssh_keys", p.sshKeys.len()); err != nil {
		return SSHKey{}, err
	}
	if _, dup := p.sshKeys.byName(req.Name); dup {
		return SSHKey{}, Uniqueness("name", "SSH key with the same name already exists")
	}
	if _, dup := p.sshKeys.byKey(1, fp); dup {
		return SSHKey{}, Uniqueness("public_key", "SSH key with the same fingerprint already exists")
	}
	k := SSHKey{
		ID:          p.store.nextID("ssh_key"),
		Name:        req.Name,
		Fingerprint: fp,
		PublicKey:   strings.TrimSpace(req.PublicKey),
		Labels:      copyLabels(req.Labels),
		Created:     p.now(),
	}
	p.sshKeys.put(k)
	return k.clone(), nil
}

// GetSSHKey returns one key.
func (p *Project) GetSSHKey(id int64) (SSHKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k, ok := p.sshKeys.get(id)
	if !ok {
		return SSHKey{}, NotFound("ssh_key")
	}
	return k, nil
}

// ListSSHKeys lists keys with the name and fingerprint filters.
func (p *Project) ListSSHKeys(f SSHKeyFilter, opts ListOptions) (Page[SSHKey], error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return page(&p.sshKeys, opts, func(k SSHKey) bool {
		return (f.Name == "" || k.Name == f.Name) && (f.Fingerprint == "" || k.Fingerprint == f.Fingerprint)
	}, func(k SSHKey) map[string]string { return k.Labels }, sshKeySorter)
}

// UpdateSSHKey renames a key or replaces its labels.
func (p *Project) UpdateSSHKey(id int64, req UpdateSSHKey) (SSHKey, error) {
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return SSHKey{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return SSHKey{}, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k, ok := p.sshKeys.get(id)
	if !ok {
		return SSHKey{}, NotFound("ssh_key")
	}
	if err := renameAndRelabel(&p.sshKeys, req.Name, req.Labels, &k.Name, &k.Labels, "SSH key with the same name already exists"); err != nil {
		return SSHKey{}, err
	}
	p.sshKeys.put(k)
	return k.clone(), nil
}

// DeleteSSHKey removes a key.
func (p *Project) DeleteSSHKey(id int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.sshKeys.has(id) {
		return NotFound("ssh_key")
	}
	p.sshKeys.remove(id)
	return nil
}
