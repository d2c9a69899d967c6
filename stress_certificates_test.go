package fakehetzner_test

import (
	"encoding/json"
	"fmt"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// createCertificate requests a managed certificate under a colliding name; its action joins
// the pool that "complete action" finishes (a third of them with an error). A taken name acts
// on the certificate holding it: a failed issuance is retried, anything else deleted (locked
// while its issuance runs).
func (w *worker) createCertificate() (int, error) {
	name := fmt.Sprintf("cert-%d", w.rnd.IntN(20))
	body := map[string]any{"name": name, "type": "managed", "domain_names": []string{name + ".example.com"}}
	status, data, err := w.do("POST", "/v1/certificates", body)
	if err != nil {
		return 0, err
	}
	if status == 409 {
		return w.retryOrDeleteCertificate(name)
	}
	if status != 201 {
		return expect(status, data)
	}
	var out store.CreateCertificateResult
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	if out.Action == nil {
		return status, fmt.Errorf("managed certificate %d without action", out.Certificate.ID)
	}
	if err := w.run.claim("certificate", out.Certificate.ID, w.token); err != nil {
		return status, err
	}
	return status, w.claimCertificateAction(*out.Action)
}

// claimCertificateAction claims an action's id and adds it to the pool of the worker's project.
func (w *worker) claimCertificateAction(a store.Action) error {
	if err := w.run.claim("action", a.ID, w.token); err != nil {
		return err
	}
	w.run.mu.Lock()
	w.run.actions[w.token] = append(w.run.actions[w.token], a.ID)
	w.run.mu.Unlock()
	return nil
}

func (w *worker) retryOrDeleteCertificate(name string) (int, error) {
	status, data, err := w.do("GET", "/v1/certificates?name="+name, nil)
	if err != nil {
		return 0, err
	}
	if status != 200 {
		return expect(status, data)
	}
	var out struct {
		Certificates []store.Certificate `json:"certificates"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	if len(out.Certificates) != 1 {
		return status, nil
	}
	c := out.Certificates[0]
	path := fmt.Sprintf("/v1/certificates/%d", c.ID)
	if c.Status != nil && c.Status.Issuance == store.CertificateStatusFailed {
		status, data, err = w.do("POST", path+"/actions/retry", nil)
		if err != nil {
			return 0, err
		}
		if status == 201 {
			var res struct {
				Action store.Action `json:"action"`
			}
			if err := json.Unmarshal(data, &res); err != nil {
				return status, err
			}
			return status, w.claimCertificateAction(res.Action)
		}
		// Another worker retried or deleted it first.
		return expect(status, data, 404, 422, 423)
	}
	status, data, err = w.do("DELETE", path, nil)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 204, 404, 423)
}
