package catalog_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

const specPath = "../../../openapi.json"

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	if _, err := os.Stat(specPath); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s does not exist yet", specPath)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	must.NoError(t, err)
	return doc
}

func component(t *testing.T, doc *openapi3.T, name string) *openapi3.Schema {
	t.Helper()
	ref, ok := doc.Components.Schemas[name]
	must.True(t, ok, "component schema %q missing from %s", name, specPath)
	must.NotNil(t, ref.Value)
	return ref.Value
}

// toJSONValue marshals v and decodes it into the generic form VisitJSON
// expects (map[string]any, []any, float64, ...).
func toJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	must.NoError(t, err)
	var out any
	must.NoError(t, json.Unmarshal(b, &out))
	return out
}

// checkSchema validates v against schema with kin-openapi and then checks,
// recursively, that every required property is present and that no property
// outside the schema's properties appears (VisitJSON allows extras unless
// additionalProperties is false).
func checkSchema(t *testing.T, schema *openapi3.Schema, what string, v any) {
	t.Helper()
	val := toJSONValue(t, v)
	if err := schema.VisitJSON(val); err != nil {
		t.Errorf("%s: schema validation: %v", what, err)
	}
	for _, problem := range strictProblems(schema, what, val) {
		t.Errorf("%s", problem)
	}
}

// flatten merges the properties and required lists of schema and its allOf
// parts.
func flatten(s *openapi3.Schema) (props openapi3.Schemas, required []string, additional *openapi3.Schema) {
	props = openapi3.Schemas{}
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil {
			return
		}
		for k, p := range s.Properties {
			props[k] = p
		}
		required = append(required, s.Required...)
		if s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil {
			additional = s.AdditionalProperties.Schema.Value
		}
		for _, part := range s.AllOf {
			walk(part.Value)
		}
	}
	walk(s)
	return props, required, additional
}

func itemsOf(s *openapi3.Schema) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if s.Items != nil && s.Items.Value != nil {
		return s.Items.Value
	}
	for _, part := range s.AllOf {
		if it := itemsOf(part.Value); it != nil {
			return it
		}
	}
	return nil
}

func strictProblems(s *openapi3.Schema, path string, v any) []string {
	if s == nil || v == nil {
		return nil
	}
	var out []string
	switch val := v.(type) {
	case map[string]any:
		props, required, additional := flatten(s)
		for _, r := range required {
			if _, ok := val[r]; !ok {
				out = append(out, fmt.Sprintf("%s: required property %q missing", path, r))
			}
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch {
			case props[k] != nil:
				out = append(out, strictProblems(props[k].Value, path+"."+k, val[k])...)
			case additional != nil:
				out = append(out, strictProblems(additional, path+"."+k, val[k])...)
			default:
				out = append(out, fmt.Sprintf("%s: property %q is not in the schema", path, k))
			}
		}
	case []any:
		items := itemsOf(s)
		for i, it := range val {
			out = append(out, strictProblems(items, fmt.Sprintf("%s[%d]", path, i), it)...)
		}
	}
	return out
}

func TestObjectsMatchSchemas(t *testing.T) {
	doc := loadSpec(t)
	c := catalog.Default()

	location := component(t, doc, "location")
	for _, l := range c.Locations {
		checkSchema(t, location, "location "+l.Name, l)
	}
	dc := component(t, doc, "data_center")
	for _, d := range c.Datacenters {
		checkSchema(t, dc, "data_center "+d.Name, d)
	}
	st := component(t, doc, "server_type")
	for _, s := range c.ServerTypes {
		checkSchema(t, st, "server_type "+s.Name, s)
	}
	lbt := component(t, doc, "load_balancer_type")
	for _, l := range c.LoadBalancerTypes {
		checkSchema(t, lbt, "load_balancer_type "+l.Name, l)
	}
	iso := component(t, doc, "iso")
	for _, i := range c.ISOs {
		checkSchema(t, iso, "iso "+*i.Name, i)
	}
	image := component(t, doc, "image")
	for _, i := range c.Images {
		checkSchema(t, image, fmt.Sprintf("image %s/%s", *i.Name, i.Architecture), i)
	}
	prices := component(t, doc, "list_prices_response")
	checkSchema(t, prices, "list_prices_response", map[string]any{"pricing": c.Pricing})
}

