package testkit_test

// Compatibility of the fake with the real Go client, hcloud-go v2.52.0: what the client does
// with the fake's answers is the authority on whether they are right.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// newClient is the real client against the fake, polling every millisecond.
func newClient(srv *testkit.Server, opts ...hcloud.ClientOption) *hcloud.Client {
	base := []hcloud.ClientOption{
		hcloud.WithEndpoint(srv.URL),
		hcloud.WithToken(srv.Token),
		hcloud.WithPollOpts(hcloud.PollOpts{BackoffFunc: hcloud.ConstantBackoff(time.Millisecond)}),
		hcloud.WithHTTPClient(srv.HTTPClient()),
	}
	return hcloud.NewClient(append(base, opts...)...)
}

// publicKey returns a fresh ed25519 key in authorized_keys form.
func publicKey(t testing.TB) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return string(ssh.MarshalAuthorizedKey(sshPub))
}

var correlationIDPattern = regexp.MustCompile(`^[0-9a-f]{16,32}$`)

// requireAPIError asserts err is an API error with code, carrying the response's correlation id.
func requireAPIError(t *testing.T, err error, code hcloud.ErrorCode) hcloud.Error {
	t.Helper()
	require.Error(t, err)
	require.Truef(t, hcloud.IsError(err, code), "want %s, got %v", code, err)
	var apiErr hcloud.Error
	require.True(t, errors.As(err, &apiErr))
	require.NotNil(t, apiErr.Response(), "the error keeps its response")
	id := apiErr.Response().Header.Get("X-Correlation-Id")
	require.Regexp(t, correlationIDPattern, id)
	require.Contains(t, err.Error(), fmt.Sprintf("(%s, %s)", code, id), "hcloud-go prints the correlation id")
	return apiErr
}

