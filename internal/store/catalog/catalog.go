// Package catalog holds the read-only catalog of the Hetzner Cloud API as seed
// data: locations, datacenters, server types, load balancer types, ISOs,
// system/app images and prices.
//
// Every type carries JSON tags so that encoding/json produces exactly the
// object the API returns (component schemas location, data_center,
// server_type, load_balancer_type, iso, image and the "pricing" object of
// list_prices_response). Nullable properties are pointers and encode as JSON
// null. The package has no HTTP code.
//
// Default builds the catalog; the returned value must be treated as
// immutable (lookups return values that share slices, maps and pointers with
// the catalog).
package catalog

import (
	"encoding/json"
	"strconv"
	"time"
)

// Architecture values.
const (
	ArchX86 = "x86"
	ArchARM = "arm"
)

// Image types and statuses.
const (
	ImageTypeSystem   = "system"
	ImageTypeApp      = "app"
	ImageTypeSnapshot = "snapshot"
	ImageTypeBackup   = "backup"

	ImageStatusAvailable   = "available"
	ImageStatusCreating    = "creating"
	ImageStatusUnavailable = "unavailable"
)

// Catalog is the complete read-only catalog.
type Catalog struct {
	Locations         []Location
	Datacenters       []Datacenter
	ServerTypes       []ServerType
	LoadBalancerTypes []LoadBalancerType
	ISOs              []ISO
	Images            []Image // system and app images only
	Pricing           Pricing // the object under the "pricing" key of GET /v1/pricing
}

// DeprecationInfo is the component deprecation_info. Both timestamps are
// RFC 3339 UTC strings ending in Z.
type DeprecationInfo struct {
	Announced        string `json:"announced"`
	UnavailableAfter string `json:"unavailable_after"`
}