// The Image type must also carry user snapshots and backups.
func TestSnapshotAndBackupImagesMatchSchema(t *testing.T) {
	doc := loadSpec(t)
	image := component(t, doc, "image")
	size := 1.73
	server := int64(4711)
	desc := "my snapshot"
	snapshot := catalog.Image{
		ID: 1_000_001, Type: catalog.ImageTypeSnapshot, Status: catalog.ImageStatusCreating,
		Description: desc, ImageSize: &size, DiskSize: 40, Created: "2026-11-23T10:00:00Z",
		CreatedFrom: &catalog.ImageCreatedFrom{ID: server, Name: "web-1"},
		OSFlavor:    "ubuntu", Architecture: catalog.ArchX86,
		Protection: catalog.Protection{Delete: true},
		Labels:     map[string]string{"env": "prod"},
	}
	checkSchema(t, image, "snapshot", snapshot)

	backup := snapshot
	backup.Type = catalog.ImageTypeBackup
	backup.BoundTo = &server
	backup.Labels = nil
	checkSchema(t, image, "backup", backup)

	var got map[string]any
	b, err := json.Marshal(backup)
	must.NoError(t, err)
	must.NoError(t, json.Unmarshal(b, &got))
	expect.Equal(t, map[string]any{}, got["labels"], "nil labels must encode as {}")
	expect.Nil(t, got["name"])
	expect.Contains(t, got, "name")
	expect.InDelta(t, 4711, got["bound_to"], 0)

	// Pointer values encode the same way.
	b2, err := json.Marshal(&backup)
	must.NoError(t, err)
	expect.JSONEq(t, string(b), string(b2))
}

