package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// The fake's own control API under /_fake (x-fake in openapi.json) and /healthz.

func (a *API) controlOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"fake_healthz":         a.healthz,
		"fake_reset":           a.reset,
		"fake_get_state":       a.getState,
		"fake_put_state":       a.putState,
		"fake_get_clock":       a.getClock,
		"fake_set_clock":       a.setClock,
		"fake_get_config":      a.getConfig,
		"fake_patch_config":    a.patchConfig,
		"fake_complete_action": a.completeAction,
	}
}

func (a *API) healthz(c echo.Context) error {
	return c.JSON(200, map[string]string{"status": "ok"})
}

func (a *API) reset(c echo.Context) error {
	a.store.Reset()
	a.buckets.Clear()
	a.faults.clear()
	return c.NoContent(204)
}

func (a *API) getState(c echo.Context) error {
	return c.JSON(200, a.store.Snapshot())
}

func (a *API) putState(c echo.Context) error {
	var snap store.Snapshot
	if err := bind(c, &snap); err != nil {
		// whatever is wrong with it, it is not a snapshot this server can load
		return store.Errorf(store.CodeInvalidSnapshot, "not a valid snapshot: %s", asAPIError(err).Message)
	}
	if err := a.store.Restore(snap); err != nil {
		return err
	}
	return c.NoContent(204)
}

type clockAnswer struct {
	Now time.Time `json:"now"`
}

func (a *API) getClock(c echo.Context) error {
	return c.JSON(200, clockAnswer{Now: a.store.Clock().Now()})
}

type clockRequest struct {
	Advance string     `json:"advance"`
	Set     *time.Time `json:"set"`
}

func (a *API) setClock(c echo.Context) error {
	var req clockRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Advance != "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			return store.InvalidField("advance", "Not a valid non-negative duration.")
		}
		a.store.Clock().Advance(d)
	}
	if req.Set != nil {
		a.store.Clock().Set(*req.Set)
	}
	a.store.Tick()
	return c.JSON(200, clockAnswer{Now: a.store.Clock().Now()})
}

type configBody struct {
	ActionDuration     *string      `json:"action_duration,omitempty"`
	RateLimit          *int         `json:"rate_limit,omitempty"`
	Limits             store.Limits `json:"limits,omitempty"`
	DatacentersRemoved *bool        `json:"datacenters_removed,omitempty"`
}

func (a *API) currentConfig() configBody {
	d, rl, gone := a.store.ActionDuration().String(), a.RateLimit(), a.datacentersRemoved.Load()
	return configBody{ActionDuration: &d, RateLimit: &rl, Limits: a.store.Limits(), DatacentersRemoved: &gone}
}

func (a *API) getConfig(c echo.Context) error { return c.JSON(200, a.currentConfig()) }

func (a *API) patchConfig(c echo.Context) error {
	var req configBody
	if err := bind(c, &req); err != nil {
		return err
	}
	var duration *store.ActionDuration
	if req.ActionDuration != nil {
		d, err := store.ParseActionDuration(*req.ActionDuration)
		if err != nil {
			return store.InvalidField("action_duration", "Not a valid duration: use a Go duration such as 2s, or manual.")
		}
		duration = &d
	}
	if req.Limits != nil { // first, so an invalid request changes nothing
		if err := a.store.SetLimits(req.Limits); err != nil {
			return err
		}
	}
	if duration != nil {
		a.store.SetActionDuration(*duration)
	}
	if req.RateLimit != nil {
		a.SetRateLimit(*req.RateLimit)
	}
	if req.DatacentersRemoved != nil {
		a.datacentersRemoved.Store(*req.DatacentersRemoved)
	}
	return c.JSON(200, a.currentConfig())
}

type completeRequest struct {
	Status string             `json:"status"`
	Error  *store.ActionError `json:"error"`
}

func (a *API) completeAction(c echo.Context) error {
	id, err := pathID(c, "id", "action")
	if err != nil {
		return err
	}
	var req completeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	code, msg := "action_failed", "Action failed"
	if req.Error != nil {
		code, msg = req.Error.Code, req.Error.Message
	}
	act, err := a.store.CompleteAction(id, req.Status == "success", code, msg)
	if err != nil {
		return err
	}
	return one(c, 200, "action", act)
}
