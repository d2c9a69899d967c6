package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) sshKeyOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"list_ssh_keys":   a.listSSHKeys,
		"create_ssh_key":  a.createSSHKey,
		"get_ssh_key":     a.getSSHKey,
		"replace_ssh_key": a.updateSSHKey,
		"delete_ssh_key":  a.deleteSSHKey,
	}
}

func (a *API) listSSHKeys(c echo.Context) error {
	p, err := project(c).ListSSHKeys(store.SSHKeyFilter{
		Name: c.QueryParam("name"), Fingerprint: c.QueryParam("fingerprint"),
	}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "ssh_keys", p)
}

func (a *API) createSSHKey(c echo.Context) error {
	var req store.CreateSSHKey
	if err := bind(c, &req); err != nil {
		return err
	}
	k, err := project(c).CreateSSHKey(req)
	if err != nil {
		return err
	}
	return one(c, 201, "ssh_key", k)
}

func (a *API) getSSHKey(c echo.Context) error {
	id, err := pathID(c, "id", "ssh_key")
	if err != nil {
		return err
	}
	k, err := project(c).GetSSHKey(id)
	if err != nil {
		return err
	}
	return one(c, 200, "ssh_key", k)
}

func (a *API) updateSSHKey(c echo.Context) error {
	id, err := pathID(c, "id", "ssh_key")
	if err != nil {
		return err
	}
	var req store.UpdateSSHKey
	if err := bind(c, &req); err != nil {
		return err
	}
	k, err := project(c).UpdateSSHKey(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "ssh_key", k)
}

func (a *API) deleteSSHKey(c echo.Context) error {
	id, err := pathID(c, "id", "ssh_key")
	if err != nil {
		return err
	}
	if err := project(c).DeleteSSHKey(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
