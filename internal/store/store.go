// Package store holds the fake's state: one project per token, each with typed collections,
// the action engine and the domain rules of every resource. It knows nothing of HTTP: its
// methods take typed requests, return copies, and fail with *Error carrying Hetzner's code.
package store

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// Store is the state of one fake server: its projects, id sequences, clock and catalog.
type Store struct {
	clock   *Clock
	catalog *catalog.Catalog

	actionDuration atomic.Pointer[ActionDuration]
	limits         atomic.Pointer[Limits] // per project, by collection name (limits.go)

	mu       sync.RWMutex
	projects map[string]*Project

	idMu sync.Mutex
	ids  map[string]int64 // last id handed out per kind; server-wide, never reused
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read time from c.
func WithClock(c *Clock) Option { return func(s *Store) { s.clock = c } }

// WithActionDuration sets how long new actions run.
func WithActionDuration(d ActionDuration) Option {
	return func(s *Store) { s.actionDuration.Store(&d) }
}

// New returns an empty store over the shared catalog.
func New(cat *catalog.Catalog, opts ...Option) *Store {
	s := &Store{catalog: cat, projects: map[string]*Project{}, ids: map[string]int64{}}
	s.actionDuration.Store(&ActionDuration{})
	defaultLimits := DefaultLimits()
	s.limits.Store(&defaultLimits)
	for _, o := range opts {
		o(s)
	}
	if s.clock == nil {
		s.clock = NewClock(nil)
	}
	for _, img := range cat.Images { // snapshots and backups get ids above the catalog's
		s.ids["image"] = max(s.ids["image"], img.ID)
	}
	return s
}

// Clock is the store's clock.
func (s *Store) Clock() *Clock { return s.clock }

// Catalog is the read-only catalog.
func (s *Store) Catalog() *catalog.Catalog { return s.catalog }

// ActionDuration is how long new actions run.
func (s *Store) ActionDuration() ActionDuration { return *s.actionDuration.Load() }

// SetActionDuration changes how long new actions run; running ones keep their due time.
func (s *Store) SetActionDuration(d ActionDuration) { s.actionDuration.Store(&d) }

// nextID hands out the next id of a kind. Ids are unique across projects, as the real API's.
func (s *Store) nextID(kind string) int64 {
	s.idMu.Lock()
	defer s.idMu.Unlock()
	s.ids[kind]++
	return s.ids[kind]
}

// Project returns the project with this key, creating it empty on first use.
func (s *Store) Project(key string) *Project {
	s.mu.RLock()
	p := s.projects[key]
	s.mu.RUnlock()
	if p != nil {
		return p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p = s.projects[key]; p == nil {
		p = newProject(s, key)
		s.projects[key] = p
	}
	return p
}

// projectList returns the projects ordered by key.
func (s *Store) projectList() []*Project {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Project, 0, len(s.projects))
	for _, p := range s.projects {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// Reset wipes every project. Id sequences go on, so ids are never reused.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.projects = map[string]*Project{}
}

// Tick finishes the due actions of every project (after the clock moved).
func (s *Store) Tick() {
	for _, p := range s.projectList() {
		p.mu.Lock()
		p.tick()
		p.mu.Unlock()
	}
}

// Project is one project's state, guarded by its own lock.
type Project struct {
	store *Store
	key   string

	mu      sync.Mutex
	sshKeys collection[SSHKey]
	actions collection[actionState]

	servers         collection[serverState]
	primaryIPs      collection[PrimaryIP]
	floatingIPs     collection[floatingIPState]
	placementGroups collection[PlacementGroup]
	ownImages       collection[userImage] // the project's snapshots and backups
	networks        collection[networkState]
	firewalls       collection[firewallState]
	certificates    collection[Certificate]
	volumes         collection[volumeState]
	loadBalancers   collection[loadBalancerState]

	zones  collection[zoneState] // Cloud DNS zones with their rrsets
	legacy legacyDNS             // the legacy DNS API's zones, records and primary servers

	running map[int64]struct{} // ids of running actions
}

func newProject(s *Store, key string) *Project {
	return &Project{
		store:   s,
		key:     key,
		sshKeys: newCollection(func(k SSHKey) string { return k.Name }, func(k SSHKey) string { return k.Fingerprint }),
		actions: newCollection[actionState](),

		servers:         newCollection(func(s serverState) string { return s.Name }),
		primaryIPs:      newCollection(func(ip PrimaryIP) string { return ip.Name }),
		floatingIPs:     newCollection(func(f floatingIPState) string { return f.Name }),
		placementGroups: newCollection(func(g PlacementGroup) string { return g.Name }),
		ownImages:       newCollection[userImage](),
		networks:        newCollection(func(n networkState) string { return n.Name }),
		firewalls:       newCollection(func(f firewallState) string { return f.Name }),
		certificates:    newCollection(func(c Certificate) string { return c.Name }),
		volumes:         newCollection(func(v volumeState) string { return v.Name }),
		loadBalancers:   newCollection(func(lb loadBalancerState) string { return lb.Name }),

		zones:  newCollection(func(z zoneState) string { return z.Name }),
		legacy: newLegacyDNS(),

		running: map[int64]struct{}{},
	}
}

// lock takes the project's lock and finishes the actions that are due, as every project
// operation does first; it returns the unlock: defer p.lock()().
func (p *Project) lock() (unlock func()) {
	p.mu.Lock()
	p.tick()
	return p.mu.Unlock
}

// Key names the project (a hash of its token, never the token).
func (p *Project) Key() string { return p.key }

// now is the time stamped on resources: the clock's, to the second as the API shows it.
func (p *Project) now() time.Time { return p.store.clock.Now().Truncate(time.Second) }
