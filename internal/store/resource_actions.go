package store

// CheckResource says whether a resource of a kind exists, for the /<resources>/{id}/actions
// endpoints (404 for an unknown resource, as the API answers).
func (p *Project) CheckResource(kind string, id int64) error {
	defer p.lock()()
	found := false
	switch kind {
	case "server":
		found = p.servers.has(id)
	case "primary_ip":
		found = p.primaryIPs.has(id)
	case "floating_ip":
		found = p.floatingIPs.has(id)
	case "placement_group":
		found = p.placementGroups.has(id)
	case "certificate":
		found = p.certificates.has(id)
	case "network":
		found = p.networks.has(id)
	case "firewall":
		found = p.firewalls.has(id)
	case "volume":
		found = p.volumes.has(id)
	case "load_balancer":
		found = p.loadBalancers.has(id)
	case "image":
		for _, img := range p.images() {
			found = found || img.ID == id
		}
	}
	if !found {
		return NotFound(kind)
	}
	return nil
}

// GetResourceAction returns an action that works on a resource of the kind: the one with
// resID, or any when resID is 0. Other actions are not found there.
func (p *Project) GetResourceAction(kind string, resID, actionID int64) (Action, error) {
	defer p.lock()()
	a, ok := p.actions.get(actionID)
	if !ok {
		return Action{}, NotFound("action")
	}
	for _, r := range a.Resources {
		if r.Type == kind && (resID == 0 || r.ID == resID) {
			return a.Action, nil
		}
	}
	return Action{}, NotFound("action")
}
