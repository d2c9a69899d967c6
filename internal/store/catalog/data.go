package catalog

import (
	"cmp"
	"math"
	"slices"
)

// Seed data. Where the facts come from (see also the report that came with
// this package):
//
//   - Locations and datacenters (ids, names, descriptions, coordinates,
//     network zones): live API responses quoted in public repositories
//     (hcloud-go test fixtures for fsn1/hel1, a dump of GET /datacenters,
//     volume and server responses for ash/hil/sin).
//   - Server type ids 22-26 (cpx11-51), 45 and 93-95 (cax), 96-101 (ccx),
//     104-107 (cx22-52, not seeded): GET /datacenters dumps.
//     cpx22 = 109, cpx32 = 110: hetznercloud/packer-plugin-hcloud tests;
//     cx23 = 114: a third-party fixture; cpx12 = 108, cpx42..cpx62 =
//     111..113 and cx33..cx53 = 115..117 are inferred from that numbering.
//   - Sizes and the per-location offer (cpx gen 2 and cx gen 3 and cax in
//     the EU, cpx gen 1 only in the US, ccx everywhere): Hetzner's
//     2025-10 line-up as recorded in third-party price tables and
//     2026 notes ("cpx11 is only available in ash and hil").
//   - Prices: net monthly prices of a third-party table of 2025-10-21 minus
//     the 0.50 EUR primary IPv4 that table includes; hourly likewise minus
//     0.0008. cpx gen 1 EU prices and the Singapore traffic price come from
//     a 2024 live response. Approximate, not authoritative.
//   - Price formats (10 decimals net, 16 gross), included traffic in bytes
//     (20 TiB EU, 1 TiB per size step in the US and Singapore): live
//     responses.
//   - Load balancer types: ids 1-3 and lb11's limits (5 services, 25
//     targets, 10 certificates, 10000 connections, 20 TiB) from the CLI e2e
//     tests and hcloud-python fixtures; lb21/lb31 limits and all LB prices
//     from memory of Hetzner's price list, unconfirmed.
//   - Primary IPv4 0.50/month (0.0008/hour), floating IPv4 3.00/month,
//     image 0.0110 and volume 0.0440 per GB-month, backups 20 %: fixtures
//     that quote GET /pricing. Floating IPv6 3.00 is a guess.
//   - ISOs and images: names are real; ids are invented (see images());
//     creation dates are approximate.

const tib = int64(1) << 40

// e converts a EUR amount to eur4, rounding to 0.0001.
func e(v float64) eur4 { return eur4(math.Round(v * 10_000)) }

// Default builds the catalog.
func Default() *Catalog {
	c := &Catalog{
		Locations:         locations(),
		ServerTypes:       serverTypes(),
		LoadBalancerTypes: loadBalancerTypes(),
		ISOs:              isos(),
		Images:            images(),
	}
	c.Datacenters = datacenters(c.Locations, c.ServerTypes)
	c.Pricing = pricing(c.Locations, c.ServerTypes, c.LoadBalancerTypes)
	return c
}

func locations() []Location {
	return []Location{
		{ID: 1, Name: "fsn1", Description: "Falkenstein DC Park 1", Country: "DE", City: "Falkenstein", Latitude: 50.47612, Longitude: 12.370071, NetworkZone: "eu-central"},
		{ID: 2, Name: "nbg1", Description: "Nuremberg DC Park 1", Country: "DE", City: "Nuremberg", Latitude: 49.452102, Longitude: 11.076665, NetworkZone: "eu-central"},
		{ID: 3, Name: "hel1", Description: "Helsinki DC Park 1", Country: "FI", City: "Helsinki", Latitude: 60.169855, Longitude: 24.938379, NetworkZone: "eu-central"},
		{ID: 4, Name: "ash", Description: "Ashburn, VA", Country: "US", City: "Ashburn, VA", Latitude: 39.045821, Longitude: -77.487073, NetworkZone: "us-east"},
		{ID: 5, Name: "hil", Description: "Hillsboro, OR", Country: "US", City: "Hillsboro, OR", Latitude: 45.54222, Longitude: -122.951924, NetworkZone: "us-west"},
		{ID: 6, Name: "sin", Description: "Singapore", Country: "SG", City: "Singapore", Latitude: 1.283333, Longitude: 103.833333, NetworkZone: "ap-southeast"},
	}
}

