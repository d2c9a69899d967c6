package fakehetzner_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
)

// createLoadBalancer creates a load balancer under a name from a small pool (names collide on
// purpose), with a service, and claims its id and addresses: no address (IPv6 by its /64) may
// be handed out twice, across projects and across load balancers, floating and primary IPs.
func (w *worker) createLoadBalancer() (int, error) {
	body := map[string]any{
		"name":               fmt.Sprintf("lb-%d", w.rnd.IntN(20)),
		"load_balancer_type": "lb11",
		"location":           []string{"fsn1", "nbg1", "hel1"}[w.rnd.IntN(3)],
		"services":           []any{map[string]any{"protocol": "http"}},
	}
	status, data, err := w.do("POST", "/v1/load_balancers", body)
	if err != nil {
		return 0, err
	}
	if status == 201 {
		var out struct {
			LoadBalancer struct {
				ID        int64 `json:"id"`
				PublicNet struct {
					IPv4 struct{ IP string } `json:"ipv4"`
					IPv6 struct{ IP string } `json:"ipv6"`
				} `json:"public_net"`
			} `json:"load_balancer"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return status, err
		}
		if err := w.run.claim("load_balancer", out.LoadBalancer.ID, w.token); err != nil {
			return status, err
		}
		v6, err := netip.ParseAddr(out.LoadBalancer.PublicNet.IPv6.IP)
		if err != nil {
			return status, err
		}
		w.run.mu.Lock()
		defer w.run.mu.Unlock()
		for _, addr := range []string{out.LoadBalancer.PublicNet.IPv4.IP, netip.PrefixFrom(v6, 64).Masked().String()} {
			key := "address " + addr
			if prev, seen := w.run.owner[key]; seen {
				return status, fmt.Errorf("%s handed out twice (first to %s)", key, prev)
			}
			w.run.owner[key] = w.token
		}
	}
	return expect(status, data, 201, 409)
}
