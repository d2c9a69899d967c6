package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) floatingIPOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_floating_ips":   a.listFloatingIPs,
		"create_floating_ip":  a.createFloatingIP,
		"get_floating_ip":     a.getFloatingIP,
		"replace_floating_ip": a.updateFloatingIP,
		"delete_floating_ip":  a.deleteFloatingIP,

		"assign_floating_ip_to_server":               withBody("floating_ip", (*store.Project).AssignFloatingIP, asAction),
		"unassign_floating_ip":                       noBody("floating_ip", (*store.Project).UnassignFloatingIP),
		"change_reverse_dns_records_for_floating_ip": withBody("floating_ip", (*store.Project).ChangeFloatingIPDNSPtr, asAction),
		"change_floating_ip_protection":              withBody("floating_ip", (*store.Project).ChangeFloatingIPProtection, asAction),
	}
	addResourceActions(ops, "floating_ip", "floating_ip_actions", "actions_for_floating_ip", "action_for_floating_ip")
	return ops
}

func (a *API) listFloatingIPs(c echo.Context) error {
	p, err := project(c).ListFloatingIPs(store.FloatingIPFilter{Name: c.QueryParam("name")}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "floating_ips", p)
}

func (a *API) createFloatingIP(c echo.Context) error {
	var req store.CreateFloatingIP
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreateFloatingIP(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getFloatingIP(c echo.Context) error {
	id, err := pathID(c, "id", "floating_ip")
	if err != nil {
		return err
	}
	f, err := project(c).GetFloatingIP(id)
	if err != nil {
		return err
	}
	return one(c, 200, "floating_ip", f)
}

func (a *API) updateFloatingIP(c echo.Context) error {
	id, err := pathID(c, "id", "floating_ip")
	if err != nil {
		return err
	}
	var req store.UpdateFloatingIP
	if err := bind(c, &req); err != nil {
		return err
	}
	f, err := project(c).UpdateFloatingIP(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "floating_ip", f)
}

func (a *API) deleteFloatingIP(c echo.Context) error {
	id, err := pathID(c, "id", "floating_ip")
	if err != nil {
		return err
	}
	if err := project(c).DeleteFloatingIP(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