// datacenters derives server_types of each datacenter from the server types'
// locations[]: supported = offered there now or in the past, available and
// available_for_migration = orderable there now.
func datacenters(locs []Location, types []ServerType) []Datacenter {
	specs := []struct {
		id                int64
		name, desc, locat string
	}{
		{2, "nbg1-dc3", "Nuremberg 1 virtual DC 3", "nbg1"},
		{3, "hel1-dc2", "Helsinki 1 virtual DC 2", "hel1"},
		{4, "fsn1-dc14", "Falkenstein 1 virtual DC 14", "fsn1"},
		{5, "ash-dc1", "Ashburn virtual DC 1", "ash"},
		{6, "hil-dc1", "Hillsboro virtual DC 1", "hil"},
		{7, "sin-dc1", "Singapore virtual DC 1", "sin"},
	}
	out := make([]Datacenter, 0, len(specs))
	for _, s := range specs {
		var loc Location
		for _, l := range locs {
			if l.Name == s.locat {
				loc = l
			}
		}
		sts := DatacenterServerTypes{Supported: []int64{}, Available: []int64{}, AvailableForMigration: []int64{}}
		for _, st := range types {
			stl, ok := st.Location(s.locat)
			if !ok {
				continue
			}
			sts.Supported = append(sts.Supported, st.ID)
			if stl.Available {
				sts.Available = append(sts.Available, st.ID)
				sts.AvailableForMigration = append(sts.AvailableForMigration, st.ID)
			}
		}
		out = append(out, Datacenter{ID: s.id, Name: s.name, Description: s.desc, Location: loc, ServerTypes: sts})
	}
	return out
}

// offer is one location of a server or load balancer type with its prices.
type offer struct {
	loc        string
	monthly    eur4
	hourly     eur4
	traffic    int64
	perTB      eur4
	deprecated bool
}

var (
	euLocations = []string{"fsn1", "nbg1", "hel1"}
	usLocations = []string{"ash", "hil"}

	trafficEU   = e(1.00) // per additional TB in fsn1, nbg1, hel1
	trafficUS   = e(1.00)
	trafficSIN  = e(7.40)
	locationIDs = map[string]int64{"fsn1": 1, "nbg1": 2, "hel1": 3, "ash": 4, "hil": 5, "sin": 6}

	// cpx gen 1 (cpx11..cpx51) left the EU and Singapore at the end of 2025
	// (announcement 2025-10-16); still sold in ash and hil.
	cpxGen1Deprecation = &DeprecationInfo{Announced: "2025-10-16T06:00:00Z", UnavailableAfter: "2025-12-31T23:59:59Z"}
)

func at(names []string, monthly, hourly eur4, traffic int64, perTB eur4) []offer {
	out := make([]offer, 0, len(names))
	for _, n := range names {
		out = append(out, offer{loc: n, monthly: monthly, hourly: hourly, traffic: traffic, perTB: perTB})
	}
	return out
}

func eu(monthly, hourly float64, trafficTiB int64) []offer {
	return at(euLocations, e(monthly), e(hourly), trafficTiB*tib, trafficEU)
}

func us(monthly, hourly float64, traffic int64) []offer {
	return at(usLocations, e(monthly), e(hourly), traffic, trafficUS)
}

func sin(monthly, hourly float64, traffic int64) []offer {
	return at([]string{"sin"}, e(monthly), e(hourly), traffic, trafficSIN)
}

func retired(offers []offer) []offer {
	for i := range offers {
		offers[i].deprecated = true
	}
	return offers
}

func join(parts ...[]offer) []offer { return slices.Concat(parts...) }

// prices returns the price entries of offers, ordered by location name as
// the API does.
func prices(offers []offer) []PricePerTime {
	out := make([]PricePerTime, 0, len(offers))
	for _, o := range offers {
		out = append(out, PricePerTime{
			Location:          o.loc,
			PriceHourly:       o.hourly.price(),
			PriceMonthly:      o.monthly.price(),
			IncludedTraffic:   o.traffic,
			PricePerTBTraffic: o.perTB.price(),
		})
	}
	slices.SortFunc(out, func(a, b PricePerTime) int { return cmp.Compare(a.Location, b.Location) })
	return out
}

type serverTypeSpec struct {
	id       int64
	name     string
	desc     string
	category string
	cores    int
	memory   float64
	disk     int
	cpuType  string
	arch     string
	offers   []offer
}

