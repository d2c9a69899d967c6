package sdk_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

func TestSSHKeysCreateGetUpdateDelete(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil)
	keys := client.Cloud().SSHKeys()

	created, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: "laptop", PublicKey: publicKey(t, 1), Labels: map[string]string{"env": "prod"}})
	require.NoError(t, err)
	assert.Positive(t, created.ID)
	assert.Equal(t, "laptop", created.Name)
	assert.Regexp(t, `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`, created.Fingerprint)
	assert.Equal(t, map[string]string{"env": "prod"}, created.Labels)
	assert.False(t, created.Created.IsZero())

	got, err := keys.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got)

	// A name alone keeps the labels.
	renamed, err := keys.Update(ctx, created.ID, sdk.SSHKeyUpdateOpts{Name: "desktop"})
	require.NoError(t, err)
	assert.Equal(t, "desktop", renamed.Name)
	assert.Equal(t, map[string]string{"env": "prod"}, renamed.Labels)

	// An empty, non-nil map clears the labels and keeps the name.
	cleared, err := keys.Update(ctx, created.ID, sdk.SSHKeyUpdateOpts{Labels: map[string]string{}})
	require.NoError(t, err)
	assert.Equal(t, "desktop", cleared.Name)
	assert.Empty(t, cleared.Labels)

	byFingerprint, _, err := keys.List(ctx, sdk.SSHKeyListOpts{Fingerprint: created.Fingerprint})
	require.NoError(t, err)
	require.Len(t, byFingerprint, 1)
	assert.Equal(t, created.ID, byFingerprint[0].ID)

	require.NoError(t, keys.Delete(ctx, created.ID))
	_, err = keys.Get(ctx, created.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
	assert.ErrorIs(t, keys.Delete(ctx, created.ID), sdk.ErrNotFound)
}

func TestSSHKeysErrors(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil)
	keys := client.Cloud().SSHKeys()
	_, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: "a", PublicKey: publicKey(t, 1)})
	require.NoError(t, err)

	t.Run("same name is uniqueness_error naming the field", func(t *testing.T) {
		_, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: "a", PublicKey: publicKey(t, 2)})
		var apiErr *sdk.Error
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, sdk.ErrUniqueness)
		assert.Equal(t, 409, apiErr.StatusCode)
		require.Len(t, apiErr.Details.Fields, 1)
		assert.Equal(t, "name", apiErr.Details.Fields[0].Name)
		assert.Regexp(t, `^[0-9a-f]{16,32}$`, apiErr.CorrelationID)
		assert.Contains(t, apiErr.Error(), apiErr.CorrelationID)
	})
	t.Run("same key is uniqueness_error on public_key", func(t *testing.T) {
		_, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: "b", PublicKey: publicKey(t, 1)})
		var apiErr *sdk.Error
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, sdk.ErrUniqueness)
		assert.Equal(t, "public_key", apiErr.Details.Fields[0].Name)
	})
	t.Run("bad key is invalid_input with field messages", func(t *testing.T) {
		_, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: "c", PublicKey: "not a key"})
		var apiErr *sdk.Error
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, sdk.ErrInvalidInput)
		assert.Equal(t, 422, apiErr.StatusCode)
		require.Len(t, apiErr.Details.Fields, 1)
		assert.Equal(t, "public_key", apiErr.Details.Fields[0].Name)
		assert.NotEmpty(t, apiErr.Details.Fields[0].Messages)
		assert.NotErrorIs(t, err, sdk.ErrUniqueness)
	})
	t.Run("bad label is invalid_input", func(t *testing.T) {
		_, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: "d", PublicKey: publicKey(t, 3), Labels: map[string]string{"bad key!": "x"}})
		assert.ErrorIs(t, err, sdk.ErrInvalidInput)
	})
	t.Run("bad selector is invalid_input on label_selector", func(t *testing.T) {
		_, _, err := keys.List(ctx, sdk.SSHKeyListOpts{LabelSelector: "env in (a"})
		var apiErr *sdk.Error
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, sdk.ErrInvalidInput)
		assert.Equal(t, "label_selector", apiErr.Details.Fields[0].Name)
	})
}

