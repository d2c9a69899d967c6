package handlers_test

// What the bad-input battery needs for load balancers: fixtures that make the generated
// baselines succeed, and the service fields the API defaults (so leaving them out is valid).

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/fakehetzner/fakehetzner/testkit"
)

// batteryDefaulted are required fields of the reference that an operation fills in with the
// API's defaults when they are missing (see serviceDefaults in load_balancers.go): leaving them
// out is no bad input there.
var batteryDefaulted = map[string][]string{
	"add_service": {"listen_port", "destination_port", "proxyprotocol", "health_check", "health_check.port",
		"health_check.protocol", "health_check.interval", "health_check.timeout", "health_check.retries"},
}

// lbBatteryFixtures prepare the seeded load balancer for the generated baselines.
var lbBatteryFixtures = map[string]func(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any){
	"add_service": func(t *testing.T, _ *testkit.Server, _ map[string]int64, base map[string]any) {
		base["health_check"] = map[string]any{"protocol": "tcp", "port": 80, "interval": 15, "timeout": 10, "retries": 3}
	},
	"update_service":                            batteryLBService,
	"delete_service":                            batteryLBService,
	"add_target":                                batteryLBTarget,
	"remove_target":                             batteryLBRemoveTarget,
	"detach_load_balancer_from_network":         batteryLBAttach,
	"disable_public_interface_of_load_balancer": batteryLBAttach,
	"change_reverse_dns_entry_for_this_load_balancer": func(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any) {
		res := ctlCall(t, srv, "GET", fmt.Sprintf("/v1/load_balancers/%d", seeds["load_balancers"]), batteryToken, nil)
		var out struct {
			LoadBalancer struct {
				PublicNet struct {
					IPv4 struct{ IP string } `json:"ipv4"`
				} `json:"public_net"`
			} `json:"load_balancer"`
		}
		if res.Status != 200 || json.Unmarshal(res.Body, &out) != nil {
			t.Fatalf("fixture: no seeded load balancer: %d %s", res.Status, clip(res.Body))
		}
		base["ip"] = out.LoadBalancer.PublicNet.IPv4.IP
	},
}

// batteryLBService adds the service the baseline names (by its listen_port).
func batteryLBService(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any) {
	batteryAction(t, srv, fmt.Sprintf("/v1/load_balancers/%d/actions/add_service", seeds["load_balancers"]),
		map[string]any{"protocol": "tcp", "listen_port": base["listen_port"], "destination_port": 80})
}

// batteryLBTarget points the baseline at an IP target.
func batteryLBTarget(_ *testing.T, _ *testkit.Server, _ map[string]int64, base map[string]any) {
	base["ip"] = map[string]any{"ip": "203.0.113.50"}
}

// batteryLBRemoveTarget adds the IP target the baseline removes.
func batteryLBRemoveTarget(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any) {
	batteryLBTarget(t, srv, seeds, base)
	batteryAction(t, srv, fmt.Sprintf("/v1/load_balancers/%d/actions/add_target", seeds["load_balancers"]),
		map[string]any{"type": "ip", "ip": base["ip"]})
}

// batteryLBAttach attaches the seeded load balancer to the seeded network.
func batteryLBAttach(t *testing.T, srv *testkit.Server, seeds map[string]int64, _ map[string]any) {
	batteryAction(t, srv, fmt.Sprintf("/v1/load_balancers/%d/actions/attach_to_network", seeds["load_balancers"]),
		map[string]any{"network": seeds["networks"]})
}