func TestLookups(t *testing.T) {
	c := catalog.Default()

	for _, l := range c.Locations {
		got, ok := c.Location(strconv.FormatInt(l.ID, 10))
		expect.True(t, ok)
		expect.Equal(t, l, got)
		got, ok = c.Location(l.Name)
		expect.True(t, ok)
		expect.Equal(t, l, got)
	}
	for _, d := range c.Datacenters {
		got, ok := c.Datacenter(strconv.FormatInt(d.ID, 10))
		expect.True(t, ok)
		expect.Equal(t, d.Name, got.Name)
		got, ok = c.Datacenter(d.Name)
		expect.True(t, ok)
		expect.Equal(t, d.ID, got.ID)
	}
	for _, s := range c.ServerTypes {
		got, ok := c.ServerType(strconv.FormatInt(s.ID, 10))
		expect.True(t, ok)
		expect.Equal(t, s.Name, got.Name)
		got, ok = c.ServerType(s.Name)
		expect.True(t, ok)
		expect.Equal(t, s.ID, got.ID)
	}
	for _, l := range c.LoadBalancerTypes {
		got, ok := c.LoadBalancerType(strconv.FormatInt(l.ID, 10))
		expect.True(t, ok)
		expect.Equal(t, l.Name, got.Name)
		got, ok = c.LoadBalancerType(l.Name)
		expect.True(t, ok)
		expect.Equal(t, l.ID, got.ID)
	}
	for _, i := range c.ISOs {
		got, ok := c.ISO(strconv.FormatInt(i.ID, 10))
		expect.True(t, ok)
		expect.Equal(t, *i.Name, *got.Name)
		got, ok = c.ISO(*i.Name)
		expect.True(t, ok)
		expect.Equal(t, i.ID, got.ID)
	}
	for _, i := range c.Images {
		got, ok := c.Image(strconv.FormatInt(i.ID, 10), "")
		expect.True(t, ok)
		expect.Equal(t, i.ID, got.ID)
		got, ok = c.Image(*i.Name, i.Architecture)
		expect.True(t, ok)
		expect.Equal(t, i.ID, got.ID)
	}

	for _, miss := range []string{"", "0", "-1", "999999", "nope", "FSN1"} {
		_, ok := c.Location(miss)
		expect.False(t, ok, miss)
		_, ok = c.Datacenter(miss)
		expect.False(t, ok, miss)
		_, ok = c.ServerType(miss)
		expect.False(t, ok, miss)
		_, ok = c.LoadBalancerType(miss)
		expect.False(t, ok, miss)
		_, ok = c.ISO(miss)
		expect.False(t, ok, miss)
		_, ok = c.Image(miss, "")
		expect.False(t, ok, miss)
	}

	// Examples from the brief and the CLI e2e defaults.
	fsn1, ok := c.Location("1")
	must.True(t, ok)
	expect.Equal(t, "fsn1", fsn1.Name)
	hel1dc2, ok := c.Datacenter("3")
	must.True(t, ok)
	expect.Equal(t, "hel1-dc2", hel1dc2.Name)
	expect.Equal(t, "hel1", hel1dc2.Location.Name)
	for _, name := range []string{"cpx22", "cpx32"} {
		st, ok := c.ServerType(name)
		must.True(t, ok, name)
		loc, ok := st.Location("hel1")
		must.True(t, ok, name)
		expect.True(t, loc.Available, name)
		expect.Contains(t, hel1dc2.ServerTypes.Available, st.ID, name)
		_, ok = st.Price("hel1")
		expect.True(t, ok)
	}
	lb11, ok := c.LoadBalancerType("lb11")
	must.True(t, ok)
	expect.Equal(t, int64(5), lb11.MaxServices)
	expect.Equal(t, int64(25), lb11.MaxTargets)
	expect.Equal(t, int64(10), lb11.MaxAssignedCertificates)
	expect.Equal(t, int64(10000), lb11.MaxConnections)
	p, ok := lb11.Price("fsn1")
	must.True(t, ok)
	expect.Equal(t, int64(20)<<40, p.IncludedTraffic)
	_, ok = c.ISO("SW_DVD9_Win_Server_STD_CORE_2022__64Bit_German_DC_STD_MLF_X22-74292.iso")
	expect.True(t, ok)

	// Images: same name for both architectures; "" prefers x86.
	x86, ok := c.Image("ubuntu-24.04", "x86")
	must.True(t, ok)
	arm, ok := c.Image("ubuntu-24.04", "arm")
	must.True(t, ok)
	expect.NotEqual(t, x86.ID, arm.ID)
	expect.Equal(t, "x86", x86.Architecture)
	expect.Equal(t, "arm", arm.Architecture)
	any, ok := c.Image("ubuntu-24.04", "")
	must.True(t, ok)
	expect.Equal(t, x86.ID, any.ID)
	wp, ok := c.Image("wordpress", "")
	must.True(t, ok, "x86-only app image found with arch \"\"")
	expect.Equal(t, "app", wp.Type)
	_, ok = c.Image("wordpress", "arm")
	expect.False(t, ok, "no arm wordpress")
	byID, ok := c.Image(strconv.FormatInt(arm.ID, 10), "x86")
	must.True(t, ok, "an id is found whatever the arch")
	expect.Equal(t, arm.ID, byID.ID)
	dep, ok := c.Image("ubuntu-20.04", "x86")
	must.True(t, ok)
	expect.True(t, dep.IsDeprecated())
}

var (
	netRe   = regexp.MustCompile(`^[0-9]+\.[0-9]{10}$`)
	grossRe = regexp.MustCompile(`^[0-9]+\.[0-9]{16}$`)
)

func checkPrice(t *testing.T, what string, p catalog.Price) {
	t.Helper()
	expect.Regexp(t, netRe, p.Net, what+" net")
	expect.Regexp(t, grossRe, p.Gross, what+" gross")
	net, err := strconv.ParseFloat(p.Net, 64)
	must.NoError(t, err)
	gross, err := strconv.ParseFloat(p.Gross, 64)
	must.NoError(t, err)
	expect.InDelta(t, net*1.19, gross, 1e-9, what)
}

