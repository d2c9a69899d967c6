package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// The metadata service a server reaches at 169.254.169.254. It needs no token, as the real
// one does not: the server asking is named by X-Server-Id, or is the only server of the
// project (the bearer token's project when one is sent, else the only project).
func (a *API) metadataOperations() map[string]echo.HandlerFunc {
	text := func(f func(store.ServerMetadata) string) echo.HandlerFunc {
		return func(c echo.Context) error {
			m, err := a.serverMetadata(c)
			if err != nil {
				return err
			}
			return c.String(200, f(m))
		}
	}
	return map[string]echo.HandlerFunc{
		"get_server_metadata":                   text(store.ServerMetadata.YAML),
		"get_server_metadata_hostname":          text(func(m store.ServerMetadata) string { return m.Hostname }),
		"get_server_metadata_instance_id":       text(func(m store.ServerMetadata) string { return strconv.FormatInt(m.InstanceID, 10) }),
		"get_server_metadata_public_ipv4":       text(func(m store.ServerMetadata) string { return m.PublicIPv4 }),
		"get_server_metadata_private_networks":  text(store.ServerMetadata.PrivateNetworksYAML),
		"get_server_metadata_availability_zone": text(func(m store.ServerMetadata) string { return m.AvailabilityZone }),
		"get_server_metadata_region":            text(func(m store.ServerMetadata) string { return m.Region }),
		"get_server_userdata":                   text(func(m store.ServerMetadata) string { return m.UserData }),
	}
}

// serverMetadata finds the server a metadata request is about.
func (a *API) serverMetadata(c echo.Context) (store.ServerMetadata, error) {
	var serverID int64
	if h := c.Request().Header.Get("X-Server-Id"); h != "" {
		id, err := strconv.ParseInt(h, 10, 64)
		if err != nil || id < 1 {
			return store.ServerMetadata{}, store.InvalidField("X-Server-Id", "Not a valid integer.")
		}
		serverID = id
	}
	projectKey := ""
	if value := bearer(c.Request()); value != "" {
		tok, ok := a.tokens[value]
		if !ok && len(a.tokens) > 0 {
			return store.ServerMetadata{}, store.Errorf(store.CodeUnauthorized, "unable to authenticate")
		}
		if !ok {
			tok = Token{Value: value}
		}
		projectKey = ProjectKey(tok)
	}
	return a.store.ServerMetadata(projectKey, serverID)
}
