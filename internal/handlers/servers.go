package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) serverOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_servers":   a.listServers,
		"create_server":  a.createServer,
		"get_server":     a.getServer,
		"replace_server": a.updateServer,
		"delete_server":  a.deleteServer,

		"get_metrics_for_server": a.serverMetrics,

		"power_on_server":    noBody("server", (*store.Project).PowerOnServer),
		"power_off_server":   noBody("server", (*store.Project).PowerOffServer),
		"shutdown_server":    noBody("server", (*store.Project).ShutdownServer),
		"soft_reboot_server": noBody("server", (*store.Project).RebootServer),
		"reset_server":       noBody("server", (*store.Project).ResetServer),

		"rebuild_server_from_image":                withBody("server", (*store.Project).RebuildServer, whole[store.RebuildResult]),
		"change_type_of_server":                    withBody("server", (*store.Project).ChangeServerType, asAction),
		"enable_rescue_mode_for_server":            withBody("server", (*store.Project).EnableRescue, whole[store.PasswordResult]),
		"disable_rescue_mode_for_server":           noBody("server", (*store.Project).DisableRescue),
		"enable_and_configure_backups_for_server":  noBody("server", (*store.Project).EnableBackup),
		"disable_backups_for_server":               noBody("server", (*store.Project).DisableBackup),
		"create_image_from_server":                 withBody("server", (*store.Project).CreateImage, whole[store.CreateImageResult]),
		"attach_iso_to_server":                     withBody("server", (*store.Project).AttachISO, asAction),
		"detach_iso_from_server":                   noBody("server", (*store.Project).DetachISO),
		"change_reverse_dns_entry_for_this_server": withBody("server", (*store.Project).ChangeServerDNSPtr, asAction),
		"change_server_protection":                 withBody("server", (*store.Project).ChangeServerProtection, asAction),
		"request_console_for_server":               noBodyResult("server", (*store.Project).RequestConsole),
		"reset_root_password_of_server":            noBodyResult("server", (*store.Project).ResetPassword),
		"add_server_to_placement_group":            withBody("server", (*store.Project).AddToPlacementGroup, asAction),
		"remove_from_placement_group":              noBody("server", (*store.Project).RemoveFromPlacementGroup),
	}
	addResourceActions(ops, "server", "server_actions", "actions_for_server", "action_for_server")
	return ops
}

// addResourceActions registers the four action endpoints of a resource kind:
// list_<all>, get_<one>, list_<for>, get_<forOne> (operationIds as the reference names them).
func addResourceActions(ops map[string]echo.HandlerFunc, kind, all, forList, forOne string) {
	ops["list_"+all] = func(c echo.Context) error {
		f := actionFilter(c)
		f.ResourceType = kind
		p, err := project(c).ListActions(f, listOptions(c))
		if err != nil {
			return err
		}
		return writeList(c, "actions", p)
	}
	ops["get_"+singular(all)] = func(c echo.Context) error {
		id, err := pathID(c, "id", "action")
		if err != nil {
			return err
		}
		act, err := project(c).GetResourceAction(kind, 0, id)
		if err != nil {
			return err
		}
		return one(c, 200, "action", act)
	}
	ops["list_"+forList] = func(c echo.Context) error {
		id, err := pathID(c, "id", kind)
		if err != nil {
			return err
		}
		if err := project(c).CheckResource(kind, id); err != nil {
			return err
		}
		f := actionFilter(c)
		f.ResourceType, f.ResourceID = kind, id
		p, err := project(c).ListActions(f, listOptions(c))
		if err != nil {
			return err
		}
		return writeList(c, "actions", p)
	}
	ops["get_"+forOne] = func(c echo.Context) error {
		id, err := pathID(c, "id", kind)
		if err != nil {
			return err
		}
		aid, err := pathID(c, "action_id", "action")
		if err != nil {
			return err
		}
		act, err := project(c).GetResourceAction(kind, id, aid)
		if err != nil {
			return err
		}
		return one(c, 200, "action", act)
	}
}

// singular turns "server_actions" into "server_action".
func singular(s string) string { return s[:len(s)-1] }

// asAction wraps an action as {"action": …}.
func asAction(a store.Action) any { return map[string]store.Action{"action": a} }

// whole answers a result that already has the answer's shape.
func whole[T any](v T) any { return v }

// noBody is an action endpoint without input: POST /<kind>s/{id}/actions/<name>.
func noBody(kind string, f func(*store.Project, int64) (store.Action, error)) echo.HandlerFunc {
	return noBodyResult(kind, func(p *store.Project, id int64) (any, error) {
		act, err := f(p, id)
		return asAction(act), err
	})
}

// noBodyResult is an action endpoint without input whose answer carries more than the action.
func noBodyResult[Res any](kind string, f func(*store.Project, int64) (Res, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id", kind)
		if err != nil {
			return err
		}
		var empty struct{}
		if err := bind(c, &empty); err != nil {
			return err
		}
		res, err := f(project(c), id)
		if err != nil {
			return err
		}
		return c.JSON(201, res)
	}
}

// withBody is an action endpoint with a JSON body; wrap shapes the answer.
func withBody[Req, Res any](kind string, f func(*store.Project, int64, Req) (Res, error), wrap func(Res) any) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id", kind)
		if err != nil {
			return err
		}
		var req Req
		if err := bind(c, &req); err != nil {
			return err
		}
		res, err := f(project(c), id, req)
		if err != nil {
			return err
		}
		return c.JSON(201, wrap(res))
	}
}

func (a *API) listServers(c echo.Context) error {
	p, err := project(c).ListServers(store.ServerFilter{
		Name: c.QueryParam("name"), Statuses: c.QueryParams()["status"],
	}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "servers", p)
}

func (a *API) createServer(c echo.Context) error {
	var req store.CreateServer
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreateServer(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getServer(c echo.Context) error {
	id, err := pathID(c, "id", "server")
	if err != nil {
		return err
	}
	s, err := project(c).GetServer(id)
	if err != nil {
		return err
	}
	return one(c, 200, "server", s)
}

func (a *API) updateServer(c echo.Context) error {
	id, err := pathID(c, "id", "server")
	if err != nil {
		return err
	}
	var req store.UpdateServer
	if err := bind(c, &req); err != nil {
		return err
	}
	s, err := project(c).UpdateServer(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "server", s)
}

// deleteServer answers 200 with the delete_server action (not 204, unlike most deletes).
func (a *API) deleteServer(c echo.Context) error {
	id, err := pathID(c, "id", "server")
	if err != nil {
		return err
	}
	act, err := project(c).DeleteServer(id)
	if err != nil {
		return err
	}
	return one(c, 200, "action", act)
}

func (a *API) serverMetrics(c echo.Context) error {
	id, err := pathID(c, "id", "server")
	if err != nil {
		return err
	}
	q := c.QueryParams()
	m, err := project(c).ServerMetrics(id, store.MetricsRequest{
		Types: q["type"], Start: q.Get("start"), End: q.Get("end"), Step: q.Get("step"),
	})
	if err != nil {
		return err
	}
	return one(c, 200, "metrics", m)
}
