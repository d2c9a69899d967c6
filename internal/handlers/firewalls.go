package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) firewallOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_firewalls":   a.listFirewalls,
		"create_firewall":  a.createFirewall,
		"get_firewall":     a.getFirewall,
		"replace_firewall": a.updateFirewall,
		"delete_firewall":  a.deleteFirewall,

		"set_rules":             withBody("firewall", (*store.Project).SetFirewallRules, asActions),
		"apply_to_resources":    withBody("firewall", (*store.Project).ApplyFirewallToResources, asActions),
		"remove_from_resources": withBody("firewall", (*store.Project).RemoveFirewallFromResources, asActions),
	}
	addResourceActions(ops, "firewall", "firewall_actions", "actions_for_firewall", "action_for_firewall")
	return ops
}

// asActions wraps actions as {"actions": […]}.
func asActions(as []store.Action) any { return map[string][]store.Action{"actions": as} }

func (a *API) listFirewalls(c echo.Context) error {
	p, err := project(c).ListFirewalls(store.FirewallFilter{Name: c.QueryParam("name")}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "firewalls", p)
}

func (a *API) createFirewall(c echo.Context) error {
	var req store.CreateFirewall
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreateFirewall(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getFirewall(c echo.Context) error {
	id, err := pathID(c, "id", "firewall")
	if err != nil {
		return err
	}
	f, err := project(c).GetFirewall(id)
	if err != nil {
		return err
	}
	return one(c, 200, "firewall", f)
}

func (a *API) updateFirewall(c echo.Context) error {
	id, err := pathID(c, "id", "firewall")
	if err != nil {
		return err
	}
	var req store.UpdateFirewall
	if err := bind(c, &req); err != nil {
		return err
	}
	f, err := project(c).UpdateFirewall(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "firewall", f)
}

func (a *API) deleteFirewall(c echo.Context) error {
	id, err := pathID(c, "id", "firewall")
	if err != nil {
		return err
	}
	if err := project(c).DeleteFirewall(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