func checkTime(t *testing.T, what, s string) {
	t.Helper()
	_, err := time.Parse(time.RFC3339, s)
	expect.NoError(t, err, what)
	expect.True(t, strings.HasSuffix(s, "Z"), "%s: %q is not UTC with Z", what, s)
}

func checkDeprecation(t *testing.T, what string, d *catalog.DeprecationInfo) {
	t.Helper()
	if d == nil {
		return
	}
	checkTime(t, what+" announced", d.Announced)
	checkTime(t, what+" unavailable_after", d.UnavailableAfter)
	expect.Less(t, d.Announced, d.UnavailableAfter, what)
}

func uniq[T any, K comparable](t *testing.T, what string, items []T, key func(T) K) {
	t.Helper()
	seen := map[K]bool{}
	for _, it := range items {
		k := key(it)
		expect.False(t, seen[k], "%s: duplicate %v", what, k)
		seen[k] = true
	}
}

func TestIntegrity(t *testing.T) {
	c := catalog.Default()
	expect.Len(t, c.Locations, 6)

	uniq(t, "location id", c.Locations, func(l catalog.Location) int64 { return l.ID })
	uniq(t, "location name", c.Locations, func(l catalog.Location) string { return l.Name })
	uniq(t, "datacenter id", c.Datacenters, func(d catalog.Datacenter) int64 { return d.ID })
	uniq(t, "datacenter name", c.Datacenters, func(d catalog.Datacenter) string { return d.Name })
	uniq(t, "server type id", c.ServerTypes, func(s catalog.ServerType) int64 { return s.ID })
	uniq(t, "server type name", c.ServerTypes, func(s catalog.ServerType) string { return s.Name })
	uniq(t, "lb type id", c.LoadBalancerTypes, func(l catalog.LoadBalancerType) int64 { return l.ID })
	uniq(t, "lb type name", c.LoadBalancerTypes, func(l catalog.LoadBalancerType) string { return l.Name })
	uniq(t, "iso id", c.ISOs, func(i catalog.ISO) int64 { return i.ID })
	uniq(t, "iso name", c.ISOs, func(i catalog.ISO) string { return *i.Name })
	uniq(t, "image id", c.Images, func(i catalog.Image) int64 { return i.ID })
	uniq(t, "image name+arch", c.Images, func(i catalog.Image) string { return *i.Name + "/" + i.Architecture })

	locNames := map[string]bool{}
	for _, l := range c.Locations {
		locNames[l.Name] = true
	}
	for _, d := range c.Datacenters {
		loc, ok := c.Location(d.Location.Name)
		if expect.True(t, ok, d.Name) {
			expect.Equal(t, loc, d.Location, d.Name)
		}
		expect.True(t, strings.HasPrefix(d.Name, d.Location.Name+"-"), d.Name)
		for _, ids := range [][]int64{d.ServerTypes.Supported, d.ServerTypes.Available, d.ServerTypes.AvailableForMigration} {
			expect.NotNil(t, ids)
			for _, id := range ids {
				st, ok := c.ServerType(strconv.FormatInt(id, 10))
				if expect.True(t, ok, "%s: server type %d", d.Name, id) {
					_, ok = st.Location(d.Location.Name)
					expect.True(t, ok, "%s: %s not offered in %s", d.Name, st.Name, d.Location.Name)
				}
			}
		}
		for _, id := range d.ServerTypes.Available {
			expect.Contains(t, d.ServerTypes.Supported, id, d.Name)
		}
	}

	for _, s := range c.ServerTypes {
		expect.Contains(t, []string{"x86", "arm"}, s.Architecture, s.Name)
		expect.Contains(t, []string{"shared", "dedicated"}, s.CPUType, s.Name)
		expect.Contains(t, []string{"local", "network"}, s.StorageType, s.Name)
		expect.NotEmpty(t, s.Locations, s.Name)
		checkDeprecation(t, s.Name, s.Deprecation)
		var priced []string
		for _, p := range s.Prices {
			expect.True(t, locNames[p.Location], "%s: price for unknown location %s", s.Name, p.Location)
			expect.Positive(t, p.IncludedTraffic, s.Name)
			checkPrice(t, s.Name+" hourly", p.PriceHourly)
			checkPrice(t, s.Name+" monthly", p.PriceMonthly)
			checkPrice(t, s.Name+" per TB", p.PricePerTBTraffic)
			priced = append(priced, p.Location)
		}
		var offered []string
		for _, l := range s.Locations {
			loc, ok := c.Location(l.Name)
			if expect.True(t, ok, "%s: unknown location %s", s.Name, l.Name) {
				expect.Equal(t, loc.ID, l.ID, s.Name)
			}
			expect.Equal(t, l.Deprecation == nil, l.Available, "%s/%s: available iff not deprecated", s.Name, l.Name)
			checkDeprecation(t, s.Name+"/"+l.Name, l.Deprecation)
			offered = append(offered, l.Name)
		}
		slices.Sort(priced)
		slices.Sort(offered)
		expect.Equal(t, offered, priced, "%s: a price for every offered location", s.Name)
		// Every server type is a current type: orderable somewhere.
		avail := false
		for _, l := range s.Locations {
			avail = avail || l.Available
		}
		expect.True(t, avail, s.Name)
	}
	// Family rules: cax and cx only in the EU.
	for _, s := range c.ServerTypes {
		if strings.HasPrefix(s.Name, "cax") || strings.HasPrefix(s.Name, "cx") {
			for _, l := range s.Locations {
				expect.Contains(t, []string{"fsn1", "nbg1", "hel1"}, l.Name, s.Name)
			}
		}
		if strings.HasPrefix(s.Name, "cax") {
			expect.Equal(t, "arm", s.Architecture)
		}
		if strings.HasPrefix(s.Name, "ccx") {
			expect.Equal(t, "dedicated", s.CPUType)
		}
	}

	for _, l := range c.LoadBalancerTypes {
		expect.NotEmpty(t, l.Prices, l.Name)
		for _, p := range l.Prices {
			expect.True(t, locNames[p.Location], "%s: price for unknown location %s", l.Name, p.Location)
			checkPrice(t, l.Name+" hourly", p.PriceHourly)
			checkPrice(t, l.Name+" monthly", p.PriceMonthly)
		}
		checkDeprecation(t, l.Name, l.Deprecation)
		if l.Deprecation == nil {
			expect.Nil(t, l.Deprecated, l.Name)
		} else if expect.NotNil(t, l.Deprecated, l.Name) {
			expect.Equal(t, l.Deprecation.Announced, *l.Deprecated, l.Name)
		}
	}

	for _, i := range c.ISOs {
		expect.NotNil(t, i.Name)
		expect.NotNil(t, i.Type)
		// The pinned CLI e2e test wants an architecture in every row.
		if expect.NotNil(t, i.Architecture, *i.Name) {
			expect.Contains(t, []string{"x86", "arm"}, *i.Architecture)
		}
		checkDeprecation(t, *i.Name, i.Deprecation)
	}

	deprecated := 0
	for _, i := range c.Images {
		what := *i.Name + "/" + i.Architecture
		expect.Contains(t, []string{"system", "app"}, i.Type, what)
		expect.Equal(t, "available", i.Status, what)
		expect.NotNil(t, i.Labels, what)
		expect.NotNil(t, i.OSVersion, what)
		checkTime(t, what+" created", i.Created)
		checkDeprecation(t, what, i.Deprecation)
		if i.Deprecation == nil {
			expect.Nil(t, i.Deprecated, what)
		} else {
			deprecated++
			if expect.NotNil(t, i.Deprecated, what) {
				expect.Equal(t, i.Deprecation.Announced, *i.Deprecated, what)
			}
		}
	}
	expect.Positive(t, deprecated, "at least one deprecated image")
	// Every system image exists for both architectures.
	for _, i := range c.Images {
		if i.Type != "system" {
			continue
		}
		for _, arch := range []string{"x86", "arm"} {
			_, ok := c.Image(*i.Name, arch)
			expect.True(t, ok, "%s/%s", *i.Name, arch)
		}
	}

	// Pricing mirrors the types.
	p := c.Pricing
	expect.Equal(t, "EUR", p.Currency)
	expect.Equal(t, "19.00", p.VATRate)
	checkPrice(t, "image", p.Image.PricePerGBMonth)
	checkPrice(t, "volume", p.Volume.PricePerGBMonth)
	checkPrice(t, "floating_ip", p.FloatingIP.PriceMonthly)
	must.Len(t, p.ServerTypes, len(c.ServerTypes))
	for i, s := range p.ServerTypes {
		expect.Equal(t, c.ServerTypes[i].ID, s.ID)
		expect.Equal(t, c.ServerTypes[i].Name, s.Name)
		expect.Equal(t, c.ServerTypes[i].Prices, s.Prices)
	}
	must.Len(t, p.LoadBalancerTypes, len(c.LoadBalancerTypes))
	for i, l := range p.LoadBalancerTypes {
		expect.Equal(t, c.LoadBalancerTypes[i].ID, l.ID)
		expect.Equal(t, c.LoadBalancerTypes[i].Prices, l.Prices)
	}
	for _, f := range p.FloatingIPs {
		expect.Contains(t, []string{"ipv4", "ipv6"}, f.Type)
		for _, pr := range f.Prices {
			expect.True(t, locNames[pr.Location], pr.Location)
			checkPrice(t, "floating "+f.Type, pr.PriceMonthly)
		}
	}
	for _, f := range p.PrimaryIPs {
		expect.Contains(t, []string{"ipv4", "ipv6"}, f.Type)
		for _, pr := range f.Prices {
			expect.True(t, locNames[pr.Location], pr.Location)
			checkPrice(t, "primary "+f.Type, pr.PriceMonthly)
			checkPrice(t, "primary "+f.Type, pr.PriceHourly)
		}
	}
}