func serverTypes() []ServerType {
	const (
		shared    = "shared"
		dedicated = "dedicated"
		costOpt   = "cost_optimized"
		regular   = "regular_purpose"
		general   = "general_purpose"
	)
	specs := []serverTypeSpec{
		// CPX gen 1 (AMD, shared): US only since 2026.
		{22, "cpx11", "CPX 11", regular, 2, 2, 40, shared, ArchX86, join(retired(eu(3.85, 0.0063, 20)), us(4.49, 0.0072, 1*tib), retired(sin(7.40, 0.0119, 1*tib)))},
		{23, "cpx21", "CPX 21", regular, 3, 4, 80, shared, ArchX86, join(retired(eu(7.05, 0.0113, 20)), us(8.99, 0.0145, 2*tib), retired(sin(13.30, 0.0213, 2*tib)))},
		{24, "cpx31", "CPX 31", regular, 4, 8, 160, shared, ArchX86, join(retired(eu(13.10, 0.0210, 20)), us(15.99, 0.0257, 3*tib), retired(sin(24.60, 0.0394, 3*tib)))},
		{25, "cpx41", "CPX 41", regular, 8, 16, 240, shared, ArchX86, join(retired(eu(24.70, 0.0396, 20)), us(29.99, 0.0481, 4*tib), retired(sin(46.40, 0.0744, 4*tib)))},
		{26, "cpx51", "CPX 51", regular, 16, 32, 360, shared, ArchX86, join(retired(eu(54.90, 0.0880, 20)), us(59.99, 0.0962, 5*tib), retired(sin(103.00, 0.1651, 5*tib)))},
		// CAX (Ampere, arm): EU only.
		{45, "cax11", "CAX11", costOpt, 2, 4, 40, shared, ArchARM, eu(3.29, 0.0053, 20)},
		{93, "cax21", "CAX21", costOpt, 4, 8, 80, shared, ArchARM, eu(5.99, 0.0096, 20)},
		{94, "cax31", "CAX31", costOpt, 8, 16, 160, shared, ArchARM, eu(11.99, 0.0192, 20)},
		{95, "cax41", "CAX41", costOpt, 16, 32, 320, shared, ArchARM, eu(23.99, 0.0384, 20)},
		// CCX (AMD, dedicated): everywhere.
		{96, "ccx13", "CCX13", general, 2, 8, 80, dedicated, ArchX86, join(eu(11.99, 0.0192, 20), us(12.99, 0.0209, 1*tib), sin(21.00, 0.0337, 1*tib))},
		{97, "ccx23", "CCX23", general, 4, 16, 160, dedicated, ArchX86, join(eu(23.99, 0.0384, 20), us(25.99, 0.0417, 2*tib), sin(39.40, 0.0631, 2*tib))},
		{98, "ccx33", "CCX33", general, 8, 32, 240, dedicated, ArchX86, join(eu(47.99, 0.0769, 30), us(49.99, 0.0802, 3*tib), sin(74.40, 0.1192, 3*tib))},
		{99, "ccx43", "CCX43", general, 16, 64, 360, dedicated, ArchX86, join(eu(95.99, 0.1538, 40), us(99.99, 0.1603, 4*tib), sin(137.00, 0.2196, 4*tib))},
		{100, "ccx53", "CCX53", general, 32, 128, 600, dedicated, ArchX86, join(eu(191.99, 0.3077, 50), us(199.99, 0.3205, 6*tib), sin(294.00, 0.4712, 6*tib))},
		{101, "ccx63", "CCX63", general, 48, 192, 960, dedicated, ArchX86, join(eu(287.99, 0.4615, 60), us(299.99, 0.4808, 8*tib), sin(482.00, 0.7724, 8*tib))},
		// CPX gen 2 (AMD, shared): EU and Singapore.
		{108, "cpx12", "CPX12", regular, 1, 2, 40, shared, ArchX86, join(eu(3.99, 0.0064, 20), sin(5.99, 0.0096, tib/2))},
		{109, "cpx22", "CPX22", regular, 2, 4, 80, shared, ArchX86, join(eu(5.99, 0.0096, 20), sin(11.99, 0.0192, 1*tib))},
		{110, "cpx32", "CPX32", regular, 4, 8, 160, shared, ArchX86, join(eu(10.49, 0.0168, 20), sin(24.99, 0.0400, 2*tib))},
		{111, "cpx42", "CPX42", regular, 8, 16, 320, shared, ArchX86, join(eu(19.49, 0.0312, 20), sin(42.99, 0.0689, 3*tib))},
		{112, "cpx52", "CPX52", regular, 12, 24, 480, shared, ArchX86, join(eu(27.99, 0.0449, 20), sin(59.99, 0.0961, 4*tib))},
		{113, "cpx62", "CPX62", regular, 16, 32, 640, shared, ArchX86, join(eu(38.49, 0.0617, 20), sin(76.99, 0.1234, 5*tib))},
		// CX gen 3 (Intel/AMD, shared): EU only.
		{114, "cx23", "CX23", costOpt, 2, 4, 40, shared, ArchX86, eu(2.99, 0.0048, 20)},
		{115, "cx33", "CX33", costOpt, 4, 8, 80, shared, ArchX86, eu(4.99, 0.0080, 20)},
		{116, "cx43", "CX43", costOpt, 8, 16, 160, shared, ArchX86, eu(8.99, 0.0144, 20)},
		{117, "cx53", "CX53", costOpt, 16, 32, 320, shared, ArchX86, eu(16.99, 0.0272, 20)},
	}
	out := make([]ServerType, 0, len(specs))
	for _, s := range specs {
		locs := make([]ServerTypeLocation, 0, len(s.offers))
		for _, o := range s.offers {
			stl := ServerTypeLocation{ID: locationIDs[o.loc], Name: o.loc, Available: true, Recommended: true}
			if o.deprecated {
				stl.Available, stl.Recommended, stl.Deprecation = false, false, cpxGen1Deprecation
			}
			locs = append(locs, stl)
		}
		slices.SortFunc(locs, func(a, b ServerTypeLocation) int { return cmp.Compare(a.ID, b.ID) })
		out = append(out, ServerType{
			ID:           s.id,
			Name:         s.name,
			Description:  s.desc,
			Category:     s.category,
			Cores:        s.cores,
			Memory:       s.memory,
			Disk:         s.disk,
			Deprecated:   false, // no seeded type is deprecated in every location
			Prices:       prices(s.offers),
			StorageType:  "local",
			CPUType:      s.cpuType,
			Architecture: s.arch,
			Deprecation:  nil,
			Locations:    locs,
		})
	}
	slices.SortFunc(out, func(a, b ServerType) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func loadBalancerTypes() []LoadBalancerType {
	specs := []struct {
		id                              int64
		name, desc                      string
		conns, services, targets, certs int64
		euMonthly, euHourly             float64
		sinMonthly, sinHourly           float64
		outsideEUTrafficTiB             int64
	}{
		{1, "lb11", "LB11", 10_000, 5, 25, 10, 5.39, 0.0086, 9.49, 0.0152, 1},
		{2, "lb21", "LB21", 20_000, 15, 75, 25, 16.40, 0.0263, 26.49, 0.0425, 2},
		{3, "lb31", "LB31", 40_000, 30, 150, 50, 32.90, 0.0527, 52.49, 0.0841, 3},
	}
	out := make([]LoadBalancerType, 0, len(specs))
	for _, s := range specs {
		offers := join(
			eu(s.euMonthly, s.euHourly, 20),
			us(s.euMonthly, s.euHourly, s.outsideEUTrafficTiB*tib),
			sin(s.sinMonthly, s.sinHourly, s.outsideEUTrafficTiB*tib),
		)
		out = append(out, LoadBalancerType{
			ID:                      s.id,
			Name:                    s.name,
			Description:             s.desc,
			MaxConnections:          s.conns,
			MaxServices:             s.services,
			MaxTargets:              s.targets,
			MaxAssignedCertificates: s.certs,
			Prices:                  prices(offers),
			Deprecated:              nil,
			Deprecation:             nil,
		})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func isos() []ISO {
	public := "public"
	iso := func(id int64, name, desc, arch string, dep *DeprecationInfo) ISO {
		return ISO{ID: id, Name: ptr(name), Description: desc, Type: ptr(public), Architecture: ptr(arch), Deprecation: dep}
	}
	// Every public ISO carries an architecture: the pinned CLI e2e test
	// TestISO/list/table requires "arm" or "x86" in every row, and passes
	// against the live API.
	return []ISO{
		iso(7631, "SW_DVD9_Win_Server_STD_CORE_2016_64Bit_English_-4_DC_STD_MLF_X21-70526.iso", "Windows Server 2016 English", ArchX86,
			&DeprecationInfo{Announced: "2026-07-01T00:00:00Z", UnavailableAfter: "2027-01-12T00:00:00Z"}),
		iso(21304, "SW_DVD9_Win_Server_STD_CORE_2019_1809.11_64Bit_English_DC_STD_MLF_X22-51041.iso", "Windows Server 2019 English", ArchX86, nil),
		iso(93121, "SW_DVD9_Win_Server_STD_CORE_2022__64Bit_English_DC_STD_MLF_X22-74290.iso", "Windows Server 2022 English", ArchX86, nil),
		iso(93122, "SW_DVD9_Win_Server_STD_CORE_2022__64Bit_German_DC_STD_MLF_X22-74292.iso", "Windows Server 2022 German", ArchX86, nil),
		iso(118512, "virtio-win-0.1.271.iso", "virtio-win-0.1.271", ArchX86, nil),
		iso(121004, "nixos-minimal-25.05-x86_64-linux.iso", "NixOS 25.05 (x86_64)", ArchX86, nil),
		iso(121005, "nixos-minimal-25.05-aarch64-linux.iso", "NixOS 25.05 (aarch64)", ArchARM, nil),
		iso(122310, "alpine-virt-3.22.1-aarch64.iso", "Alpine Linux 3.22.1 virt (aarch64)", ArchARM, nil),
	}
}

// Image ids are synthetic except ubuntu-24.04, which has the live API's ids
// (161547269 x86 / 161547270 arm; the hcloud CLI e2e tests default to the
// x86 one). The store hands out snapshot and backup ids above the largest
// catalog id, so they cannot clash.
const (
	ImageIDUbuntu2404X86 int64 = 161547269
	ImageIDUbuntu2404ARM int64 = 161547270
)

func images() []Image {
	sys := func(id int64, arch, name, desc, flavor, version, created string, dep *DeprecationInfo) Image {
		img := Image{
			ID:           id,
			Type:         ImageTypeSystem,
			Status:       ImageStatusAvailable,
			Name:         ptr(name),
			Description:  desc,
			ImageSize:    nil,
			DiskSize:     5,
			Created:      created,
			CreatedFrom:  nil,
			BoundTo:      nil,
			OSFlavor:     flavor,
			OSVersion:    ptr(version),
			Architecture: arch,
			RapidDeploy:  true,
			Protection:   Protection{Delete: false},
			Labels:       map[string]string{},
			Deleted:      nil,
		}
		if dep != nil {
			img.Deprecation = dep
			img.Deprecated = ptr(dep.Announced)
		}
		return img
	}
	app := func(id int64, arch, name, created string, disk float64) Image {
		img := sys(id, arch, name, name, "ubuntu", "unknown", created, nil)
		img.Type = ImageTypeApp
		img.DiskSize = disk
		return img
	}
	// pair returns the x86 image (id) and the arm image (id+1) of a system
	// image.
	pair := func(id int64, name, desc, flavor, version, createdX86, createdARM string, dep *DeprecationInfo) []Image {
		return []Image{
			sys(id, ArchX86, name, desc, flavor, version, createdX86, dep),
			sys(id+1, ArchARM, name, desc, flavor, version, createdARM, dep),
		}
	}
	// ubuntu-20.04 left Hetzner's portfolio on 2025-05-31 (status.hetzner.com
	// notice quoted in frappe/press#2974); debian-11's dates are invented
	// (Debian 11 LTS ended 2026-08-31) so that one deprecated image is still
	// inside its grace period.
	ubuntu2004Dep := &DeprecationInfo{Announced: "2025-04-30T09:00:00Z", UnavailableAfter: "2025-05-31T00:00:00Z"}
	debian11Dep := &DeprecationInfo{Announced: "2026-08-31T09:00:00Z", UnavailableAfter: "2027-02-28T00:00:00Z"}
	return slices.Concat(
		pair(1001, "ubuntu-20.04", "Ubuntu 20.04", "ubuntu", "20.04", "2020-04-23T10:31:17Z", "2023-04-12T09:12:33Z", ubuntu2004Dep),
		pair(1011, "ubuntu-22.04", "Ubuntu 22.04", "ubuntu", "22.04", "2022-04-21T13:32:38Z", "2023-04-12T09:13:02Z", nil),
		pair(ImageIDUbuntu2404X86, "ubuntu-24.04", "Ubuntu 24.04", "ubuntu", "24.04", "2024-04-25T13:26:27Z", "2024-04-25T13:26:47Z", nil),
		pair(1031, "debian-11", "Debian 11", "debian", "11", "2021-08-16T11:12:01Z", "2023-04-12T09:14:10Z", debian11Dep),
		pair(1041, "debian-12", "Debian 12", "debian", "12", "2023-06-13T06:00:00Z", "2023-06-13T06:00:32Z", nil),
		pair(1051, "debian-13", "Debian 13", "debian", "13", "2025-08-12T07:45:10Z", "2025-08-12T07:45:41Z", nil),
		pair(1061, "fedora-42", "Fedora 42", "fedora", "42", "2025-04-17T08:20:04Z", "2025-04-17T08:20:39Z", nil),
		pair(1071, "fedora-43", "Fedora 43", "fedora", "43", "2025-10-29T09:02:51Z", "2025-10-29T09:03:24Z", nil),
		pair(1081, "rocky-9", "Rocky Linux 9", "rocky", "9", "2022-07-20T07:43:33Z", "2023-04-12T09:15:27Z", nil),
		pair(1091, "rocky-10", "Rocky Linux 10", "rocky", "10", "2025-06-16T08:11:52Z", "2025-06-16T08:12:20Z", nil),
		pair(1101, "alma-9", "AlmaLinux 9", "alma", "9", "2022-05-27T08:51:18Z", "2023-04-12T09:16:05Z", nil),
		pair(1111, "alma-10", "AlmaLinux 10", "alma", "10", "2025-06-02T08:30:47Z", "2025-06-02T08:31:15Z", nil),
		pair(1121, "centos-stream-9", "CentOS Stream 9", "centos", "9", "2022-01-10T10:00:15Z", "2023-04-12T09:16:44Z", nil),
		pair(1131, "centos-stream-10", "CentOS Stream 10", "centos", "10", "2025-01-21T08:40:09Z", "2025-01-21T08:40:37Z", nil),
		pair(1141, "opensuse-15", "openSUSE Leap 15", "opensuse", "15", "2024-06-24T07:58:31Z", "2024-06-24T07:59:02Z", nil),
		[]Image{
			// docker-ce: created and disk_size from a live server response.
			app(2001, ArchX86, "docker-ce", "2021-06-08T06:22:47Z", 40),
			app(2002, ArchARM, "docker-ce", "2023-04-12T09:20:11Z", 40),
			app(2011, ArchX86, "wordpress", "2021-06-08T06:24:05Z", 40),
		},
	)
}

func pricing(locs []Location, types []ServerType, lbts []LoadBalancerType) Pricing {
	p := Pricing{
		Currency:     "EUR",
		VATRate:      vatRate,
		Image:        PricingPerGBMonth{PricePerGBMonth: e(0.0110).price()},
		Volume:       PricingPerGBMonth{PricePerGBMonth: e(0.0440).price()},
		ServerBackup: PricingServerBackup{Percentage: "20.00"},
		FloatingIP:   PricingFloatingIP{PriceMonthly: e(3.00).price()},
	}
	names := make([]string, 0, len(locs))
	for _, l := range locs {
		names = append(names, l.Name)
	}
	slices.Sort(names)
	floating := func(monthly eur4) []PricePerTimeMonthly {
		out := make([]PricePerTimeMonthly, 0, len(names))
		for _, n := range names {
			out = append(out, PricePerTimeMonthly{Location: n, PriceMonthly: monthly.price()})
		}
		return out
	}
	primary := func(monthly, hourly eur4) []PricePerTimeWithoutTraffic {
		out := make([]PricePerTimeWithoutTraffic, 0, len(names))
		for _, n := range names {
			out = append(out, PricePerTimeWithoutTraffic{Location: n, PriceHourly: hourly.price(), PriceMonthly: monthly.price()})
		}
		return out
	}
	p.FloatingIPs = []PricingFloatingIPType{
		{Type: "ipv4", Prices: floating(e(3.00))},
		{Type: "ipv6", Prices: floating(e(3.00))},
	}
	p.PrimaryIPs = []PricingPrimaryIPType{
		{Type: "ipv4", Prices: primary(e(0.50), e(0.0008))},
		{Type: "ipv6", Prices: primary(0, 0)},
	}
	p.ServerTypes = make([]PricingServerType, 0, len(types))
	for _, st := range types {
		p.ServerTypes = append(p.ServerTypes, PricingServerType{ID: st.ID, Name: st.Name, Prices: st.Prices})
	}
	p.LoadBalancerTypes = make([]PricingLoadBalancerType, 0, len(lbts))
	for _, lt := range lbts {
		p.LoadBalancerTypes = append(p.LoadBalancerTypes, PricingLoadBalancerType{ID: lt.ID, Name: lt.Name, Prices: lt.Prices})
	}
	return p
}
