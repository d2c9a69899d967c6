package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) volumeOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_volumes":   a.listVolumes,
		"create_volume":  a.createVolume,
		"get_volume":     a.getVolume,
		"replace_volume": a.updateVolume,
		"delete_volume":  a.deleteVolume,

		"attach_volume_to_server":  withBody("volume", (*store.Project).AttachVolume, asAction),
		"detach_volume":            noBody("volume", (*store.Project).DetachVolume),
		"resize_volume":            withBody("volume", (*store.Project).ResizeVolume, asAction),
		"change_volume_protection": withBody("volume", (*store.Project).ChangeVolumeProtection, asAction),
	}
	addResourceActions(ops, "volume", "volume_actions", "actions_for_volume", "action_for_volume")
	return ops
}

func (a *API) listVolumes(c echo.Context) error {
	p, err := project(c).ListVolumes(store.VolumeFilter{Name: c.QueryParam("name"), Statuses: c.QueryParams()["status"]}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "volumes", p)
}

func (a *API) createVolume(c echo.Context) error {
	var req store.CreateVolume
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreateVolume(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getVolume(c echo.Context) error {
	id, err := pathID(c, "id", "volume")
	if err != nil {
		return err
	}
	v, err := project(c).GetVolume(id)
	if err != nil {
		return err
	}
	return one(c, 200, "volume", v)
}

func (a *API) updateVolume(c echo.Context) error {
	id, err := pathID(c, "id", "volume")
	if err != nil {
		return err
	}
	var req store.UpdateVolume
	if err := bind(c, &req); err != nil {
		return err
	}
	v, err := project(c).UpdateVolume(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "volume", v)
}

func (a *API) deleteVolume(c echo.Context) error {
	id, err := pathID(c, "id", "volume")
	if err != nil {
		return err
	}
	if err := project(c).DeleteVolume(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
