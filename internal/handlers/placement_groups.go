package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) placementGroupOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"list_placement_groups":  a.listPlacementGroups,
		"create_placementgroup":  a.createPlacementGroup,
		"get_placementgroup":     a.getPlacementGroup,
		"replace_placementgroup": a.updatePlacementGroup,
		"delete_placementgroup":  a.deletePlacementGroup,
	}
}

func (a *API) listPlacementGroups(c echo.Context) error {
	p, err := project(c).ListPlacementGroups(store.PlacementGroupFilter{
		Name: c.QueryParam("name"), Types: c.QueryParams()["type"],
	}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "placement_groups", p)
}

func (a *API) createPlacementGroup(c echo.Context) error {
	var req store.CreatePlacementGroup
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreatePlacementGroup(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getPlacementGroup(c echo.Context) error {
	id, err := pathID(c, "id", "placement_group")
	if err != nil {
		return err
	}
	g, err := project(c).GetPlacementGroup(id)
	if err != nil {
		return err
	}
	return one(c, 200, "placement_group", g)
}

func (a *API) updatePlacementGroup(c echo.Context) error {
	id, err := pathID(c, "id", "placement_group")
	if err != nil {
		return err
	}
	var req store.UpdatePlacementGroup
	if err := bind(c, &req); err != nil {
		return err
	}
	g, err := project(c).UpdatePlacementGroup(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "placement_group", g)
}

func (a *API) deletePlacementGroup(c echo.Context) error {
	id, err := pathID(c, "id", "placement_group")
	if err != nil {
		return err
	}
	if err := project(c).DeletePlacementGroup(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
