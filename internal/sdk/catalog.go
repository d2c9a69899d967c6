package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"time"
)

// getOne fetches {"<key>": {...}} and decodes the object.
func getOne[T any](ctx context.Context, c *Client, path, key string) (T, error) {
	var out T
	var raw map[string]json.RawMessage
	if err := c.getJSON(ctx, path, nil, &raw); err != nil {
		return out, err
	}
	if err := json.Unmarshal(raw[key], &out); err != nil {
		return out, fmt.Errorf("hcloud: decoding %s: %w", key, err)
	}
	return out, nil
}

func idPath(base string, id int64) string { return base + "/" + strconv.FormatInt(id, 10) }

// Architecture is a CPU architecture.
type Architecture string

// Architectures.
const (
	ArchitectureX86 Architecture = "x86"
	ArchitectureARM Architecture = "arm"
)

// DeprecationInfo says when something was announced deprecated and when it goes away.
type DeprecationInfo struct {
	Announced        time.Time `json:"announced"`
	UnavailableAfter time.Time `json:"unavailable_after"`
}

// Price is an amount as the API sends it: decimal strings, without and with VAT.
type Price struct {
	Net   string `json:"net"`
	Gross string `json:"gross"`
}

// LocationPrice is the price of a server or load balancer type in one location.
type LocationPrice struct {
	Location          string `json:"location"`
	PriceHourly       Price  `json:"price_hourly"`
	PriceMonthly      Price  `json:"price_monthly"`
	IncludedTraffic   int64  `json:"included_traffic"` // bytes
	PricePerTBTraffic Price  `json:"price_per_tb_traffic"`
}

// Location is a site where resources run (fsn1, nbg1, hel1, ash, hil, sin).
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

// LocationListOpts filters GET /locations.
type LocationListOpts struct {
	Name          string   // exact name
	Sort          []string // id, name, with :asc or :desc
	Page, PerPage int
}

