package fakehetzner_test

import (
	"encoding/json"
	"fmt"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// createFirewall creates a firewall with a colliding name, rules and a label selector, then
// replaces its rules or takes it down (remove the selector, delete) at random; a taken name
// takes down the firewall holding it. The invariants then check firewall ids and names.
func (w *worker) createFirewall() (int, error) {
	name := fmt.Sprintf("fw-%d", w.rnd.IntN(20))
	rule := map[string]any{"direction": "in", "protocol": "tcp", "port": fmt.Sprint(1 + w.rnd.IntN(1024)),
		"source_ips": []string{"0.0.0.0/0", "2001:db8::/32"}}
	body := map[string]any{"name": name, "rules": []any{rule},
		"apply_to": []any{map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "team=a"}}}}
	status, data, err := w.do("POST", "/v1/firewalls", body)
	if err != nil {
		return 0, err
	}
	if status == 409 {
		return w.takeDownFirewallNamed(name)
	}
	if status != 201 {
		return expect(status, data)
	}
	var out struct {
		Firewall store.Firewall `json:"firewall"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	if err := w.run.claim("firewall", out.Firewall.ID, w.token); err != nil {
		return status, err
	}
	if w.rnd.IntN(2) == 0 {
		status, data, err = w.do("POST", fmt.Sprintf("/v1/firewalls/%d/actions/set_rules", out.Firewall.ID),
			map[string]any{"rules": []any{rule, rule}})
		if err != nil {
			return 0, err
		}
		return expect(status, data, 201, 404)
	}
	return w.takeDownFirewall(out.Firewall.ID)
}

// takeDownFirewall removes the firewall's label selector and deletes it; another worker may
// have got there first.
func (w *worker) takeDownFirewall(id int64) (int, error) {
	status, data, err := w.do("POST", fmt.Sprintf("/v1/firewalls/%d/actions/remove_from_resources", id),
		map[string]any{"remove_from": []any{map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "team=a"}}}})
	if err != nil {
		return 0, err
	}
	if _, err := expect(status, data, 201, 404); err != nil {
		return status, err
	}
	status, data, err = w.do("DELETE", fmt.Sprintf("/v1/firewalls/%d", id), nil)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 204, 404)
}

// takeDownFirewallNamed takes down the project's firewall of that name, if there still is one.
func (w *worker) takeDownFirewallNamed(name string) (int, error) {
	status, data, err := w.do("GET", "/v1/firewalls?name="+name, nil)
	if err != nil {
		return 0, err
	}
	if status != 200 {
		return expect(status, data)
	}
	var out struct {
		Firewalls []store.Firewall `json:"firewalls"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	if len(out.Firewalls) != 1 {
		return status, nil
	}
	return w.takeDownFirewall(out.Firewalls[0].ID)
}
