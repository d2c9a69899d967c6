package store

// CheckResource says whether a resource of a kind exists, for the /<resources>/{id}/actions
// endpoints (404 for an unknown resource, as the API answers).
func (p *Project) CheckResource(kind string, id int64) error {
	defer p.lock()()
	found := false
	switch kind {
	case "server":
		_, found = p.servers.get(id)
	case "primary_ip":
		_, found = p.primaryIPs.get(id)
	case "floating_ip":
		_, found = p.floatingIPs.get(id)
	case "placement_group":
		_, found = p.placementGroups.get(id)
	case "certificate":
		_, found = p.certificates.get(id)
	case "network":
		_, found = p.networks.get(id)
	case "firewall":
		_, found = p.firewalls.get(id)
	case "volume":
		_, found = p.volumes.get(id)
	case "load_balancer":
		_, found = p.loadBalancers.get(id)
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