func TestHcloudGoCatalog(t *testing.T) {
	srv := testkit.New(t)
	client := newClient(srv)
	ctx := context.Background()

	locs, err := client.Location.All(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, locs)
	names := map[string]bool{}
	for _, l := range locs {
		names[l.Name] = true
		assert.NotEmpty(t, l.NetworkZone, l.Name)
	}
	for _, n := range []string{"fsn1", "nbg1", "hel1", "ash", "hil", "sin"} {
		assert.True(t, names[n], "location %s listed", n)
	}
	fsn1, _, err := client.Location.GetByName(ctx, "fsn1")
	require.NoError(t, err)
	require.NotNil(t, fsn1)
	assert.Equal(t, hcloud.NetworkZoneEUCentral, fsn1.NetworkZone)
	assert.Equal(t, "DE", fsn1.Country)
	byID, _, err := client.Location.GetByID(ctx, fsn1.ID)
	require.NoError(t, err)
	require.NotNil(t, byID)
	assert.Equal(t, "fsn1", byID.Name)
	missing, _, err := client.Location.GetByName(ctx, "nowhere")
	require.NoError(t, err)
	assert.Nil(t, missing)

	dcs, err := client.Datacenter.All(ctx) //nolint:staticcheck // deprecated upstream, still served
	require.NoError(t, err)
	require.NotEmpty(t, dcs)
	for _, dc := range dcs {
		require.NotNil(t, dc.Location, dc.Name)
		assert.True(t, names[dc.Location.Name], "datacenter %s sits in a listed location", dc.Name)
	}

	cpx22, _, err := client.ServerType.GetByName(ctx, "cpx22")
	require.NoError(t, err)
	require.NotNil(t, cpx22)
	assert.Equal(t, hcloud.ArchitectureX86, cpx22.Architecture)
	assert.Equal(t, 2, cpx22.Cores)
	require.NotEmpty(t, cpx22.Pricings)
	for _, p := range cpx22.Pricings {
		require.NotNil(t, p.Location)
		assert.NotEmpty(t, p.Hourly.Net, p.Location.Name)
		assert.NotEmpty(t, p.Monthly.Gross, p.Location.Name)
		assert.Positive(t, p.IncludedTraffic, p.Location.Name)
	}
	require.NotEmpty(t, cpx22.Locations)
	available := false
	for _, l := range cpx22.Locations {
		require.NotNil(t, l.Location)
		if l.Location.Name == "fsn1" && l.Available {
			available = true
		}
	}
	assert.True(t, available, "cpx22 is available in fsn1")

	lbt, _, err := client.LoadBalancerType.GetByName(ctx, "lb11")
	require.NoError(t, err)
	require.NotNil(t, lbt)
	assert.Equal(t, 5, lbt.MaxServices)
	assert.NotEmpty(t, lbt.Pricings)
	lbts, err := client.LoadBalancerType.All(ctx)
	require.NoError(t, err)
	assert.Len(t, lbts, len(catalog.Default().LoadBalancerTypes))

	isos, err := client.ISO.All(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, isos)
	for _, iso := range isos {
		assert.NotEmpty(t, iso.Name, iso.ID)
	}

	x86, _, err := client.Image.GetByNameAndArchitecture(ctx, "ubuntu-24.04", hcloud.ArchitectureX86)
	require.NoError(t, err)
	require.NotNil(t, x86)
	assert.Equal(t, catalog.ImageIDUbuntu2404X86, x86.ID)
	assert.Equal(t, hcloud.ArchitectureX86, x86.Architecture)
	assert.Equal(t, hcloud.ImageTypeSystem, x86.Type)
	arm, _, err := client.Image.GetByNameAndArchitecture(ctx, "ubuntu-24.04", hcloud.ArchitectureARM)
	require.NoError(t, err)
	require.NotNil(t, arm)
	assert.Equal(t, catalog.ImageIDUbuntu2404ARM, arm.ID)
	assert.Equal(t, hcloud.ArchitectureARM, arm.Architecture)

	// Deprecated images are hidden unless asked for; the client's name lookup asks for them.
	armSystem, err := client.Image.AllWithOpts(ctx, hcloud.ImageListOpts{
		Type: []hcloud.ImageType{hcloud.ImageTypeSystem}, Architecture: []hcloud.Architecture{hcloud.ArchitectureARM},
	})
	require.NoError(t, err)
	require.NotEmpty(t, armSystem)
	withDeprecated, err := client.Image.AllWithOpts(ctx, hcloud.ImageListOpts{
		Type: []hcloud.ImageType{hcloud.ImageTypeSystem}, Architecture: []hcloud.Architecture{hcloud.ArchitectureARM},
		IncludeDeprecated: true,
	})
	require.NoError(t, err)
	assert.Greater(t, len(withDeprecated), len(armSystem), "include_deprecated adds the deprecated images")
	for _, img := range armSystem {
		assert.Equal(t, hcloud.ImageTypeSystem, img.Type, img.Name)
		assert.Equal(t, hcloud.ArchitectureARM, img.Architecture, img.Name)
		assert.False(t, img.IsDeprecated(), img.Name)
	}
	deprecated := 0
	for _, img := range withDeprecated {
		if img.IsDeprecated() {
			deprecated++
		}
	}
	assert.Equal(t, len(withDeprecated)-len(armSystem), deprecated)
	apps, err := client.Image.AllWithOpts(ctx, hcloud.ImageListOpts{Type: []hcloud.ImageType{hcloud.ImageTypeApp}})
	require.NoError(t, err)
	require.NotEmpty(t, apps)
	for _, img := range apps {
		assert.Equal(t, hcloud.ImageTypeApp, img.Type, img.Name)
	}

	pricing, _, err := client.Pricing.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "EUR", pricing.Currency)
	assert.NotEmpty(t, pricing.VATRate)
	assert.NotEmpty(t, pricing.Image.PerGBMonth.Net)
	assert.NotEmpty(t, pricing.PrimaryIPs)
	found := false
	for _, st := range pricing.ServerTypes {
		if st.ServerType != nil && st.ServerType.Name == "cpx22" {
			found = true
			assert.NotEmpty(t, st.Pricings)
		}
	}
	assert.True(t, found, "pricing lists cpx22")
}

