package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) certificateOperations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{
		"list_certificates":   a.listCertificates,
		"create_certificate":  a.createCertificate,
		"get_certificate":     a.getCertificate,
		"replace_certificate": a.updateCertificate,
		"delete_certificate":  a.deleteCertificate,

		"retry_issuance_or_renewal": noBody("certificate", (*store.Project).RetryCertificate),
	}
	addResourceActions(ops, "certificate", "certificate_actions", "actions_for_certificate", "action_for_certificate")
	return ops
}

func (a *API) listCertificates(c echo.Context) error {
	p, err := project(c).ListCertificates(store.CertificateFilter{
		Name: c.QueryParam("name"), Types: c.QueryParams()["type"],
	}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "certificates", p)
}

func (a *API) createCertificate(c echo.Context) error {
	var req store.CreateCertificate
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).CreateCertificate(req)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) getCertificate(c echo.Context) error {
	id, err := pathID(c, "id", "certificate")
	if err != nil {
		return err
	}
	cert, err := project(c).GetCertificate(id)
	if err != nil {
		return err
	}
	return one(c, 200, "certificate", cert)
}

func (a *API) updateCertificate(c echo.Context) error {
	id, err := pathID(c, "id", "certificate")
	if err != nil {
		return err
	}
	var req store.UpdateCertificate
	if err := bind(c, &req); err != nil {
		return err
	}
	cert, err := project(c).UpdateCertificate(id, req)
	if err != nil {
		return err
	}
	return one(c, 200, "certificate", cert)
}

func (a *API) deleteCertificate(c echo.Context) error {
	id, err := pathID(c, "id", "certificate")
	if err != nil {
		return err
	}
	if err := project(c).DeleteCertificate(id); err != nil {
		return err
	}
	return c.NoContent(204)
}
