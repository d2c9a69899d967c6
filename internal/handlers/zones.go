package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// Cloud DNS: zones (addressed by id or name) and their rrsets (by name and type).

func (a *API) zoneOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"list_zones":       a.listZones,
		"create_zone":      a.createZone,
		"get_zone":         a.getZone,
		"replace_zone":     a.updateZone,
		"delete_zone":      a.deleteZone,
		"export_zone_file": a.exportZoneFile,

		"change_zones_protection": zoneAction(func(p *store.Project, z string, req struct {
			Delete *bool `json:"delete"`
		}) (store.Action, error) {
			return p.ChangeZoneProtection(z, req.Delete)
		}),
		"change_zones_default_ttl": zoneAction(func(p *store.Project, z string, req struct {
			TTL int `json:"ttl"`
		}) (store.Action, error) {
			return p.ChangeZoneTTL(z, req.TTL)
		}),
		"import_zone_file": zoneAction(func(p *store.Project, z string, req struct {
			Zonefile string `json:"zonefile"`
		}) (store.Action, error) {
			return p.ImportZonefile(z, req.Zonefile)
		}),
		"change_zones_primary_nameservers": zoneAction(func(p *store.Project, z string, req struct {
			PrimaryNameservers []store.PrimaryNameserver `json:"primary_nameservers"`
		}) (store.Action, error) {
			return p.ChangeZonePrimaryNameservers(z, req.PrimaryNameservers)
		}),

		"list_zone_actions":     a.listZoneActions,
		"get_zone_action":       a.getZoneAction,
		"list_actions_for_zone": a.listActionsForZone,
		"get_action_for_zone":   a.getActionForZone,

		"list_rrsets":   a.listRRSets,
		"create_rrset":  a.createRRSet,
		"get_rrset":     a.getRRSet,
		"replace_rrset": a.updateRRSet,
		"delete_rrset":  a.deleteRRSet,

		"add_records_to_rrset": rrsetAction(201, func(p *store.Project, z, n, t string, req recordsAndTTL) (store.Action, error) {
			return p.AddRRSetRecords(z, n, t, req.Records, req.TTL)
		}),
		"remove_records_from_rrset": rrsetAction(201, func(p *store.Project, z, n, t string, req recordsOnly) (store.Action, error) {
			return p.RemoveRRSetRecords(z, n, t, req.Records)
		}),
		"set_records_of_rrset": rrsetAction(201, func(p *store.Project, z, n, t string, req recordsOnly) (store.Action, error) {
			return p.SetRRSetRecords(z, n, t, req.Records)
		}),
		// update_records answers 200, unlike every other action endpoint.
		"update_records_of_rrset": rrsetAction(200, func(p *store.Project, z, n, t string, req recordsOnly) (store.Action, error) {
			return p.UpdateRRSetRecords(z, n, t, req.Records)
		}),
		"change_rrsets_ttl": rrsetAction(201, func(p *store.Project, z, n, t string, req struct {
			TTL *int `json:"ttl"`
		}) (store.Action, error) {
			return p.ChangeRRSetTTL(z, n, t, req.TTL)
		}),
		"change_rrsets_protection": rrsetAction(201, func(p *store.Project, z, n, t string, req struct {
			Change bool `json:"change"`
		}) (store.Action, error) {
			return p.ChangeRRSetProtection(z, n, t, req.Change)
		}),
	}
}

type recordsOnly struct {
	Records []store.Record `json:"records"`
}

type recordsAndTTL struct {
	Records []store.Record `json:"records"`
	TTL     *int           `json:"ttl"`
}

// zoneAction is POST /zones/{id_or_name}/actions/<name> with a JSON body, answering 201 {action}.
func zoneAction[Req any](f func(p *store.Project, zone string, req Req) (store.Action, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req Req
		if err := bind(c, &req); err != nil {
			return err
		}
		act, err := f(project(c), c.Param("id_or_name"), req)
		if err != nil {
			return err
		}
		return one(c, 201, "action", act)
	}
}

// rrsetAction is POST /zones/{id_or_name}/rrsets/{rr_name}/{rr_type}/actions/<name>.
func rrsetAction[Req any](status int, f func(p *store.Project, zone, name, typ string, req Req) (store.Action, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req Req
		if err := bind(c, &req); err != nil {
			return err
		}
		act, err := f(project(c), c.Param("id_or_name"), c.Param("rr_name"), c.Param("rr_type"), req)
		if err != nil {
			return err
		}
		return one(c, status, "action", act)
	}
}