func TestHcloudGoSSHKeyCRUD(t *testing.T) {
	srv := testkit.New(t)
	client := newClient(srv)
	ctx := context.Background()

	pub := publicKey(t)
	created, resp, err := client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{
		Name: "laptop", PublicKey: pub, Labels: map[string]string{"env": "prod", "team": "a"},
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	require.NotZero(t, created.ID)
	assert.Equal(t, "laptop", created.Name)
	assert.Regexp(t, `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`, created.Fingerprint)
	assert.Equal(t, map[string]string{"env": "prod", "team": "a"}, created.Labels)
	assert.False(t, created.Created.IsZero())

	other, _, err := client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{
		Name: "ci", PublicKey: publicKey(t), Labels: map[string]string{"env": "dev"},
	})
	require.NoError(t, err)

	got, _, err := client.SSHKey.GetByID(ctx, created.ID)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, created.Fingerprint, got.Fingerprint)
	assert.Equal(t, created.PublicKey, got.PublicKey)

	got, _, err = client.SSHKey.GetByName(ctx, "laptop")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, created.ID, got.ID)

	got, _, err = client.SSHKey.GetByFingerprint(ctx, created.Fingerprint)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, created.ID, got.ID)

	got, _, err = client.SSHKey.Get(ctx, strconv.FormatInt(other.ID, 10))
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "ci", got.Name)

	prod, _, err := client.SSHKey.List(ctx, hcloud.SSHKeyListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "env=prod"}})
	require.NoError(t, err)
	require.Len(t, prod, 1)
	assert.Equal(t, created.ID, prod[0].ID)
	notProd, err := client.SSHKey.AllWithOpts(ctx, hcloud.SSHKeyListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "env!=prod"}})
	require.NoError(t, err)
	require.Len(t, notProd, 1)
	assert.Equal(t, other.ID, notProd[0].ID)

	updated, _, err := client.SSHKey.Update(ctx, created, hcloud.SSHKeyUpdateOpts{
		Name: "laptop-2", Labels: map[string]string{"env": "staging"},
	})
	require.NoError(t, err)
	assert.Equal(t, "laptop-2", updated.Name)
	assert.Equal(t, map[string]string{"env": "staging"}, updated.Labels)
	assert.Equal(t, created.Fingerprint, updated.Fingerprint)
	got, _, err = client.SSHKey.GetByName(ctx, "laptop-2")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, map[string]string{"env": "staging"}, got.Labels)
	gone, _, err := client.SSHKey.GetByName(ctx, "laptop")
	require.NoError(t, err)
	assert.Nil(t, gone, "the old name no longer finds the key")

	resp, err = client.SSHKey.Delete(ctx, created)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	got, resp, err = client.SSHKey.GetByID(ctx, created.ID)
	require.NoError(t, err, "hcloud-go maps 404 not_found to nil, nil")
	assert.Nil(t, got)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	all, err := client.SSHKey.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, other.ID, all[0].ID)

	_, err = client.SSHKey.Delete(ctx, created)
	requireAPIError(t, err, hcloud.ErrorCodeNotFound)
}

func TestHcloudGoSSHKeyErrors(t *testing.T) {
	srv := testkit.New(t)
	client := newClient(srv)
	ctx := context.Background()

	pub := publicKey(t)
	first, _, err := client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "taken", PublicKey: pub})
	require.NoError(t, err)

	_, resp, err := client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "taken", PublicKey: publicKey(t)})
	requireAPIError(t, err, hcloud.ErrorCodeUniquenessError)
	assert.Equal(t, http.StatusConflict, resp.StatusCode)

	_, _, err = client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "other-name", PublicKey: pub})
	requireAPIError(t, err, hcloud.ErrorCodeUniquenessError)

	_, resp, err = client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "broken", PublicKey: "ssh-ed25519 not-base64"})
	apiErr := requireAPIError(t, err, hcloud.ErrorCodeInvalidInput)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	details, ok := apiErr.Details.(hcloud.ErrorDetailsInvalidInput)
	require.Truef(t, ok, "details are parsed as invalid input fields, got %T", apiErr.Details)
	require.Len(t, details.Fields, 1)
	assert.Equal(t, "public_key", details.Fields[0].Name)
	assert.NotEmpty(t, details.Fields[0].Messages)

	// Renaming onto a taken name clashes as well.
	second, _, err := client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "second", PublicKey: publicKey(t)})
	require.NoError(t, err)
	_, _, err = client.SSHKey.Update(ctx, second, hcloud.SSHKeyUpdateOpts{Name: first.Name})
	requireAPIError(t, err, hcloud.ErrorCodeUniquenessError)

	got, resp, err := client.SSHKey.GetByID(ctx, 987654321)
	require.NoError(t, err)
	assert.Nil(t, got)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	got, _, err = client.SSHKey.GetByName(ctx, "nobody")
	require.NoError(t, err)
	assert.Nil(t, got)
}

