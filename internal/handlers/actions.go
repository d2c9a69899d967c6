package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) actionOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"get_multiple_actions": a.listActions,
		"get_action":           a.getAction,
	}
}

// requireActionIDs answers GET /actions without id as the current API does: listing every
// action of a project was removed on 2025-01-30.
func requireActionIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if len(c.QueryParams()["id"]) == 0 {
			return &store.Error{Code: store.CodeDeprecatedAPIEndpoint, Message: "API functionality was removed",
				Details: map[string]string{"announcement": "https://docs.hetzner.cloud/changelog#2023-07-20-actions-list-endpoint-is-deprecated"}}
		}
		return next(c)
	}
}

// actionFilter reads the id and status filters shared by every action list.
func actionFilter(c echo.Context) store.ActionFilter {
	q := c.QueryParams()
	f := store.ActionFilter{Statuses: q["status"]}
	for _, s := range q["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			f.IDs = append(f.IDs, id)
		}
	}
	return f
}

func (a *API) listActions(c echo.Context) error {
	p, err := project(c).ListActions(actionFilter(c), listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "actions", p)
}

func (a *API) getAction(c echo.Context) error {
	id, err := pathID(c, "id", "action")
	if err != nil {
		return err
	}
	act, err := project(c).GetAction(id)
	if err != nil {
		return err
	}
	return one(c, 200, "action", act)
}
