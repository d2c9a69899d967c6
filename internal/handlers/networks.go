package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) networkOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_networks":        a.listNetworks,
		"create_network":       a.createNetwork,
		"get_network":          a.getNetwork,
		"replace_network":      a.updateNetwork,
		"delete_network":       a.deleteNetwork,
		"list_network_members": a.listNetworkMembers,

		"add_subnet_to_network":      withBody("network", (*store.Project).AddSubnet, asAction),
		"delete_subnet_from_network": withBody("network", (*store.Project).DeleteSubnet, asAction),
		"add_route_to_network":       withBody("network", (*store.Project).AddRoute, asAction),
		"delete_route_from_network":  withBody("network", (*store.Project).DeleteRoute, asAction),
		"change_ip_range_of_network": withBody("network", (*store.Project).ChangeIPRange, asAction),
		"change_network_protection":  withBody("network", (*store.Project).ChangeNetworkProtection, asAction),

		// Server actions on networks: the path names the server.
		"attach_server_to_network":    withBody("server", (*store.Project).AttachServerToNetwork, asAction),
		"detach_server_from_network":  withBody("server", (*store.Project).DetachServerFromNetwork, asAction),
		"change_alias_ips_of_network": withBody("server", (*store.Project).ChangeAliasIPs, asAction),
	}
	addResourceActions(ops, "network", "network_actions", "actions_for_network", "action_for_network")
	return ops
}

func (a *API) listNetworks(c echo.Context) error {
	p, err := project(c).ListNetworks(store.NetworkFilter{Name: c.QueryParam("name")}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "networks", p)
}

// createNetwork answers 201 with the network only: creating one starts no action.
func (a *API) createNetwork(c echo.Context) error {
	var req store.CreateNetwork
	if err := bind(c, &req); err != nil {
		return err
	}
	n, err := project(c).CreateNetwork(req)
	if err != nil {
		return err
	}
	return one(c, 201, "network", n)
}

func (a *API) getNetwork(c echo.Context) error {
	id, err := pathID(c, "id", "network")
	if err != nil {
		return err
	}
	n, err := project(c).GetNetwork(id)
	if err != nil {
		return err
	}
	return one(c, 200, "network", n)
}

func (a *API) updateNetwork(c echo.Context) error {
	id, err := pathID(c, "id", "network")
	if err != nil {
		return err
	}
	var req store.UpdateNetwork
	if err := bind(c, &req); err != nil {
		return err
	}
	n, err := project(c).UpdateNetwork(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "network", n)
}

func (a *API) deleteNetwork(c echo.Context) error {
	id, err := pathID(c, "id", "network")
	if err != nil {
		return err
	}
	if err := project(c).DeleteNetwork(id); err != nil {
		return err
	}
	return c.NoContent(204)
}

func (a *API) listNetworkMembers(c echo.Context) error {
	id, err := pathID(c, "id", "network")
	if err != nil {
		return err
	}
	q := c.QueryParams()
	opts := listOptions(c)
	opts.LabelSelector = "" // members have no labels and the operation takes no selector
	p, err := project(c).ListNetworkMembers(id, store.NetworkMemberFilter{
		Types: q["type"], Subnets: q["subnet"], Statuses: q["status"],
	}, opts)
	if err != nil {
		return err
	}
	return writeList(c, "members", p)
}