func (o LocationListOpts) values() query {
	return query{}.str("name", o.Name).strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// LocationClient reads locations.
type LocationClient struct{ c *Client }

// Get returns one location.
func (l LocationClient) Get(ctx context.Context, id int64) (Location, error) {
	return getOne[Location](ctx, l.c, idPath("/locations", id), "location")
}

// List returns one page of locations.
func (l LocationClient) List(ctx context.Context, opts LocationListOpts) ([]Location, Pagination, error) {
	return listPage[Location](ctx, l.c, "/locations", "locations", opts.values().values())
}

// All iterates every location, following the pages.
func (l LocationClient) All(ctx context.Context, opts LocationListOpts) iter.Seq2[Location, error] {
	return listAll[Location](ctx, l.c, "/locations", "locations", opts.values().values())
}

// Datacenter is a datacenter of a location.
//
// Deprecated: datacenters are deprecated since 2026-06-02 and the endpoints are announced to
// go after 2026-10-01; use Location, and ServerType.Locations for availability.
type Datacenter struct {
	ID          int64                 `json:"id"`
	Name        string                `json:"name"`
	Description string                `json:"description"`
	Location    Location              `json:"location"`
	ServerTypes DatacenterServerTypes `json:"server_types"`
}

// DatacenterServerTypes lists server type ids by availability in a datacenter.
//
// Deprecated: use ServerType.Locations.
type DatacenterServerTypes struct {
	Supported             []int64 `json:"supported"`
	Available             []int64 `json:"available"`
	AvailableForMigration []int64 `json:"available_for_migration"`
}

// DatacenterListOpts filters GET /datacenters.
//
// Deprecated: see Datacenter.
type DatacenterListOpts struct {
	Name          string
	Sort          []string // id, name, with :asc or :desc
	Page, PerPage int
}

func (o DatacenterListOpts) values() query {
	return query{}.str("name", o.Name).strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// DatacenterClient reads datacenters.
//
// Deprecated: see Datacenter; use LocationClient.
type DatacenterClient struct{ c *Client }

// Get returns one datacenter.
//
// Deprecated: see Datacenter.
func (d DatacenterClient) Get(ctx context.Context, id int64) (Datacenter, error) {
	return getOne[Datacenter](ctx, d.c, idPath("/datacenters", id), "datacenter")
}

// List returns one page of datacenters.
//
// Deprecated: see Datacenter.
func (d DatacenterClient) List(ctx context.Context, opts DatacenterListOpts) ([]Datacenter, Pagination, error) {
	return listPage[Datacenter](ctx, d.c, "/datacenters", "datacenters", opts.values().values())
}

// All iterates every datacenter.
//
// Deprecated: see Datacenter.
func (d DatacenterClient) All(ctx context.Context, opts DatacenterListOpts) iter.Seq2[Datacenter, error] {
	return listAll[Datacenter](ctx, d.c, "/datacenters", "datacenters", opts.values().values())
}

// ServerTypeLocation is a server type's availability in one location.
type ServerTypeLocation struct {
	ID          int64            `json:"id"`
	Name        string           `json:"name"`
	Available   bool             `json:"available"`   // orderable there now
	Recommended bool             `json:"recommended"` // the API's suggestion
	Deprecation *DeprecationInfo `json:"deprecation"` // nil unless being phased out there
}

// ServerType is a server plan (cpx22, cax11, …).
type ServerType struct {
	ID           int64                `json:"id"`
	Name         string               `json:"name"`
	Description  string               `json:"description"`
	Category     string               `json:"category"`
	Cores        int                  `json:"cores"`
	Memory       float64              `json:"memory"` // GB
	Disk         float64              `json:"disk"`   // GB
	StorageType  string               `json:"storage_type"`
	CPUType      string               `json:"cpu_type"` // shared or dedicated
	Architecture Architecture         `json:"architecture"`
	Prices       []LocationPrice      `json:"prices"`
	Locations    []ServerTypeLocation `json:"locations"`
	Deprecation  *DeprecationInfo     `json:"deprecation"` // nil unless deprecated
	// Deprecated: use Deprecation (this flag is null or a boolean in the API).
	Deprecated *bool `json:"deprecated"`
}

// ServerTypeListOpts filters GET /server_types.
type ServerTypeListOpts struct {
	Name          string
	Page, PerPage int
}

func (o ServerTypeListOpts) values() query {
	return query{}.str("name", o.Name).page(o.Page, o.PerPage)
}

// ServerTypeClient reads server types.
type ServerTypeClient struct{ c *Client }

// Get returns one server type.
func (s ServerTypeClient) Get(ctx context.Context, id int64) (ServerType, error) {
	return getOne[ServerType](ctx, s.c, idPath("/server_types", id), "server_type")
}

// List returns one page of server types.
func (s ServerTypeClient) List(ctx context.Context, opts ServerTypeListOpts) ([]ServerType, Pagination, error) {
	return listPage[ServerType](ctx, s.c, "/server_types", "server_types", opts.values().values())
}

// All iterates every server type.
func (s ServerTypeClient) All(ctx context.Context, opts ServerTypeListOpts) iter.Seq2[ServerType, error] {
	return listAll[ServerType](ctx, s.c, "/server_types", "server_types", opts.values().values())
}

// LoadBalancerType is a load balancer plan (lb11, …).
type LoadBalancerType struct {
	ID                      int64            `json:"id"`
	Name                    string           `json:"name"`
	Description             string           `json:"description"`
	MaxConnections          int64            `json:"max_connections"`
	MaxServices             int64            `json:"max_services"`
	MaxTargets              int64            `json:"max_targets"`
	MaxAssignedCertificates int64            `json:"max_assigned_certificates"`
	Prices                  []LocationPrice  `json:"prices"`
	Deprecation             *DeprecationInfo `json:"deprecation"` // nil unless deprecated
	// Deprecated: use Deprecation.Announced.
	Deprecated *time.Time `json:"deprecated"`
}

// LoadBalancerTypeListOpts filters GET /load_balancer_types.
type LoadBalancerTypeListOpts struct {
	Name          string
	Page, PerPage int
}

func (o LoadBalancerTypeListOpts) values() query {
	return query{}.str("name", o.Name).page(o.Page, o.PerPage)
}

// LoadBalancerTypeClient reads load balancer types.
type LoadBalancerTypeClient struct{ c *Client }

// Get returns one load balancer type.
func (l LoadBalancerTypeClient) Get(ctx context.Context, id int64) (LoadBalancerType, error) {
	return getOne[LoadBalancerType](ctx, l.c, idPath("/load_balancer_types", id), "load_balancer_type")
}

// List returns one page of load balancer types.
func (l LoadBalancerTypeClient) List(ctx context.Context, opts LoadBalancerTypeListOpts) ([]LoadBalancerType, Pagination, error) {
	return listPage[LoadBalancerType](ctx, l.c, "/load_balancer_types", "load_balancer_types", opts.values().values())
}

// All iterates every load balancer type.
func (l LoadBalancerTypeClient) All(ctx context.Context, opts LoadBalancerTypeListOpts) iter.Seq2[LoadBalancerType, error] {
	return listAll[LoadBalancerType](ctx, l.c, "/load_balancer_types", "load_balancer_types", opts.values().values())
}

// ISO is a CD image that can be attached to a server.
type ISO struct {
	ID           int64            `json:"id"`
	Name         *string          `json:"name"` // nil for some private ISOs
	Description  string           `json:"description"`
	Type         *string          `json:"type"`         // public or private
	Architecture *Architecture    `json:"architecture"` // nil: usable on any architecture
	Deprecation  *DeprecationInfo `json:"deprecation"`
}

// ISOListOpts filters GET /isos.
type ISOListOpts struct {
	Name         string
	Architecture Architecture
	// IncludeArchitectureWildcard adds ISOs usable on any architecture to an Architecture filter.
	IncludeArchitectureWildcard bool
	Page, PerPage               int
}

func (o ISOListOpts) values() query {
	return query{}.str("name", o.Name).str("architecture", string(o.Architecture)).
		flag("include_architecture_wildcard", o.IncludeArchitectureWildcard).page(o.Page, o.PerPage)
}

// ISOClient reads ISOs.
type ISOClient struct{ c *Client }

// Get returns one ISO.
func (i ISOClient) Get(ctx context.Context, id int64) (ISO, error) {
	return getOne[ISO](ctx, i.c, idPath("/isos", id), "iso")
}

// List returns one page of ISOs.
func (i ISOClient) List(ctx context.Context, opts ISOListOpts) ([]ISO, Pagination, error) {
	return listPage[ISO](ctx, i.c, "/isos", "isos", opts.values().values())
}

// All iterates every ISO.
func (i ISOClient) All(ctx context.Context, opts ISOListOpts) iter.Seq2[ISO, error] {
	return listAll[ISO](ctx, i.c, "/isos", "isos", opts.values().values())
}

// Pricing is the price list of every product, in the project owner's currency.
type Pricing struct {
	Currency          string                    `json:"currency"`
	VATRate           string                    `json:"vat_rate"`
	Image             PerGBMonthPrice           `json:"image"`
	Volume            PerGBMonthPrice           `json:"volume"`
	ServerBackup      ServerBackupPricing       `json:"server_backup"`
	FloatingIPs       []IPPricing               `json:"floating_ips"`
	PrimaryIPs        []IPPricing               `json:"primary_ips"`
	ServerTypes       []ServerTypePricing       `json:"server_types"`
	LoadBalancerTypes []LoadBalancerTypePricing `json:"load_balancer_types"`
	// Deprecated: use FloatingIPs.
	FloatingIP struct {
		PriceMonthly Price `json:"price_monthly"`
	} `json:"floating_ip"`
}

// PerGBMonthPrice is a price per GB and month.
type PerGBMonthPrice struct {
	PricePerGBMonth Price `json:"price_per_gb_month"`
}

// ServerBackupPricing is the backup surcharge in percent of the server price.
type ServerBackupPricing struct {
	Percentage string `json:"percentage"`
}

// IPPricing is the price of a Floating or Primary IP of one type per location.
type IPPricing struct {
	Type   string            `json:"type"` // ipv4 or ipv6
	Prices []IPLocationPrice `json:"prices"`
}

// IPLocationPrice is an IP price in one location (PriceHourly is zero for Floating IPs).
type IPLocationPrice struct {
	Location     string `json:"location"`
	PriceHourly  Price  `json:"price_hourly"`
	PriceMonthly Price  `json:"price_monthly"`
}

// ServerTypePricing is the price of one server type per location.
type ServerTypePricing struct {
	ID     int64           `json:"id"`
	Name   string          `json:"name"`
	Prices []LocationPrice `json:"prices"`
}

// LoadBalancerTypePricing is the price of one load balancer type per location.
type LoadBalancerTypePricing struct {
	ID     int64           `json:"id"`
	Name   string          `json:"name"`
	Prices []LocationPrice `json:"prices"`
}

// PricingClient reads the price list.
type PricingClient struct{ c *Client }

// Get returns the price list.
func (p PricingClient) Get(ctx context.Context) (Pricing, error) {
	return getOne[Pricing](ctx, p.c, "/pricing", "pricing")
}
