package store

import (
	"cmp"
	"slices"
	"strings"
)

// ListOptions are the query parameters every list endpoint shares.
type ListOptions struct {
	Page          int      // 1-based; 0 means 1
	PerPage       int      // 0 means the default (25)
	Sort          []string // "field", "field:asc" or "field:desc"; the spec limits the fields
	LabelSelector string
}

// Pagination is meta.pagination of a list answer: exactly the six keys the API sends.
type Pagination struct {
	Page         int  `json:"page"`
	PerPage      int  `json:"per_page"`
	PreviousPage *int `json:"previous_page"`
	NextPage     *int `json:"next_page"`
	LastPage     int  `json:"last_page"`
	TotalEntries int  `json:"total_entries"`
}

// DefaultPerPage and MaxPerPage are the API's page sizes (zone rrsets allow 100).
const (
	DefaultPerPage = 25
	MaxPerPage     = 50
)

// Sorter names the sortable fields of a resource and how to compare them.
type Sorter[T any] map[string]func(a, b T) int

// Page is one page of a list.
type Page[T any] struct {
	Items      []T
	Pagination Pagination
}

// List is the one path every list takes: label selector, filter, sort (default id ascending,
// later keys break ties), then the page. labels may be nil for resources without labels;
// maxPerPage 0 means MaxPerPage. A per_page above the maximum is clamped.
func List[T any](all []T, opts ListOptions, match func(T) bool, labels func(T) map[string]string,
	sorter Sorter[T], id func(T) int64, maxPerPage int) (Page[T], error) {
	sel, err := ParseSelector(opts.LabelSelector)
	if err != nil {
		return Page[T]{}, err
	}
	items := make([]T, 0, len(all))
	for _, it := range all {
		if match != nil && !match(it) {
			continue
		}
		if sel != nil && (labels == nil || !sel.Matches(labels(it))) {
			continue
		}
		items = append(items, it)
	}
	cmps := make([]func(a, b T) int, 0, len(opts.Sort)+1)
	for _, s := range opts.Sort {
		field, dir, _ := strings.Cut(s, ":")
		f, ok := sorter[field]
		if !ok && field == "id" {
			f = func(a, b T) int { return cmp.Compare(id(a), id(b)) }
		}
		if f == nil {
			return Page[T]{}, InvalidField("sort", "Not a valid choice.")
		}
		if dir == "desc" {
			asc := f
			f = func(a, b T) int { return -asc(a, b) }
		}
		cmps = append(cmps, f)
	}
	cmps = append(cmps, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	slices.SortStableFunc(items, func(a, b T) int {
		for _, c := range cmps {
			if r := c(a, b); r != 0 {
				return r
			}
		}
		return 0
	})
	return paginate(items, opts, maxPerPage), nil
}

func paginate[T any](items []T, opts ListOptions, maxPerPage int) Page[T] {
	if maxPerPage <= 0 {
		maxPerPage = MaxPerPage
	}
	perPage := opts.PerPage
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	page := max(opts.Page, 1)
	total := len(items)
	last := max((total+perPage-1)/perPage, 1)
	p := Pagination{Page: page, PerPage: perPage, LastPage: last, TotalEntries: total}
	if page > 1 {
		prev := page - 1
		p.PreviousPage = &prev
	}
	if page < last {
		next := page + 1
		p.NextPage = &next
	}
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	return Page[T]{Items: items[start:end], Pagination: p}
}

// mapPage turns a page of stored values into the page the API shows.
func mapPage[T, U any](pg Page[T], view func(T) U) Page[U] {
	out := Page[U]{Items: make([]U, len(pg.Items)), Pagination: pg.Pagination}
	for i, v := range pg.Items {
		out.Items[i] = view(v)
	}
	return out
}

// Compare helpers for sorters.
func byString[T any](get func(T) string) func(a, b T) int {
	return func(a, b T) int { return strings.Compare(get(a), get(b)) }
}
