package handlers

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) loadBalancerOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_load_balancers":          a.listLoadBalancers,
		"create_load_balancer":         a.createLoadBalancer,
		"get_load_balancer":            a.getLoadBalancer,
		"replace_load_balancer":        a.updateLoadBalancer,
		"delete_load_balancer":         a.deleteLoadBalancer,
		"get_metrics_for_loadbalancer": a.loadBalancerMetrics,

		"add_service":                                     withBody("load_balancer", (*store.Project).AddService, asAction),
		"update_service":                                  withBody("load_balancer", (*store.Project).UpdateService, asAction),
		"delete_service":                                  withBody("load_balancer", (*store.Project).DeleteService, asAction),
		"add_target":                                      withBody("load_balancer", (*store.Project).AddTarget, asAction),
		"remove_target":                                   withBody("load_balancer", (*store.Project).RemoveTarget, asAction),
		"attach_load_balancer_to_network":                 withBody("load_balancer", (*store.Project).AttachLoadBalancerToNetwork, asAction),
		"detach_load_balancer_from_network":               withBody("load_balancer", (*store.Project).DetachLoadBalancerFromNetwork, asAction),
		"change_algorithm":                                withBody("load_balancer", (*store.Project).ChangeAlgorithm, asAction),
		"change_type_of_load_balancer":                    withBody("load_balancer", (*store.Project).ChangeLoadBalancerType, asAction),
		"change_load_balancer_protection":                 withBody("load_balancer", (*store.Project).ChangeLoadBalancerProtection, asAction),
		"change_reverse_dns_entry_for_this_load_balancer": withBody("load_balancer", (*store.Project).ChangeLoadBalancerDNSPtr, asAction),
		"enable_public_interface_of_load_balancer":        noBody("load_balancer", (*store.Project).EnablePublicInterface),
		"disable_public_interface_of_load_balancer":       noBody("load_balancer", (*store.Project).DisablePublicInterface),
	}
	addResourceActions(ops, "load_balancer", "load_balancer_actions", "actions_for_load_balancer", "action_for_load_balancer")
	return ops
}

func (a *API) listLoadBalancers(c echo.Context) error {
	p, err := project(c).ListLoadBalancers(store.LoadBalancerFilter{Name: c.QueryParam("name")}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "load_balancers", p)
}

func (a *API) createLoadBalancer(c echo.Context) error {
	var req store.CreateLoadBalancer
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreateLoadBalancer(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getLoadBalancer(c echo.Context) error {
	id, err := pathID(c, "id", "load_balancer")
	if err != nil {
		return err
	}
	lb, err := project(c).GetLoadBalancer(id)
	if err != nil {
		return err
	}
	return one(c, 200, "load_balancer", lb)
}

func (a *API) updateLoadBalancer(c echo.Context) error {
	id, err := pathID(c, "id", "load_balancer")
	if err != nil {
		return err
	}
	var req store.UpdateLoadBalancer
	if err := bind(c, &req); err != nil {
		return err
	}
	lb, err := project(c).UpdateLoadBalancer(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "load_balancer", lb)
}

// deleteLoadBalancer answers 201 with the delete_load_balancer action (since 2026-10-05).
func (a *API) deleteLoadBalancer(c echo.Context) error {
	id, err := pathID(c, "id", "load_balancer")
	if err != nil {
		return err
	}
	act, err := project(c).DeleteLoadBalancer(id)
	if err != nil {
		return err
	}
	return one(c, 201, "action", act)
}

func (a *API) loadBalancerMetrics(c echo.Context) error {
	id, err := pathID(c, "id", "load_balancer")
	if err != nil {
		return err
	}
	q := c.QueryParams()
	m, err := project(c).LoadBalancerMetrics(id, store.MetricsRequest{
		Types: q["type"], Start: q.Get("start"), End: q.Get("end"), Step: q.Get("step"),
	})
	if err != nil {
		return err
	}
	return one(c, 200, "metrics", m)
}

// serviceDefaults fills in, before validation, the service fields the reference marks
// required but the API defaults: clients send add_service with only a protocol (the CLI's live
// tests add "--protocol http --listen-port 80 --destination-port 80" without a health check),
// and hcloud-go leaves out every field it was not given. The values are the store's defaults
// (store.DefaultLoadBalancerService), so the store sees the service it would have made. A
// service the defaults cannot complete (tcp without ports, an unknown protocol) is left for
// validation to refuse. inList says the services are the body's "services" array.
func serviceDefaults(inList bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Body == nil {
				return next(c)
			}
			body, err := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			if err != nil {
				return next(c)
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var root map[string]any
			if dec.Decode(&root) != nil || root == nil {
				return next(c)
			}
			services := []any{root}
			if inList {
				services, _ = root["services"].([]any)
			}
			changed := false
			for _, s := range services {
				if m, ok := s.(map[string]any); ok && fillService(m) {
					changed = true
				}
			}
			if changed {
				if out, err := json.Marshal(root); err == nil {
					req.Body = io.NopCloser(bytes.NewReader(out))
					req.ContentLength = int64(len(out))
				}
			}
			return next(c)
		}
	}
}

// fillService adds the missing required fields of one service object; it reports whether it
// added any.
func fillService(svc map[string]any) bool {
	protocol, _ := svc["protocol"].(string)
	switch protocol {
	case store.ServiceProtocolTCP, store.ServiceProtocolHTTP, store.ServiceProtocolHTTPS:
	default:
		return false
	}
	var dest *int
	if n, ok := svc["destination_port"].(json.Number); ok {
		if v, err := n.Int64(); err == nil {
			d := int(v)
			dest = &d
		}
	}
	hc, _ := svc["health_check"].(map[string]any)
	var checkProtocol *string
	if p, ok := hc["protocol"].(string); ok {
		checkProtocol = &p
	}
	def := store.DefaultLoadBalancerService(protocol, dest, checkProtocol)
	if def.DestinationPort == 0 {
		return false // tcp without ports: nothing to complete
	}
	changed := false
	put := func(m map[string]any, key string, v any) {
		if _, ok := m[key]; !ok {
			m[key] = v
			changed = true
		}
	}
	if def.ListenPort != 0 {
		put(svc, "listen_port", def.ListenPort)
	}
	put(svc, "destination_port", def.DestinationPort)
	put(svc, "proxyprotocol", false)
	if _, ok := svc["health_check"]; !ok {
		put(svc, "health_check", toJSONObject(def.HealthCheck))
		return changed
	}
	if hc == nil {
		return changed
	}
	put(hc, "protocol", def.HealthCheck.Protocol)
	put(hc, "port", def.HealthCheck.Port)
	put(hc, "interval", def.HealthCheck.Interval)
	put(hc, "timeout", def.HealthCheck.Timeout)
	put(hc, "retries", def.HealthCheck.Retries)
	if h, ok := hc["http"].(map[string]any); ok && def.HealthCheck.HTTP != nil {
		put(h, "domain", nil)
		put(h, "path", def.HealthCheck.HTTP.Path)
	}
	return changed
}

func toJSONObject(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}
