package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) primaryIPOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_primary_ips":   a.listPrimaryIPs,
		"create_primary_ip":  a.createPrimaryIP,
		"get_primary_ip":     a.getPrimaryIP,
		"replace_primary_ip": a.updatePrimaryIP,
		"delete_primary_ip":  a.deletePrimaryIP,

		"assign_primary_ip_to_resource":             withBody("primary_ip", (*store.Project).AssignPrimaryIP, asAction),
		"unassign_primary_ip_from_resource":         noBody("primary_ip", (*store.Project).UnassignPrimaryIP),
		"change_reverse_dns_records_for_primary_ip": withBody("primary_ip", (*store.Project).ChangePrimaryIPDNSPtr, asAction),
		"change_primary_ip_protection":              withBody("primary_ip", (*store.Project).ChangePrimaryIPProtection, asAction),
	}
	addResourceActions(ops, "primary_ip", "primary_ip_actions", "actions_for_primary_ip", "action_for_primary_ip")
	return ops
}

func (a *API) listPrimaryIPs(c echo.Context) error {
	p, err := project(c).ListPrimaryIPs(store.PrimaryIPFilter{Name: c.QueryParam("name"), IP: c.QueryParam("ip")}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "primary_ips", p)
}

func (a *API) createPrimaryIP(c echo.Context) error {
	var req store.CreatePrimaryIP
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreatePrimaryIP(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getPrimaryIP(c echo.Context) error {
	id, err := pathID(c, "id", "primary_ip")
	if err != nil {
		return err
	}
	ip, err := project(c).GetPrimaryIP(id)
	if err != nil {
		return err
	}
	return one(c, 200, "primary_ip", ip)
}

func (a *API) updatePrimaryIP(c echo.Context) error {
	id, err := pathID(c, "id", "primary_ip")
	if err != nil {
		return err
	}
	var req store.UpdatePrimaryIP
	if err := bind(c, &req); err != nil {
		return err
	}
	ip, err := project(c).UpdatePrimaryIP(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "primary_ip", ip)
}

func (a *API) deletePrimaryIP(c echo.Context) error {
	id, err := pathID(c, "id", "primary_ip")
	if err != nil {
		return err
	}
	if err := project(c).DeletePrimaryIP(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