func TestHcloudGoPagination(t *testing.T) {
	srv := testkit.New(t)
	client := newClient(srv)
	ctx := context.Background()

	const total = 120
	var ids []int64
	for i := range total {
		k := srv.CreateSSHKey(t, fmt.Sprintf("key-%03d", i), publicKey(t), nil)
		ids = append(ids, k.ID)
	}

	all, err := client.SSHKey.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, total, "All follows next_page to the end")
	for i, k := range all {
		assert.Equal(t, ids[i], k.ID, "id order at %d", i)
	}

	page, resp, err := client.SSHKey.List(ctx, hcloud.SSHKeyListOpts{ListOpts: hcloud.ListOpts{PerPage: 50, Page: 3}})
	require.NoError(t, err)
	require.Len(t, page, 20)
	assert.Equal(t, ids[100], page[0].ID)
	assert.Equal(t, ids[119], page[19].ID)
	require.NotNil(t, resp.Meta.Pagination)
	assert.Equal(t, hcloud.Pagination{
		Page: 3, PerPage: 50, PreviousPage: 2, NextPage: 0, LastPage: 3, TotalEntries: total,
	}, *resp.Meta.Pagination)

	_, resp, err = client.SSHKey.List(ctx, hcloud.SSHKeyListOpts{})
	require.NoError(t, err)
	assert.Equal(t, hcloud.Pagination{
		Page: 1, PerPage: 25, PreviousPage: 0, NextPage: 2, LastPage: 5, TotalEntries: total,
	}, *resp.Meta.Pagination, "per_page defaults to 25")

	desc, err := client.SSHKey.AllWithOpts(ctx, hcloud.SSHKeyListOpts{Sort: []string{"name:desc"}})
	require.NoError(t, err)
	require.Len(t, desc, total)
	for i, k := range desc {
		assert.Equal(t, fmt.Sprintf("key-%03d", total-1-i), k.Name)
	}
	asc, _, err := client.SSHKey.List(ctx, hcloud.SSHKeyListOpts{Sort: []string{"name:asc"}, ListOpts: hcloud.ListOpts{PerPage: 2}})
	require.NoError(t, err)
	require.Len(t, asc, 2)
	assert.Equal(t, "key-000", asc[0].Name)
	assert.Equal(t, "key-001", asc[1].Name)
}

func TestHcloudGoReadOnlyToken(t *testing.T) {
	// Both tokens name the project "same-project", so they see the same state.
	srv := testkit.New(t, testkit.WithTokens("rw-token@same-project", "ro-token:ro@same-project"))
	require.Equal(t, "rw-token", srv.Token)
	ctx := context.Background()
	rw := newClient(srv)
	ro := newClient(srv, hcloud.WithToken("ro-token"))

	seeded := srv.CreateSSHKey(t, "seeded", publicKey(t), nil)
	viaRW, _, err := rw.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "via-rw", PublicKey: publicKey(t)})
	require.NoError(t, err)

	keys, err := ro.SSHKey.All(ctx)
	require.NoError(t, err, "a read-only token may read")
	require.Len(t, keys, 2, "the read-only token sees the project the rw token and the testkit seed into")
	assert.Equal(t, seeded.ID, keys[0].ID)
	assert.Equal(t, viaRW.ID, keys[1].ID)
	assert.Same(t, srv.Project(), srv.ProjectOf("ro-token"))

	_, resp, err := ro.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "denied", PublicKey: publicKey(t)})
	requireAPIError(t, err, hcloud.ErrorCodeForbidden)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, err = ro.SSHKey.Delete(ctx, viaRW)
	requireAPIError(t, err, hcloud.ErrorCodeForbidden)
	keys, err = rw.SSHKey.All(ctx)
	require.NoError(t, err)
	assert.Len(t, keys, 2, "nothing changed")
}

