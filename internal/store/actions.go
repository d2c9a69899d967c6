package store

import (
	"cmp"
	"slices"
	"time"
)

// Action is an asynchronous operation as the API shows it.
type Action struct {
	ID        int64            `json:"id"`
	Command   string           `json:"command"`
	Status    string           `json:"status"`
	Progress  int              `json:"progress"`
	Started   time.Time        `json:"started"`
	Finished  *time.Time       `json:"finished"`
	Resources []ActionResource `json:"resources"`
	Error     *ActionError     `json:"error"`
}

// ActionResource names a resource an action works on.
type ActionResource struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// ActionError is why an action failed.
type ActionError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Action statuses.
const (
	ActionStatusRunning = "running"
	ActionStatusSuccess = "success"
	ActionStatusError   = "error"
)

// actionState is an action plus when it is due to finish (nil: only when completed by hand).
type actionState struct {
	Action
	Due *time.Time `json:"due,omitempty"`
	// Runs is how long the action runs in all; progress is the share of it that has passed.
	Runs time.Duration `json:"runs,omitempty"`
}

func (a actionState) entityID() int64 { return a.ID }

func (a actionState) clone() actionState {
	a.Resources = slices.Clone(a.Resources)
	if a.Finished != nil {
		f := *a.Finished
		a.Finished = &f
	}
	if a.Error != nil {
		e := *a.Error
		a.Error = &e
	}
	if a.Due != nil {
		d := *a.Due
		a.Due = &d
	}
	return a
}

// ActionDuration is how long new actions run: a duration, or Manual (until completed by hand).
type ActionDuration struct {
	Duration time.Duration
	Manual   bool
}

func (d ActionDuration) String() string {
	if d.Manual {
		return "manual"
	}
	return d.Duration.String()
}

// ParseActionDuration reads "manual" or a Go duration such as "0s" or "2s".
func ParseActionDuration(s string) (ActionDuration, error) {
	if s == "manual" {
		return ActionDuration{Manual: true}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return ActionDuration{}, Errorf(CodeInvalidInput, "action duration must be a non-negative duration or manual")
	}
	return ActionDuration{Duration: d}, nil
}

// startAction records a running action on the given resources. The answer that starts it
// shows it running; it finishes when the clock reaches its due time, at the next tick.
func (p *Project) startAction(command string, resources ...ActionResource) Action {
	now := p.store.clock.Now()
	a := actionState{Action: Action{
		ID:        p.store.nextID("action"),
		Command:   command,
		Status:    ActionStatusRunning,
		Started:   now.Truncate(time.Second),
		Resources: resources,
	}}
	if d := p.store.ActionDuration(); !d.Manual {
		due := now.Add(d.Duration)
		a.Due, a.Runs = &due, d.Duration
	}
	p.actions.put(a)
	p.running[a.ID] = struct{}{}
	return a.clone().Action
}

// finishedAction records an action that is done in the answer that starts it (for operations
// the API completes at once, such as changing protection).
func (p *Project) finishedAction(command string, resources ...ActionResource) Action {
	now := p.store.clock.Now().Truncate(time.Second)
	a := actionState{Action: Action{
		ID: p.store.nextID("action"), Command: command, Status: ActionStatusSuccess, Progress: 100,
		Started: now, Finished: &now, Resources: resources,
	}}
	p.actions.put(a)
	return a.clone().Action
}

// tick finishes every running action that is due, oldest first, applying its side effects,
// and updates the progress of the others. Every project operation ticks first.
func (p *Project) tick() {
	if len(p.running) == 0 {
		return
	}
	now := p.store.clock.Now()
	ids := make([]int64, 0, len(p.running))
	for id := range p.running {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, cmp.Compare)
	for _, id := range ids {
		a := p.actions.items[id]
		switch {
		case a.Due == nil:
		case !now.Before(*a.Due):
			p.finish(a, nil)
		case a.Runs > 0:
			a.Progress = min(99, int(100*(a.Runs-a.Due.Sub(now))/a.Runs))
			p.actions.items[id] = a
		}
	}
}

