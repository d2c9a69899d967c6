package store

import (
	"cmp"
	"slices"
)

// entity is what a collection holds: a resource with an id that can copy itself, so nothing
// handed out of the store aliases stored maps or slices.
type entity[T any] interface {
	entityID() int64
	clone() T
}

// collection is one project's resources of one kind, keyed by id. It has no lock of its own:
// the project's lock guards it.
type collection[T entity[T]] struct {
	items map[int64]T
}

func newCollection[T entity[T]]() collection[T] {
	return collection[T]{items: map[int64]T{}}
}

// get returns a copy of the resource with this id.
func (c *collection[T]) get(id int64) (T, bool) {
	v, ok := c.items[id]
	if !ok {
		return v, false
	}
	return v.clone(), true
}

// put stores a copy of v.
func (c *collection[T]) put(v T) { c.items[v.entityID()] = v.clone() }

func (c *collection[T]) remove(id int64) { delete(c.items, id) }

func (c *collection[T]) len() int { return len(c.items) }

// find returns a copy of the first resource (by id) that matches.
func (c *collection[T]) find(match func(T) bool) (T, bool) {
	var best T
	found := false
	for _, v := range c.items {
		if match(v) && (!found || v.entityID() < best.entityID()) {
			best, found = v, true
		}
	}
	if !found {
		return best, false
	}
	return best.clone(), true
}

// values returns the stored values in id order, not copied: for reading under the lock only.
func (c *collection[T]) values() []T {
	out := make([]T, 0, len(c.items))
	for _, v := range c.items {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(a.entityID(), b.entityID()) })
	return out
}

// snapshot returns copies of every resource in id order.
func (c *collection[T]) snapshot() []T {
	vals := c.values()
	for i, v := range vals {
		vals[i] = v.clone()
	}
	return vals
}

func (c *collection[T]) restore(vals []T) {
	c.items = make(map[int64]T, len(vals))
	for _, v := range vals {
		c.put(v)
	}
}

// page lists through the shared List path and copies the page it hands out.
func page[T entity[T]](c *collection[T], opts ListOptions, match func(T) bool,
	labels func(T) map[string]string, sorter Sorter[T]) (Page[T], error) {
	p, err := List(c.values(), opts, match, labels, sorter, T.entityID, 0)
	if err != nil {
		return p, err
	}
	for i, v := range p.Items {
		p.Items[i] = v.clone()
	}
	return p, nil
}