func TestHcloudGoUnauthorized(t *testing.T) {
	ctx := context.Background()
	t.Run("unknown token", func(t *testing.T) {
		srv := testkit.New(t, testkit.WithTokens("the-only-token"))
		_, resp, err := newClient(srv, hcloud.WithToken("wrong")).Location.GetByName(ctx, "fsn1")
		requireAPIError(t, err, hcloud.ErrorCodeUnauthorized)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		loc, _, err := newClient(srv).Location.GetByName(ctx, "fsn1")
		require.NoError(t, err)
		assert.NotNil(t, loc)
	})
	t.Run("no token", func(t *testing.T) {
		srv := testkit.New(t) // any token is accepted, but one is needed
		_, resp, err := newClient(srv, hcloud.WithToken("")).SSHKey.List(ctx, hcloud.SSHKeyListOpts{})
		requireAPIError(t, err, hcloud.ErrorCodeUnauthorized)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
}

func TestHcloudGoRateLimit(t *testing.T) {
	srv := testkit.New(t, testkit.WithRateLimit(5))
	// Without retries the client hands back the 429 instead of backing off for seconds.
	client := newClient(srv, hcloud.WithRetryOpts(hcloud.RetryOpts{MaxRetries: 0}))
	ctx := context.Background()

	for i := range 5 {
		_, resp, err := client.Location.List(ctx, hcloud.LocationListOpts{})
		require.NoError(t, err, "request %d", i+1)
		assert.Equal(t, 5, resp.Meta.Ratelimit.Limit)
		assert.Equal(t, 4-i, resp.Meta.Ratelimit.Remaining)
		assert.True(t, resp.Meta.Ratelimit.Reset.After(srv.Now().Add(-time.Second)), "reset is not in the past")
	}
	_, resp, err := client.Location.List(ctx, hcloud.LocationListOpts{})
	requireAPIError(t, err, hcloud.ErrorCodeRateLimitExceeded)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, 0, resp.Meta.Ratelimit.Remaining)

	other := newClient(srv, hcloud.WithToken("another-project"), hcloud.WithRetryOpts(hcloud.RetryOpts{MaxRetries: 0}))
	_, _, err = other.Location.List(ctx, hcloud.LocationListOpts{})
	require.NoError(t, err, "each project has its own bucket")

	srv.AdvanceClock(time.Hour)
	_, resp, err = client.Location.List(ctx, hcloud.LocationListOpts{})
	require.NoError(t, err, "an hour refills the bucket")
	assert.Equal(t, 4, resp.Meta.Ratelimit.Remaining)
}

// pollCounter counts the action polls a client sends and signals the first answered one.
type pollCounter struct {
	base      http.RoundTripper
	polls     atomic.Int32
	firstPoll chan struct{}
}

func newPollCounter(base http.RoundTripper) *pollCounter {
	return &pollCounter{base: base, firstPoll: make(chan struct{})}
}

func (p *pollCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(r)
	// The answer's status was decided before its headers arrived, so whatever the test does
	// after firstPoll cannot change what this poll saw.
	if err == nil && r.Method == http.MethodGet && r.URL.Path == "/v1/actions" && p.polls.Add(1) == 1 {
		close(p.firstPoll)
	}
	return resp, err
}

// afterFirstPoll runs fn once the first poll has been answered (or not at all when ctx ends
// first); the returned channel closes when it is done.
func (p *pollCounter) afterFirstPoll(ctx context.Context, fn func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-p.firstPoll:
			fn()
		case <-ctx.Done():
		}
	}()
	return done
}

