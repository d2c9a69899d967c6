package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// imageOperations are the image operations beyond list and get (catalog.go serves those).
func (a *API) imageOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"replace_image":           a.updateImage,
		"delete_image":            a.deleteImage,
		"change_image_protection": withBody("image", (*store.Project).ChangeImageProtection, asAction),
	}
	addResourceActions(ops, "image", "image_actions", "actions_for_image", "action_for_image")
	return ops
}

func (a *API) updateImage(c echo.Context) error {
	id, err := pathID(c, "id", "image")
	if err != nil {
		return err
	}
	var req store.UpdateImage
	if err := bind(c, &req); err != nil {
		return err
	}
	img, err := project(c).UpdateImage(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "image", img)
}

func (a *API) deleteImage(c echo.Context) error {
	id, err := pathID(c, "id", "image")
	if err != nil {
		return err
	}
	if err := project(c).DeleteImage(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
