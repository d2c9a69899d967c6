package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

func (a *API) catalogOperations() map[string]echo.HandlerFunc {
	// Images are not cached: a project's snapshots and backups are images too.
	return map[string]echo.HandlerFunc{
		"list_locations":           a.cached(a.listLocations),
		"get_location":             a.cached(a.getLocation),
		"list_data_centers":        a.unlessDatacentersRemoved(a.cached(a.listDatacenters)),
		"get_data_center":          a.unlessDatacentersRemoved(a.cached(a.getDatacenter)),
		"list_server_types":        a.cached(a.listServerTypes),
		"get_server_type":          a.cached(a.getServerType),
		"list_load_balancer_types": a.cached(a.listLoadBalancerTypes),
		"get_load_balancer_type":   a.cached(a.getLoadBalancerType),
		"list_isos":                a.cached(a.listISOs),
		"get_iso":                  a.cached(a.getISO),
		"list_images":              a.listImages,
		"get_image":                a.getImage,
		"list_prices":              a.cached(a.listPrices),
	}
}

// deprecated marks an answer of a deprecated endpoint (RFC 9745) with its sunset.
func deprecated(c echo.Context, since, sunset, link string) {
	h := c.Response().Header()
	h.Set("Deprecation", since)
	h.Set("Sunset", sunset)
	h.Add("Link", "<"+link+`>; rel="deprecation"; type="text/html"`) // beside the pagination links
}

func (a *API) listLocations(c echo.Context) error {
	p, err := a.store.ListLocations(c.QueryParam("name"), listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "locations", p)
}

func (a *API) getLocation(c echo.Context) error {
	id, err := pathID(c, "id", "location")
	if err != nil {
		return err
	}
	l, err := a.store.GetLocation(id)
	if err != nil {
		return err
	}
	return one(c, 200, "location", l)
}

// The datacenter endpoints are deprecated since 2026-06-02, announced to go after 2026-10-01.
const (
	datacentersDeprecation = "@1780358400" // 2026-06-02T00:00:00Z
	datacentersSunset      = "Thu, 01 Oct 2026 00:00:00 GMT"
	datacentersChangelog   = "https://docs.hetzner.cloud/changelog#2026-06-02-datacenters-deprecated"
)

// unlessDatacentersRemoved answers as the API announced for after 2026-10-01, when the
// switch is on (Config.DatacentersRemoved, PATCH /_fake/config): 410 deprecated_api_endpoint.
func (a *API) unlessDatacentersRemoved(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.datacentersRemoved.Load() {
			return &store.Error{Code: store.CodeDeprecatedAPIEndpoint, Message: "API functionality was removed",
				Details: map[string]string{"announcement": datacentersChangelog}}
		}
		return h(c)
	}
}

func (a *API) listDatacenters(c echo.Context) error {
	p, err := a.store.ListDatacenters(c.QueryParam("name"), listOptions(c))
	if err != nil {
		return err
	}
	setLinkHeader(c, p.Pagination)
	deprecated(c, datacentersDeprecation, datacentersSunset, datacentersChangelog)
	return c.JSON(200, map[string]any{
		"datacenters":    p.Items,
		"recommendation": a.store.DatacenterRecommendation(),
		"meta":           meta{Pagination: p.Pagination},
	})
}

func (a *API) getDatacenter(c echo.Context) error {
	id, err := pathID(c, "id", "datacenter")
	if err != nil {
		return err
	}
	d, err := a.store.GetDatacenter(id)
	if err != nil {
		return err
	}
	deprecated(c, datacentersDeprecation, datacentersSunset, datacentersChangelog)
	return one(c, 200, "datacenter", d)
}

func (a *API) listServerTypes(c echo.Context) error {
	p, err := a.store.ListServerTypes(c.QueryParam("name"), listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "server_types", p)
}

func (a *API) getServerType(c echo.Context) error {
	id, err := pathID(c, "id", "server_type")
	if err != nil {
		return err
	}
	t, err := a.store.GetServerType(id)
	if err != nil {
		return err
	}
	return one(c, 200, "server_type", t)
}

func (a *API) listLoadBalancerTypes(c echo.Context) error {
	p, err := a.store.ListLoadBalancerTypes(c.QueryParam("name"), listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "load_balancer_types", p)
}

func (a *API) getLoadBalancerType(c echo.Context) error {
	id, err := pathID(c, "id", "load_balancer_type")
	if err != nil {
		return err
	}
	t, err := a.store.GetLoadBalancerType(id)
	if err != nil {
		return err
	}
	return one(c, 200, "load_balancer_type", t)
}

func (a *API) listISOs(c echo.Context) error {
	p, err := a.store.ListISOs(store.ISOFilter{
		Name:                        c.QueryParam("name"),
		Architecture:                c.QueryParam("architecture"),
		IncludeArchitectureWildcard: c.QueryParam("include_architecture_wildcard") == "true",
	}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "isos", p)
}

func (a *API) getISO(c echo.Context) error {
	id, err := pathID(c, "id", "iso")
	if err != nil {
		return err
	}
	i, err := a.store.GetISO(id)
	if err != nil {
		return err
	}
	return one(c, 200, "iso", i)
}

func (a *API) listImages(c echo.Context) error {
	q := c.QueryParams()
	p, err := project(c).ListImages(store.ImageFilter{
		Name:              q.Get("name"),
		Types:             q["type"],
		Statuses:          q["status"],
		BoundTo:           q["bound_to"],
		Architecture:      q.Get("architecture"),
		IncludeDeprecated: q.Get("include_deprecated") == "true",
	}, listOptions(c))
	if err != nil {
		return err
	}
	return writeList(c, "images", p)
}

func (a *API) getImage(c echo.Context) error {
	id, err := pathID(c, "id", "image")
	if err != nil {
		return err
	}
	i, err := project(c).GetImage(id)
	if err != nil {
		return err
	}
	return one(c, 200, "image", i)
}

func (a *API) listPrices(c echo.Context) error {
	return one(c, 200, "pricing", a.store.Pricing())
}