func TestSSHKeysPaginationFollowsNextPage(t *testing.T) {
	ctx := context.Background()
	_, client, rec := newClient(t, nil)
	keys := client.Cloud().SSHKeys()
	var want []int64
	for i := range 7 {
		k, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: fmt.Sprintf("key-%d", i), PublicKey: publicKey(t, byte(10+i))})
		require.NoError(t, err)
		want = append(want, k.ID)
	}

	page2, pg, err := keys.List(ctx, sdk.SSHKeyListOpts{Page: 2, PerPage: 3})
	require.NoError(t, err)
	assert.Equal(t, want[3:6], ids(page2))
	assert.Equal(t, 2, pg.Page)
	assert.Equal(t, 3, pg.PerPage)
	assert.Equal(t, 3, pg.LastPage)
	assert.Equal(t, 7, pg.TotalEntries)
	require.NotNil(t, pg.PreviousPage)
	require.NotNil(t, pg.NextPage)
	assert.Equal(t, 1, *pg.PreviousPage)
	assert.Equal(t, 3, *pg.NextPage)

	before := len(rec.seen("/ssh_keys"))
	var got []int64
	for k, err := range keys.All(ctx, sdk.SSHKeyListOpts{PerPage: 3}) {
		require.NoError(t, err)
		got = append(got, k.ID)
	}
	assert.Equal(t, want, got)
	lists := rec.seen("/ssh_keys")[before:]
	require.Len(t, lists, 3, "7 keys at 3 per page are 3 requests")
	for i, r := range lists {
		q, _ := url.ParseQuery(r.RawQuery)
		assert.Equal(t, fmt.Sprint(i+1), q.Get("page"))
		assert.Equal(t, "3", q.Get("per_page"))
	}

	// Stopping early stops fetching.
	before = len(rec.seen("/ssh_keys"))
	for range keys.All(ctx, sdk.SSHKeyListOpts{PerPage: 3}) {
		break
	}
	assert.Len(t, rec.seen("/ssh_keys")[before:], 1)

	// All asks for the largest page by default: one request for 7 keys.
	before = len(rec.seen("/ssh_keys"))
	n := 0
	for _, err := range keys.All(ctx, sdk.SSHKeyListOpts{Sort: []string{"name:desc"}}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 7, n)
	all := rec.seen("/ssh_keys")[before:]
	require.Len(t, all, 1)
	q, _ := url.ParseQuery(all[0].RawQuery)
	assert.Equal(t, "50", q.Get("per_page"))

	// Sort reaches the server.
	sorted, _, err := keys.List(ctx, sdk.SSHKeyListOpts{Sort: []string{"name:desc"}, PerPage: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"key-6", "key-5"}, []string{sorted[0].Name, sorted[1].Name})
}

func TestAllYieldsTheErrorAndStops(t *testing.T) {
	_, client, _ := newClient(t, nil)
	var errs []error
	for _, err := range client.Cloud().SSHKeys().All(context.Background(), sdk.SSHKeyListOpts{Sort: []string{"nonsense"}}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], sdk.ErrInvalidInput)
}

func TestSelectorBuilderIsParsedByTheServer(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil)
	keys := client.Cloud().SSHKeys()
	for i, labels := range []map[string]string{
		{"env": "prod", "tier": "web"},   // k0
		{"env": "prod", "tier": "db"},    // k1
		{"env": "prod", "tier": "cache"}, // k2
		{"env": "prod"},                  // k3
		{"env": "dev", "tier": "web"},    // k4
		{"tier": "web", "team": "a"},     // k5
	} {
		_, err := keys.Create(ctx, sdk.SSHKeyCreateOpts{Name: fmt.Sprintf("k%d", i), PublicKey: publicKey(t, byte(40+i)), Labels: labels})
		require.NoError(t, err)
	}
	base := sdk.Selector().Eq("env", "prod")
	cases := []struct {
		sel  sdk.SelectorBuilder
		text string
		want []string
	}{
		{base.NotIn("tier", "db", "cache"), "env=prod,tier notin (db,cache)", []string{"k0", "k3"}},
		{base.In("tier", "db", "cache"), "env=prod,tier in (db,cache)", []string{"k1", "k2"}},
		{base.Exists("tier"), "env=prod,tier", []string{"k0", "k1", "k2"}},
		{base.NotExists("tier"), "env=prod,!tier", []string{"k3"}},
		{sdk.Selector().NotEq("env", "prod"), "env!=prod", []string{"k4", "k5"}},
		{sdk.Selector(), "", []string{"k0", "k1", "k2", "k3", "k4", "k5"}},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			assert.Equal(t, c.text, c.sel.String())
			var names []string
			for k, err := range keys.All(ctx, sdk.SSHKeyListOpts{LabelSelector: c.sel.String()}) {
				require.NoError(t, err)
				names = append(names, k.Name)
			}
			assert.Equal(t, c.want, names)
		})
	}
	// Builders are values: extending one never changes another.
	assert.Equal(t, "env=prod", base.String())
}

func ids(items []sdk.SSHKey) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}