func (a *API) listZones(c echo.Context) error {
	p, err := project(c).ListZones(store.ZoneFilter{Name: c.QueryParam("name"), Mode: c.QueryParam("mode")}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "zones", p)
}

func (a *API) createZone(c echo.Context) error {
	var req store.CreateZone
	if err := bind(c, &req); err != nil {
		return err
	}
	z, act, err := project(c).CreateZone(req)
	if err != nil {
		return err
	}
	return c.JSON(201, map[string]any{"zone": z, "action": act})
}

func (a *API) getZone(c echo.Context) error {
	z, err := project(c).GetZone(c.Param("id_or_name"))
	if err != nil {
		return err
	}
	return one(c, 200, "zone", z)
}

func (a *API) updateZone(c echo.Context) error {
	var req store.UpdateZone
	if err := bind(c, &req); err != nil {
		return err
	}
	z, err := project(c).UpdateZone(c.Param("id_or_name"), req)
	if err != nil {
		return err
	}
	return one(c, 200, "zone", z)
}

// deleteZone answers 201 {action}, as the API does for zones.
func (a *API) deleteZone(c echo.Context) error {
	act, err := project(c).DeleteZone(c.Param("id_or_name"))
	if err != nil {
		return err
	}
	return one(c, 201, "action", act)
}

// exportZoneFile answers JSON {"zonefile": "<text>"}, not text/plain.
func (a *API) exportZoneFile(c echo.Context) error {
	text, err := project(c).ExportZonefile(c.Param("id_or_name"))
	if err != nil {
		return err
	}
	return c.JSON(200, map[string]string{"zonefile": text})
}

func (a *API) listZoneActions(c echo.Context) error {
	f := actionFilter(c)
	f.ResourceType = "zone"
	p, err := project(c).ListActions(f, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "actions", p)
}

func (a *API) getZoneAction(c echo.Context) error {
	id, err := pathID(c, "id", "action")
	if err != nil {
		return err
	}
	act, err := project(c).GetResourceAction("zone", 0, id)
	if err != nil {
		return err
	}
	return one(c, 200, "action", act)
}

func (a *API) listActionsForZone(c echo.Context) error {
	zoneID, err := project(c).ZoneID(c.Param("id_or_name"))
	if err != nil {
		return err
	}
	f := actionFilter(c)
	f.ResourceType, f.ResourceID = "zone", zoneID
	p, err := project(c).ListActions(f, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "actions", p)
}

func (a *API) getActionForZone(c echo.Context) error {
	zoneID, err := project(c).ZoneID(c.Param("id_or_name"))
	if err != nil {
		return err
	}
	id, err := pathID(c, "action_id", "action")
	if err != nil {
		return err
	}
	act, err := project(c).GetResourceAction("zone", zoneID, id)
	if err != nil {
		return err
	}
	return one(c, 200, "action", act)
}

func (a *API) listRRSets(c echo.Context) error {
	p, err := project(c).ListRRSets(c.Param("id_or_name"), store.RRSetFilter{
		Name: c.QueryParam("name"), Types: c.QueryParams()["type"],
	}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "rrsets", p)
}

func (a *API) createRRSet(c echo.Context) error {
	var req store.CreateRRSet
	if err := bind(c, &req); err != nil {
		return err
	}
	r, act, err := project(c).CreateRRSet(c.Param("id_or_name"), req)
	if err != nil {
		return err
	}
	return c.JSON(201, map[string]any{"rrset": r, "action": act})
}

func (a *API) getRRSet(c echo.Context) error {
	r, err := project(c).GetRRSet(c.Param("id_or_name"), c.Param("rr_name"), c.Param("rr_type"))
	if err != nil {
		return err
	}
	return one(c, 200, "rrset", r)
}

func (a *API) updateRRSet(c echo.Context) error {
	var req store.UpdateRRSet
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := project(c).UpdateRRSet(c.Param("id_or_name"), c.Param("rr_name"), c.Param("rr_type"), req)
	if err != nil {
		return err
	}
	return one(c, 200, "rrset", r)
}

// deleteRRSet answers 201 {action}, as the API does for rrsets.
func (a *API) deleteRRSet(c echo.Context) error {
	act, err := project(c).DeleteRRSet(c.Param("id_or_name"), c.Param("rr_name"), c.Param("rr_type"))
	if err != nil {
		return err
	}
	return one(c, 201, "action", act)
}
