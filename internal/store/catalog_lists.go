package store

import (
	"slices"
	"strconv"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// The read-only catalog goes through the same list path as project resources.

func nameSorter[T any](name func(T) string) Sorter[T] {
	return Sorter[T]{"name": byString(name)}
}

func catalogGet[T any](items []T, id int64, idOf func(T) int64, kind string) (T, error) {
	for _, it := range items {
		if idOf(it) == id {
			return it, nil
		}
	}
	var zero T
	return zero, NotFound(kind)
}

func locationID(l catalog.Location) int64                 { return l.ID }
func datacenterID(d catalog.Datacenter) int64             { return d.ID }
func serverTypeID(t catalog.ServerType) int64             { return t.ID }
func loadBalancerTypeID(t catalog.LoadBalancerType) int64 { return t.ID }
func isoID(i catalog.ISO) int64                           { return i.ID }

// ListLocations lists locations, optionally by exact name.
func (s *Store) ListLocations(name string, opts ListOptions) (Page[catalog.Location], error) {
	return List(s.catalog.Locations, opts, func(l catalog.Location) bool { return name == "" || l.Name == name },
		nil, nameSorter(func(l catalog.Location) string { return l.Name }), locationID, 0)
}

// GetLocation returns one location.
func (s *Store) GetLocation(id int64) (catalog.Location, error) {
	return catalogGet(s.catalog.Locations, id, locationID, "location")
}

// ListDatacenters lists datacenters, optionally by exact name.
func (s *Store) ListDatacenters(name string, opts ListOptions) (Page[catalog.Datacenter], error) {
	return List(s.catalog.Datacenters, opts, func(d catalog.Datacenter) bool { return name == "" || d.Name == name },
		nil, nameSorter(func(d catalog.Datacenter) string { return d.Name }), datacenterID, 0)
}

// GetDatacenter returns one datacenter.
func (s *Store) GetDatacenter(id int64) (catalog.Datacenter, error) {
	return catalogGet(s.catalog.Datacenters, id, datacenterID, "datacenter")
}

// DatacenterRecommendation is the id of the datacenter the API recommends.
func (s *Store) DatacenterRecommendation() int64 {
	if len(s.catalog.Datacenters) == 0 {
		return 0
	}
	return s.catalog.Datacenters[0].ID
}

// ListServerTypes lists server types, optionally by exact name.
func (s *Store) ListServerTypes(name string, opts ListOptions) (Page[catalog.ServerType], error) {
	return List(s.catalog.ServerTypes, opts, func(t catalog.ServerType) bool { return name == "" || t.Name == name },
		nil, nameSorter(func(t catalog.ServerType) string { return t.Name }), serverTypeID, 0)
}

// GetServerType returns one server type.
func (s *Store) GetServerType(id int64) (catalog.ServerType, error) {
	return catalogGet(s.catalog.ServerTypes, id, serverTypeID, "server_type")
}

// ListLoadBalancerTypes lists load balancer types, optionally by exact name.
func (s *Store) ListLoadBalancerTypes(name string, opts ListOptions) (Page[catalog.LoadBalancerType], error) {
	return List(s.catalog.LoadBalancerTypes, opts, func(t catalog.LoadBalancerType) bool { return name == "" || t.Name == name },
		nil, nameSorter(func(t catalog.LoadBalancerType) string { return t.Name }), loadBalancerTypeID, 0)
}

// GetLoadBalancerType returns one load balancer type.
func (s *Store) GetLoadBalancerType(id int64) (catalog.LoadBalancerType, error) {
	return catalogGet(s.catalog.LoadBalancerTypes, id, loadBalancerTypeID, "load_balancer_type")
}

// ISOFilter narrows GET /isos.
type ISOFilter struct {
	Name                        string
	Architecture                string
	IncludeArchitectureWildcard bool // with Architecture: also ISOs usable on any architecture
}

// ListISOs lists ISOs.
func (s *Store) ListISOs(f ISOFilter, opts ListOptions) (Page[catalog.ISO], error) {
	return List(s.catalog.ISOs, opts, func(i catalog.ISO) bool {
		if f.Name != "" && (i.Name == nil || *i.Name != f.Name) {
			return false
		}
		if f.Architecture != "" {
			if i.Architecture == nil {
				return f.IncludeArchitectureWildcard
			}
			return *i.Architecture == f.Architecture
		}
		return true
	}, nil, nil, isoID, 0)
}

// GetISO returns one ISO.
func (s *Store) GetISO(id int64) (catalog.ISO, error) {
	return catalogGet(s.catalog.ISOs, id, isoID, "iso")
}

// Pricing is the price list.
func (s *Store) Pricing() catalog.Pricing { return s.catalog.Pricing }

// Image is an image: a system or app image of the catalog, or a project's snapshot or backup.
type Image = catalog.Image

// ImageFilter narrows GET /images.
type ImageFilter struct {
	Name              string
	Types             []string
	Statuses          []string
	BoundTo           []string
	Architecture      string
	IncludeDeprecated bool // deprecated images are left out unless asked for
}

var imageSorter = Sorter[Image]{
	"name":    byString(func(i Image) string { return derefString(i.Name) }),
	"created": byString(func(i Image) string { return i.Created }),
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ListImages lists the catalog's images and the project's own.
func (p *Project) ListImages(f ImageFilter, opts ListOptions) (Page[Image], error) {
	defer p.lock()()
	all := p.images()
	match := func(i Image) bool {
		switch {
		case f.Name != "" && derefString(i.Name) != f.Name,
			len(f.Types) > 0 && !slices.Contains(f.Types, i.Type),
			len(f.Statuses) > 0 && !slices.Contains(f.Statuses, i.Status),
			len(f.BoundTo) > 0 && (i.BoundTo == nil || !slices.Contains(f.BoundTo, strconv.FormatInt(*i.BoundTo, 10))),
			f.Architecture != "" && i.Architecture != f.Architecture,
			!f.IncludeDeprecated && i.Deprecation != nil:
			return false
		}
		return true
	}
	pg, err := List(all, opts, match, func(i Image) map[string]string { return i.Labels }, imageSorter,
		func(i Image) int64 { return i.ID }, 0)
	for i := range pg.Items {
		pg.Items[i].Labels = copyLabels(pg.Items[i].Labels)
	}
	return pg, err
}

// GetImage returns one image by id.
func (p *Project) GetImage(id int64) (Image, error) {
	defer p.lock()()
	for _, i := range p.images() {
		if i.ID == id {
			i.Labels = copyLabels(i.Labels)
			return i, nil
		}
	}
	return Image{}, NotFound("image")
}

// images are the catalog's images followed by the project's snapshots and backups.
func (p *Project) images() []Image {
	own := p.ownImages.values()
	all := make([]Image, 0, len(p.store.catalog.Images)+len(own))
	all = append(all, p.store.catalog.Images...)
	for _, ui := range own {
		all = append(all, ui.Image)
	}
	return all
}