// finish ends a running action with success (err nil) or failure and applies its effects.
func (p *Project) finish(a actionState, err *ActionError) {
	now := p.store.clock.Now()
	if a.Due != nil && a.Due.Before(now) {
		now = *a.Due // it finished when it was due, whenever a request noticed
	}
	now = now.Truncate(time.Second)
	a.Finished = &now
	a.Due = nil
	if err != nil {
		a.Status, a.Error = ActionStatusError, err
	} else {
		a.Status, a.Progress = ActionStatusSuccess, 100
	}
	p.actions.items[a.ID] = a
	delete(p.running, a.ID)
	p.applyActionEffects(a.Action)
}

// applyActionEffects applies what the real API changes when an action ends (a server becomes
// running when start_server succeeds, …). Each resource kind has one function here, keyed by
// the type of the action's first resource, and switches on the command itself.
func (p *Project) applyActionEffects(a Action) {
	if len(a.Resources) == 0 {
		return
	}
	if effect, ok := actionEffects[a.Resources[0].Type]; ok {
		effect(p, a)
	}
}

// actionEffects maps a resource type to the function applying its actions' effects. It is
// filled by the resource files' declarations below and never changed at run time.
var actionEffects = map[string]func(p *Project, a Action){}

// StartAction records a running action on the given resources, for seeding tests: it finishes
// like any other (after the action duration, or when completed by hand).
func (p *Project) StartAction(command string, resources ...ActionResource) Action {
	defer p.lock()()
	return p.startAction(command, resources...)
}

// lockedBy reports whether a running action works on the resource.
func (p *Project) lockedBy(typ string, id int64) bool {
	for aid := range p.running {
		for _, r := range p.actions.items[aid].Resources {
			if r.ID == id && r.Type == typ {
				return true
			}
		}
	}
	return false
}

// GetAction returns one action of the project.
func (p *Project) GetAction(id int64) (Action, error) {
	defer p.lock()()
	a, ok := p.actions.get(id)
	if !ok {
		return Action{}, NotFound("action")
	}
	return a.Action, nil
}

// ActionFilter narrows an action list: ids, statuses and the resource they work on.
type ActionFilter struct {
	IDs          []int64
	Statuses     []string
	ResourceType string // "" = any
	ResourceID   int64  // 0 = any
}

var actionSorter = Sorter[actionState]{
	"command":  byString(func(a actionState) string { return a.Command }),
	"status":   byString(func(a actionState) string { return a.Status }),
	"started":  func(a, b actionState) int { return a.Started.Compare(b.Started) },
	"finished": func(a, b actionState) int { return cmp.Compare(finishedKey(a), finishedKey(b)) },
}

// finishedKey sorts unfinished actions last.
func finishedKey(a actionState) int64 {
	if a.Finished == nil {
		return 1<<63 - 1
	}
	return a.Finished.UnixNano()
}

// ListActions lists actions through the shared list path.
func (p *Project) ListActions(f ActionFilter, opts ListOptions) (Page[Action], error) {
	defer p.lock()()
	match := func(a actionState) bool {
		if len(f.IDs) > 0 && !slices.Contains(f.IDs, a.ID) {
			return false
		}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, a.Status) {
			return false
		}
		if f.ResourceType == "" {
			return true
		}
		for _, r := range a.Resources {
			if r.Type == f.ResourceType && (f.ResourceID == 0 || r.ID == f.ResourceID) {
				return true
			}
		}
		return false
	}
	pg, err := page(&p.actions, opts, match, nil, actionSorter)
	if err != nil {
		return Page[Action]{}, err
	}
	return mapPage(pg, func(a actionState) Action { return a.Action }), nil
}

// CompleteAction finishes a running action now, wherever it is, with success or an error.
func (s *Store) CompleteAction(id int64, success bool, code, message string) (Action, error) {
	for _, p := range s.projectList() {
		if a, found, err := p.complete(id, success, code, message); found {
			return a, err
		}
	}
	return Action{}, NotFound("action")
}

func (p *Project) complete(id int64, success bool, code, message string) (Action, bool, error) {
	defer p.lock()()
	a, ok := p.actions.items[id]
	if !ok {
		return Action{}, false, nil
	}
	if _, running := p.running[id]; !running {
		return Action{}, true, Errorf(CodeConflict, "action %d is not running", id)
	}
	var aerr *ActionError
	if !success {
		if message == "" {
			message = "Action failed"
		}
		aerr = &ActionError{Code: code, Message: message}
	}
	p.finish(a, aerr)
	return p.actions.items[id].clone().Action, true, nil
}