// waiterClient is a client whose action polls are counted.
func waiterClient(srv *testkit.Server) (*hcloud.Client, *pollCounter) {
	counter := newPollCounter(srv.HTTPClient().Transport)
	return newClient(srv, hcloud.WithHTTPClient(&http.Client{Transport: counter})), counter
}

// seedRunning starts an action in Token's project and reads it back through the client.
func seedRunning(t *testing.T, srv *testkit.Server, client *hcloud.Client, id int64) *hcloud.Action {
	t.Helper()
	seeded := srv.Project().StartAction("create_server", store.ActionResource{ID: id, Type: "server"})
	require.Equal(t, store.ActionStatusRunning, seeded.Status)
	a, _, err := client.Action.GetByID(context.Background(), seeded.ID)
	require.NoError(t, err)
	require.NotNil(t, a)
	return a
}

func TestHcloudGoActionWaiter(t *testing.T) {
	frozen := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

	t.Run("instant", func(t *testing.T) {
		srv := testkit.New(t)
		client, counter := waiterClient(srv)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		seeded := srv.Project().StartAction("create_server", store.ActionResource{ID: 1, Type: "server"})
		a := &hcloud.Action{ID: seeded.ID, Status: hcloud.ActionStatus(seeded.Status)} // as a create answer shows it
		require.Equal(t, hcloud.ActionStatusRunning, a.Status)
		require.NoError(t, client.Action.WaitFor(ctx, a))
		assert.EqualValues(t, 1, counter.polls.Load(), "finished at the first poll")
		got, _, err := client.Action.GetByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, hcloud.ActionStatusSuccess, got.Status)
		assert.Equal(t, 100, got.Progress)
		assert.False(t, got.Finished.IsZero())
	})

	t.Run("several at once", func(t *testing.T) {
		srv := testkit.New(t, testkit.WithActionDuration(2*time.Second), testkit.WithTimeSource(frozen))
		client, counter := waiterClient(srv)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		actions := make([]*hcloud.Action, 0, 30) // more than the waiter's chunk of 25
		for i := range 30 {
			actions = append(actions, seedRunning(t, srv, client, int64(i+1)))
		}
		done := counter.afterFirstPoll(ctx, func() { srv.AdvanceClock(2 * time.Second) })
		err := client.Action.WaitFor(ctx, actions...)
		cancel()
		<-done
		require.NoError(t, err)
		assert.GreaterOrEqual(t, counter.polls.Load(), int32(3), "two chunks before the clock moved, then more")
	})

	t.Run("failed", func(t *testing.T) {
		srv := testkit.New(t, testkit.WithManualActions())
		client, counter := waiterClient(srv)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a := seedRunning(t, srv, client, 1)
		var completeErr error
		done := counter.afterFirstPoll(ctx, func() {
			_, completeErr = srv.CompleteAction(a.ID, false, "action_failed", "boom")
		})
		err := client.Action.WaitFor(ctx, a)
		<-done
		require.NoError(t, completeErr)
		var actionErr hcloud.ActionError
		require.Truef(t, errors.As(err, &actionErr), "want an ActionError, got %v", err)
		assert.Equal(t, "action_failed", actionErr.Code)
		assert.Equal(t, "boom", actionErr.Message)
		require.NotNil(t, actionErr.Action())
		assert.Equal(t, a.ID, actionErr.Action().ID)
		assert.GreaterOrEqual(t, counter.polls.Load(), int32(2), "the first poll saw it running")

		got, _, err := client.Action.GetByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, hcloud.ActionStatusError, got.Status)
		assert.Equal(t, "action_failed", got.ErrorCode)
		assert.Equal(t, "boom", got.ErrorMessage)
		assert.False(t, got.Finished.IsZero())
	})

	t.Run("timed", func(t *testing.T) {
		// A frozen wall clock: only AdvanceClock can finish the action.
		srv := testkit.New(t, testkit.WithActionDuration(2*time.Second), testkit.WithTimeSource(frozen))
		client, counter := waiterClient(srv)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a := seedRunning(t, srv, client, 1)
		var halfWay *hcloud.Action
		var halfWayErr error
		done := counter.afterFirstPoll(ctx, func() {
			srv.AdvanceClock(time.Second)
			halfWay, _, halfWayErr = client.Action.GetByID(ctx, a.ID)
			srv.AdvanceClock(time.Second)
		})
		err := client.Action.WaitFor(ctx, a)
		cancel()
		<-done
		require.NoError(t, err)
		require.NoError(t, halfWayErr)
		assert.Equal(t, hcloud.ActionStatusRunning, halfWay.Status, "half way it still runs")
		assert.Equal(t, 50, halfWay.Progress)
		assert.GreaterOrEqual(t, counter.polls.Load(), int32(2), "the first poll saw it running")
		got, _, err := client.Action.GetByID(context.Background(), a.ID)
		require.NoError(t, err)
		assert.Equal(t, hcloud.ActionStatusSuccess, got.Status)
		assert.Equal(t, frozen().Add(2*time.Second), got.Finished.UTC())
		assert.Equal(t, frozen(), got.Started.UTC())
	})

	t.Run("unknown action", func(t *testing.T) {
		srv := testkit.New(t)
		client, _ := waiterClient(srv)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := client.Action.WaitFor(ctx, &hcloud.Action{ID: 424242, Status: hcloud.ActionStatusRunning})
		require.ErrorContains(t, err, "actions not found: [424242]")
	})
}