// Location is the component location.
type Location struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Country     string  `json:"country"`
	City        string  `json:"city"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	NetworkZone string  `json:"network_zone"`
}

// Datacenter is the component data_center.
type Datacenter struct {
	ID          int64                 `json:"id"`
	Name        string                `json:"name"`
	Description string                `json:"description"`
	Location    Location              `json:"location"`
	ServerTypes DatacenterServerTypes `json:"server_types"`
}

// DatacenterServerTypes is data_center.server_types: ids of server types.
type DatacenterServerTypes struct {
	Supported             []int64 `json:"supported"`
	Available             []int64 `json:"available"`
	AvailableForMigration []int64 `json:"available_for_migration"`
}

// Price is the component price: decimal strings, net and gross (net plus
// VAT).
type Price struct {
	Net   string `json:"net"`
	Gross string `json:"gross"`
}

// PricePerTime is the component price_per_time (server types, load balancer
// types).
type PricePerTime struct {
	Location          string `json:"location"`
	PriceHourly       Price  `json:"price_hourly"`
	PriceMonthly      Price  `json:"price_monthly"`
	IncludedTraffic   int64  `json:"included_traffic"`
	PricePerTBTraffic Price  `json:"price_per_tb_traffic"`
}

// PricePerTimeMonthly is the component price_per_time_monthly (floating
// IPs).
type PricePerTimeMonthly struct {
	Location     string `json:"location"`
	PriceMonthly Price  `json:"price_monthly"`
}

// PricePerTimeWithoutTraffic is the component
// price_per_time_without_traffic (primary IPs).
type PricePerTimeWithoutTraffic struct {
	Location     string `json:"location"`
	PriceHourly  Price  `json:"price_hourly"`
	PriceMonthly Price  `json:"price_monthly"`
}

// ServerTypeLocation is the component server_type_location.
type ServerTypeLocation struct {
	ID          int64            `json:"id"`
	Name        string           `json:"name"`
	Available   bool             `json:"available"`
	Recommended bool             `json:"recommended"`
	Deprecation *DeprecationInfo `json:"deprecation"`
}

// ServerType is the component server_type.
type ServerType struct {
	ID           int64                `json:"id"`
	Name         string               `json:"name"`
	Description  string               `json:"description"`
	Category     string               `json:"category"`
	Cores        int                  `json:"cores"`
	Memory       float64              `json:"memory"`
	Disk         int                  `json:"disk"`
	Deprecated   bool                 `json:"deprecated"`
	Prices       []PricePerTime       `json:"prices"`
	StorageType  string               `json:"storage_type"`
	CPUType      string               `json:"cpu_type"`
	Architecture string               `json:"architecture"`
	Deprecation  *DeprecationInfo     `json:"deprecation"`
	Locations    []ServerTypeLocation `json:"locations"`
}

// Location returns the entry of locations[] for the location name, if the
// server type is offered (or was offered) there.
func (st ServerType) Location(name string) (ServerTypeLocation, bool) {
	for _, l := range st.Locations {
		if l.Name == name {
			return l, true
		}
	}
	return ServerTypeLocation{}, false
}

// Price returns the price entry for the location name.
func (st ServerType) Price(location string) (PricePerTime, bool) {
	return findPrice(st.Prices, location)
}

// LoadBalancerType is the component load_balancer_type.
type LoadBalancerType struct {
	ID                      int64            `json:"id"`
	Name                    string           `json:"name"`
	Description             string           `json:"description"`
	MaxConnections          int64            `json:"max_connections"`
	MaxServices             int64            `json:"max_services"`
	MaxTargets              int64            `json:"max_targets"`
	MaxAssignedCertificates int64            `json:"max_assigned_certificates"`
	Prices                  []PricePerTime   `json:"prices"`
	Deprecated              *string          `json:"deprecated"`
	Deprecation             *DeprecationInfo `json:"deprecation"`
}

// Price returns the price entry for the location name.
func (lt LoadBalancerType) Price(location string) (PricePerTime, bool) {
	return findPrice(lt.Prices, location)
}

// ISO is the component iso.
type ISO struct {
	ID           int64            `json:"id"`
	Name         *string          `json:"name"`
	Description  string           `json:"description"`
	Type         *string          `json:"type"`
	Architecture *string          `json:"architecture"`
	Deprecation  *DeprecationInfo `json:"deprecation"`
}

// ImageCreatedFrom is the component created_from: the server an image was
// created from.
type ImageCreatedFrom struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Protection is the component protection.
type Protection struct {
	Delete bool `json:"delete"`
}

// Image is the component image. It also represents snapshots and backups
// (type snapshot/backup, bound_to, created_from, image_size, labels,
// protection, deleted). Labels is never encoded as null: a nil map encodes
// as {}.
type Image struct {
	ID           int64             `json:"id"`
	Type         string            `json:"type"`
	Status       string            `json:"status"`
	Name         *string           `json:"name"`
	Description  string            `json:"description"`
	ImageSize    *float64          `json:"image_size"`
	DiskSize     float64           `json:"disk_size"`
	Created      string            `json:"created"`
	CreatedFrom  *ImageCreatedFrom `json:"created_from"`
	BoundTo      *int64            `json:"bound_to"`
	OSFlavor     string            `json:"os_flavor"`
	OSVersion    *string           `json:"os_version"`
	Architecture string            `json:"architecture"`
	RapidDeploy  bool              `json:"rapid_deploy"`
	Protection   Protection        `json:"protection"`
	Deprecated   *string           `json:"deprecated"`
	Deprecation  *DeprecationInfo  `json:"deprecation"`
	Labels       map[string]string `json:"labels"`
	Deleted      *string           `json:"deleted"`
}

// MarshalJSON encodes the image, substituting {} for nil labels.
func (i Image) MarshalJSON() ([]byte, error) {
	type plain Image
	p := plain(i)
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	return json.Marshal(p)
}

// IsDeprecated reports whether the image carries deprecation info.
func (i Image) IsDeprecated() bool { return i.Deprecation != nil }

// Pricing is the object under the "pricing" key of GET /v1/pricing.
type Pricing struct {
	Currency          string                    `json:"currency"`
	VATRate           string                    `json:"vat_rate"`
	Image             PricingPerGBMonth         `json:"image"`
	Volume            PricingPerGBMonth         `json:"volume"`
	ServerBackup      PricingServerBackup       `json:"server_backup"`
	FloatingIP        PricingFloatingIP         `json:"floating_ip"`
	FloatingIPs       []PricingFloatingIPType   `json:"floating_ips"`
	PrimaryIPs        []PricingPrimaryIPType    `json:"primary_ips"`
	ServerTypes       []PricingServerType       `json:"server_types"`
	LoadBalancerTypes []PricingLoadBalancerType `json:"load_balancer_types"`
}

// PricingPerGBMonth is pricing.image and pricing.volume.
type PricingPerGBMonth struct {
	PricePerGBMonth Price `json:"price_per_gb_month"`
}

// PricingServerBackup is pricing.server_backup: the backup surcharge in
// percent of the server price, as a decimal string.
type PricingServerBackup struct {
	Percentage string `json:"percentage"`
}

// PricingFloatingIP is the deprecated pricing.floating_ip (IPv4, monthly).
type PricingFloatingIP struct {
	PriceMonthly Price `json:"price_monthly"`
}

// PricingFloatingIPType is one entry of pricing.floating_ips.
type PricingFloatingIPType struct {
	Type   string                `json:"type"`
	Prices []PricePerTimeMonthly `json:"prices"`
}

// PricingPrimaryIPType is one entry of pricing.primary_ips.
type PricingPrimaryIPType struct {
	Type   string                       `json:"type"`
	Prices []PricePerTimeWithoutTraffic `json:"prices"`
}

// PricingServerType is one entry of pricing.server_types.
type PricingServerType struct {
	ID     int64          `json:"id"`
	Name   string         `json:"name"`
	Prices []PricePerTime `json:"prices"`
}

// PricingLoadBalancerType is one entry of pricing.load_balancer_types.
type PricingLoadBalancerType struct {
	ID     int64          `json:"id"`
	Name   string         `json:"name"`
	Prices []PricePerTime `json:"prices"`
}

// FormatTime formats t the way the API does: RFC 3339, UTC, whole seconds,
// "Z" suffix.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// Location looks a location up by id ("1") or name ("fsn1").
func (c *Catalog) Location(idOrName string) (Location, bool) {
	return lookup(c.Locations, idOrName, func(l Location) (int64, string) { return l.ID, l.Name })
}

// Datacenter looks a datacenter up by id ("3") or name ("hel1-dc2").
func (c *Catalog) Datacenter(idOrName string) (Datacenter, bool) {
	return lookup(c.Datacenters, idOrName, func(d Datacenter) (int64, string) { return d.ID, d.Name })
}

// ServerType looks a server type up by id ("109") or name ("cpx22").
func (c *Catalog) ServerType(idOrName string) (ServerType, bool) {
	return lookup(c.ServerTypes, idOrName, func(s ServerType) (int64, string) { return s.ID, s.Name })
}

// LoadBalancerType looks a load balancer type up by id ("1") or name
// ("lb11").
func (c *Catalog) LoadBalancerType(idOrName string) (LoadBalancerType, bool) {
	return lookup(c.LoadBalancerTypes, idOrName, func(l LoadBalancerType) (int64, string) { return l.ID, l.Name })
}

// ISO looks an ISO up by id or name.
func (c *Catalog) ISO(idOrName string) (ISO, bool) {
	return lookup(c.ISOs, idOrName, func(i ISO) (int64, string) { return i.ID, deref(i.Name) })
}

// Image looks a system or app image up by id or by name. A numeric argument
// is matched against ids first, whatever arch says (as hcloud-go's
// GetForArchitecture does for ids). A name matches images of architecture
// arch; arch "" matches any architecture and prefers x86. Deprecated images
// are found too.
func (c *Catalog) Image(idOrName string, arch string) (Image, bool) {
	if id, ok := parseID(idOrName); ok {
		for _, img := range c.Images {
			if img.ID == id {
				return img, true
			}
		}
	}
	var found *Image
	for i := range c.Images {
		img := &c.Images[i]
		if img.Name == nil || *img.Name != idOrName {
			continue
		}
		if arch != "" {
			if img.Architecture == arch {
				return *img, true
			}
			continue
		}
		if img.Architecture == ArchX86 {
			return *img, true
		}
		if found == nil {
			found = img
		}
	}
	if found != nil {
		return *found, true
	}
	return Image{}, false
}

func lookup[T any](items []T, idOrName string, key func(T) (int64, string)) (T, bool) {
	if id, ok := parseID(idOrName); ok {
		for _, it := range items {
			if i, _ := key(it); i == id {
				return it, true
			}
		}
	}
	for _, it := range items {
		if _, n := key(it); n != "" && n == idOrName {
			return it, true
		}
	}
	var zero T
	return zero, false
}

func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func findPrice(prices []PricePerTime, location string) (PricePerTime, bool) {
	for _, p := range prices {
		if p.Location == location {
			return p, true
		}
	}
	return PricePerTime{}, false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