// A few exact encodings, as the live API prints them.
func TestEncodingDetails(t *testing.T) {
	c := catalog.Default()
	st, ok := c.ServerType("cpx11")
	must.True(t, ok)
	p, ok := st.Price("ash")
	must.True(t, ok)
	b, err := json.Marshal(p)
	must.NoError(t, err)
	expect.JSONEq(t, `{
		"location": "ash",
		"price_hourly": {"net": "0.0072000000", "gross": "0.0085680000000000"},
		"price_monthly": {"net": "4.4900000000", "gross": "5.3431000000000000"},
		"included_traffic": 1099511627776,
		"price_per_tb_traffic": {"net": "1.0000000000", "gross": "1.1900000000000000"}
	}`, string(b))

	loc, ok := st.Location("fsn1")
	must.True(t, ok)
	b, err = json.Marshal(loc)
	must.NoError(t, err)
	expect.JSONEq(t, `{"id": 1, "name": "fsn1", "available": false, "recommended": false,
		"deprecation": {"announced": "2025-10-16T06:00:00Z", "unavailable_after": "2025-12-31T23:59:59Z"}}`, string(b))

	iso, ok := c.ISO("virtio-win-0.1.271.iso")
	must.True(t, ok)
	b, err = json.Marshal(iso)
	must.NoError(t, err)
	expect.JSONEq(t, `{"id": 118512, "name": "virtio-win-0.1.271.iso", "description": "virtio-win-0.1.271",
		"type": "public", "architecture": "x86", "deprecation": null}`, string(b))

	expect.Equal(t, "2026-11-23T10:00:00Z", catalog.FormatTime(time.Date(2026, 11, 23, 11, 0, 0, 5, time.FixedZone("CET", 3600))))
}
