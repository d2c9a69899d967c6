package fakehetzner_test

import (
	"encoding/json"
	"fmt"
)

// createFloatingIP creates a floating IP under a name from a small pool (names collide on
// purpose) and claims its id and its address: no address may be handed out twice, across
// projects and across floating and primary IPs.
func (w *worker) createFloatingIP() (int, error) {
	body := map[string]any{
		"name":          fmt.Sprintf("fip-%d", w.rnd.IntN(20)),
		"type":          []string{"ipv4", "ipv6"}[w.rnd.IntN(2)],
		"home_location": []string{"fsn1", "nbg1", "hel1"}[w.rnd.IntN(3)],
		"labels":        map[string]string{"team": []string{"a", "b"}[w.rnd.IntN(2)]},
	}
	status, data, err := w.do("POST", "/v1/floating_ips", body)
	if err != nil {
		return 0, err
	}
	if status == 201 {
		var out struct {
			FloatingIP struct {
				ID int64  `json:"id"`
				IP string `json:"ip"`
			} `json:"floating_ip"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return status, err
		}
		if err := w.run.claim("floating_ip", out.FloatingIP.ID, w.token); err != nil {
			return status, err
		}
		w.run.mu.Lock()
		defer w.run.mu.Unlock()
		key := "address " + out.FloatingIP.IP
		if prev, seen := w.run.owner[key]; seen {
			return status, fmt.Errorf("%s handed out twice (first to %s)", key, prev)
		}
		w.run.owner[key] = w.token
	}
	return expect(status, data, 201, 409)
}
