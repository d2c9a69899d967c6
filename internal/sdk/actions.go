package sdk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// ActionStatus is the state of an action.
type ActionStatus string

// Action statuses: running, then success or error.
const (
	ActionStatusRunning ActionStatus = "running"
	ActionStatusSuccess ActionStatus = "success"
	ActionStatusError   ActionStatus = "error"
)

// Action is an asynchronous operation on one or more resources.
type Action struct {
	ID        int64            `json:"id"`
	Command   string           `json:"command"`
	Status    ActionStatus     `json:"status"`
	Progress  int              `json:"progress"`
	Started   time.Time        `json:"started"`
	Finished  *time.Time       `json:"finished"` // nil while running
	Resources []ActionResource `json:"resources"`
	Error     *ActionError     `json:"error"` // nil unless Status is error
}

// ActionResource is a resource an action works on.
type ActionResource struct {
	ID   int64  `json:"id"`
	Type string `json:"type"` // server, image, zone, …
}

// ActionError says why an action failed.
type ActionError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Running reports whether the action has not finished yet.
func (a Action) Running() bool { return a.Status == ActionStatusRunning }

// err is the action's failure as an *Error (nil unless it failed).
func (a Action) err() error {
	if a.Status != ActionStatusError {
		return nil
	}
	act := a
	e := &Error{Action: &act, Message: "action failed"}
	if a.Error != nil {
		e.Code, e.Message = Code(a.Error.Code), a.Error.Message
	}
	return e
}

// ActionClient reads and waits for actions.
type ActionClient struct{ c *Client }

// Get returns one action.
func (a ActionClient) Get(ctx context.Context, id int64) (Action, error) {
	var res struct {
		Action Action `json:"action"`
	}
	err := a.c.getJSON(ctx, "/actions/"+strconv.FormatInt(id, 10), nil, &res)
	return res.Action, err
}

// actionsPerRequest is how many ids one GET /actions carries: the API's default page size,
// so that one id list is one page.
const actionsPerRequest = 25

// GetMany returns the actions with the given ids, in ascending id order. An id the API does
// not return is an error that matches ErrNotFound.
func (a ActionClient) GetMany(ctx context.Context, ids ...int64) ([]Action, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []Action
	for chunk := range slices.Chunk(ids, actionsPerRequest) {
		q := url.Values{}
		for _, id := range chunk {
			q.Add("id", strconv.FormatInt(id, 10))
		}
		for act, err := range listAll[Action](ctx, a.c, "/actions", "actions", q) {
			if err != nil {
				return nil, err
			}
			out = append(out, act)
		}
	}
	if len(out) != len(ids) {
		var missing []int64
		for _, id := range ids {
			if !slices.ContainsFunc(out, func(a Action) bool { return a.ID == id }) {
				missing = append(missing, id)
			}
		}
		return nil, fmt.Errorf("hcloud: actions %v: %w", missing, ErrNotFound)
	}
	slices.SortFunc(out, func(x, y Action) int { return cmpInt64(x.ID, y.ID) })
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Watch follows actions until all have finished. It yields an action whenever its progress or
// status changes, and once more when it ends: with a nil error on success, with its failure as
// an *Error (Action set) on error. Actions that have already ended are yielded at once.
//
// All pending actions are polled in one request (GET /actions?id=…&id=…), first after the
// client's initial poll backoff, then with the delay doubling up to its cap. A failed request
// or the end of ctx is yielded as the last element, with a zero Action.
func (a ActionClient) Watch(ctx context.Context, actions ...Action) iter.Seq2[Action, error] {
	return func(yield func(Action, error) bool) {
		last := map[int64]Action{}
		var pending []int64
		for _, act := range actions {
			if _, seen := last[act.ID]; seen {
				continue
			}
			last[act.ID] = act
			if act.Running() {
				pending = append(pending, act.ID)
			} else if !yield(act, act.err()) {
				return
			}
		}
		delay := a.c.pollInitial
		for len(pending) > 0 {
			if err := sleep(ctx, delay); err != nil {
				yield(Action{}, fmt.Errorf("hcloud: waiting for actions %v: %w", pending, err))
				return
			}
			delay = min(delay*2, a.c.pollMax)
			got, err := a.GetMany(ctx, pending...)
			if err != nil {
				yield(Action{}, err)
				return
			}
			var still []int64
			for _, act := range got {
				prev := last[act.ID]
				last[act.ID] = act
				if act.Running() {
					still = append(still, act.ID)
					if act.Progress == prev.Progress {
						continue
					}
				}
				if !yield(act, act.err()) {
					return
				}
			}
			pending = still
		}
	}
}

// Wait blocks until every action has finished. It returns nil when all succeeded, the
// failure of a failed action as an *Error (errors.Join of them when several failed), or the
// error that stopped the polling (including ctx's).
func (a ActionClient) Wait(ctx context.Context, actions ...Action) error {
	var failed []error
	for _, err := range a.Watch(ctx, actions...) {
		if err == nil {
			continue
		}
		var apiErr *Error
		if errors.As(err, &apiErr) && apiErr.Action != nil {
			failed = append(failed, err)
			continue
		}
		return err
	}
	if len(failed) == 1 {
		return failed[0]
	}
	return errors.Join(failed...)
}

// WaitFor is Wait for the action of a call that may have none (nil).
func (a ActionClient) WaitFor(ctx context.Context, action *Action) error {
	if action == nil {
		return nil
	}
	return a.Wait(ctx, *action)
}

// actionOf sends a request whose answer is {"action": …} (resource actions, some deletes).
func (c *Client) actionOf(ctx context.Context, method, path string, body any) (Action, error) {
	var res struct {
		Action Action `json:"action"`
	}
	err := c.sendJSON(ctx, method, path, body, &res)
	return res.Action, err
}
