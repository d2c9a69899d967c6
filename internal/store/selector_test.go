package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSelectorForms(t *testing.T) {
	labels := map[string]string{"env": "prod", "tier": "web", "empty": "", "example.com/team": "a-b_c.d"}
	for sel, want := range map[string]bool{
		"":                            true,
		"env=prod":                    true,
		"env==prod":                   true,
		"env = prod":                  true,
		"env=dev":                     false,
		"env!=dev":                    true,
		"env!=prod":                   false,
		"missing!=x":                  true, // absent keys match !=
		"env":                         true,
		"missing":                     false,
		"!missing":                    true,
		"!env":                        false,
		"empty":                       true,
		"empty=":                      true,
		"tier in (web,db)":            true,
		"tier in ( db , web )":        true,
		"tier in (db)":                false,
		"tier notin (db,cache)":       true,
		"tier notin (web)":            false,
		"missing notin (x)":           true,
		"missing in (x)":              false,
		"env=prod,tier=web":           true,
		"env=prod,tier=db":            false,
		"env=prod, tier in (web), !x": true,
		"example.com/team=a-b_c.d":    true,
	} {
		s, err := ParseSelector(sel)
		require.NoError(t, err, sel)
		assert.Equal(t, want, s.Matches(labels), sel)
	}
}

func TestParseSelectorRejectsMalformed(t *testing.T) {
	for _, sel := range []string{
		"tier in (web", "tier in web)", "tier in ((web))", "tier between (a,b)", "in (a)",
		",", "env=prod,", "=prod", "!", "! ", "env=a b", "-bad=x", "env=-x-", "tier in (a b)",
		"a=b=c", "tier notin", "tier in", "(env)",
	} {
		_, err := ParseSelector(sel)
		require.Error(t, err, sel)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeInvalidInput, e.Code, sel)
		assert.Equal(t, "label_selector", e.Details.(InvalidFields).Fields[0].Name)
	}
}

func TestValidateLabels(t *testing.T) {
	ok := []map[string]string{
		nil, {}, {"a": ""}, {"a": "b"}, {"example.com/key": "v"}, {"A1-b_c.D": "x.y-z_0"},
		{"k": "0123456789012345678901234567890123456789012345678901234567890ab"}, // 63 characters
	}
	for _, l := range ok {
		assert.NoError(t, ValidateLabels(l), "%v", l)
	}
	bad := []map[string]string{
		{"": "x"}, {"-a": "x"}, {"a-": "x"}, {"a b": "x"}, {"a": "b c"}, {"a": "-b"},
		{"hetzner.cloud/x": "y"}, {"x.hetzner.cloud/y": "z"},
		{"k": "0123456789012345678901234567890123456789012345678901234567890abc"}, // 64 characters
	}
	for _, l := range bad {
		err := ValidateLabels(l)
		require.Error(t, err, "%v", l)
		assert.Equal(t, CodeInvalidInput, err.(*Error).Code)
	}
}

func TestPaginationArithmetic(t *testing.T) {
	items := make([]int64, 101)
	for i := range items {
		items[i] = int64(i + 1)
	}
	id := func(i int64) int64 { return i }
	p, err := List(items, ListOptions{}, nil, nil, nil, id, 0)
	require.NoError(t, err)
	assert.Len(t, p.Items, 25)
	assert.Equal(t, Pagination{Page: 1, PerPage: 25, NextPage: selTestPtr(2), LastPage: 5, TotalEntries: 101}, p.Pagination)

	p, _ = List(items, ListOptions{Page: 5}, nil, nil, nil, id, 0)
	assert.Equal(t, []int64{101}, p.Items)
	assert.Equal(t, Pagination{Page: 5, PerPage: 25, PreviousPage: selTestPtr(4), LastPage: 5, TotalEntries: 101}, p.Pagination)

	p, _ = List(items, ListOptions{PerPage: 100}, nil, nil, nil, id, 0)
	assert.Len(t, p.Items, 50, "clamped to the maximum")
	p, _ = List(items, ListOptions{PerPage: 100}, nil, nil, nil, id, 100)
	assert.Len(t, p.Items, 100, "a larger maximum where the API has one")

	p, _ = List([]int64{}, ListOptions{}, nil, nil, nil, id, 0)
	assert.Equal(t, Pagination{Page: 1, PerPage: 25, LastPage: 1, TotalEntries: 0}, p.Pagination)
	assert.NotNil(t, p.Items)

	p, _ = List(items, ListOptions{Sort: []string{"id:desc"}, PerPage: 3}, func(i int64) bool { return i%2 == 0 }, nil, nil, id, 0)
	assert.Equal(t, []int64{100, 98, 96}, p.Items)
	assert.Equal(t, 50, p.Pagination.TotalEntries)

	_, err = List(items, ListOptions{Sort: []string{"name"}}, nil, nil, nil, id, 0)
	assert.Error(t, err, "a field the resource cannot sort by")
}

func selTestPtr[T any](v T) *T { return &v }