func TestActionsListByIDAsTheWaiterAsks(t *testing.T) {
	srv := testkit.New(t, testkit.WithManualActions())
	p := srv.Project()
	a := p.StartAction("create_server", store.ActionResource{ID: 1, Type: "server"})
	b := p.StartAction("start_server", store.ActionResource{ID: 1, Type: "server"})
	c := p.StartAction("create_server", store.ActionResource{ID: 2, Type: "server"})
	_, err := srv.CompleteAction(b.ID, true, "", "")
	require.NoError(t, err)
	// Another project's action is invisible even by id.
	foreign := srv.ProjectOf("someone-else").StartAction("create_server", store.ActionResource{ID: 3, Type: "server"})

	get := func(query string) (int, map[string]json.RawMessage) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/actions?"+query, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.Token)
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Contains(t, resp.Header.Get("Content-Type"), "application/json")
		var body map[string]json.RawMessage
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		return resp.StatusCode, body
	}

	status, body := get(fmt.Sprintf("id=%d&id=%d&page=1&sort=status&sort=id", a.ID, b.ID))
	require.Equal(t, http.StatusOK, status)
	var actions []store.Action
	require.NoError(t, json.Unmarshal(body["actions"], &actions))
	require.Len(t, actions, 2, "exactly the actions asked for")
	// sort=status: running before success.
	assert.Equal(t, a.ID, actions[0].ID)
	assert.Equal(t, store.ActionStatusRunning, actions[0].Status)
	assert.Equal(t, b.ID, actions[1].ID)
	assert.Equal(t, store.ActionStatusSuccess, actions[1].Status)
	var m struct {
		Pagination store.Pagination `json:"pagination"`
	}
	require.NoError(t, json.Unmarshal(body["meta"], &m))
	assert.Equal(t, 2, m.Pagination.TotalEntries)
	assert.Nil(t, m.Pagination.NextPage)

	status, body = get(fmt.Sprintf("id=%d&id=%d", c.ID, foreign.ID))
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, json.Unmarshal(body["actions"], &actions))
	require.Len(t, actions, 1)
	assert.Equal(t, c.ID, actions[0].ID)

	status, body = get("")
	assert.Equal(t, http.StatusGone, status, "listing without id was removed")
	assert.Contains(t, string(body["error"]), "deprecated_api_endpoint")

	client := newClient(srv)
	for _, id := range []int64{a.ID, b.ID, c.ID} {
		got, _, err := client.Action.GetByID(context.Background(), id)
		require.NoError(t, err)
		require.NotNil(t, got, "action %d stays readable", id)
		assert.Equal(t, id, got.ID)
	}
	got, _, err := client.Action.GetByID(context.Background(), foreign.ID)
	require.NoError(t, err)
	assert.Nil(t, got, "another project's action is not found")
}
