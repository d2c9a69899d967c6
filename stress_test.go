package fakehetzner_test

// The stress test: 16 goroutines × 1,000 mixed operations over HTTP against one server (run
// it with -race), four projects with four goroutines each, then the invariants over the final
// snapshot. Operations are a weighted table; a resource added to the fake adds its rows.

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
	"github.com/fakehetzner/fakehetzner/testkit"
)

const (
	stressWorkers  = 16
	stressOpsEach  = 1000
	stressProjects = 4
)

// stressRun is what the workers share.
type stressRun struct {
	t      *testing.T
	srv    *testkit.Server
	client *http.Client
	keys   []string // a small pool: fingerprints collide on purpose

	mu      sync.Mutex
	owner   map[string]string  // "kind#id" → token of the project that created it
	created map[string][]int64 // token → ssh key ids it created (may be deleted since)
	actions map[string][]int64 // token → action ids
	answers map[string]int     // "op status" → count
}

// worker is one goroutine: a token and a random source.
type worker struct {
	run   *stressRun
	token string
	rnd   *rand.Rand
}

// stressOp is one kind of operation with its weight in the mix; run returns the status it got.
type stressOp struct {
	name   string
	weight int
	run    func(w *worker) (int, error)
}

var selectors = []string{"team=a", "team!=b", "team in (a,c)", "!team", "team", "team notin (a)", "n=1,team=b"}

// stressOps is the mix. Statuses other than those listed per op are errors.
func stressOps() []stressOp {
	return []stressOp{
		{"create ssh key", 25, (*worker).createKey},
		{"delete ssh key", 12, (*worker).deleteKey},
		{"update ssh key", 10, (*worker).updateKey},
		{"list ssh keys by selector", 20, (*worker).listKeys},
		{"seed action", 10, (*worker).seedAction},
		{"get actions", 10, (*worker).getActions},
		{"complete action", 5, (*worker).completeAction},
		{"advance clock", 3, (*worker).advanceClock},
		{"get ssh key", 5, (*worker).getKey},
		{"create floating ip", 4, (*worker).createFloatingIP},
		{"create volume", 5, (*worker).createVolume},
		{"create certificate", 4, (*worker).createCertificate},
		{"create firewall", 4, (*worker).createFirewall},
		{"create load balancer", 4, (*worker).createLoadBalancer},
	}
}

func (w *worker) do(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	base := w.run.srv.BaseURL
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if strings.HasPrefix(path, "/v1/") {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	res, err := w.run.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res.StatusCode, data, err
}

func expect(status int, data []byte, ok ...int) (int, error) {
	if slices.Contains(ok, status) {
		return status, nil
	}
	return status, fmt.Errorf("status %d: %s", status, data)
}

// claim records a new id and fails on one handed out before (ids are never reused).
func (r *stressRun) claim(kind string, id int64, token string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := fmt.Sprintf("%s#%d", kind, id)
	if prev, seen := r.owner[key]; seen {
		return fmt.Errorf("%s handed out twice (first to %s)", key, prev)
	}
	r.owner[key] = token
	return nil
}

func (w *worker) someKey() (int64, bool) {
	w.run.mu.Lock()
	defer w.run.mu.Unlock()
	ids := w.run.created[w.token]
	if len(ids) == 0 {
		return 0, false
	}
	return ids[w.rnd.IntN(len(ids))], true
}

func (w *worker) createKey() (int, error) {
	body := map[string]any{
		"name":       fmt.Sprintf("key-%d", w.rnd.IntN(30)), // collide on purpose
		"public_key": w.run.keys[w.rnd.IntN(len(w.run.keys))],
		"labels":     map[string]string{"team": []string{"a", "b", "c"}[w.rnd.IntN(3)], "n": fmt.Sprint(w.rnd.IntN(3))},
	}
	status, data, err := w.do("POST", "/v1/ssh_keys", body)
	if err != nil {
		return 0, err
	}
	if status == 201 {
		var out struct {
			SSHKey store.SSHKey `json:"ssh_key"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return status, err
		}
		if err := w.run.claim("ssh_key", out.SSHKey.ID, w.token); err != nil {
			return status, err
		}
		w.run.mu.Lock()
		w.run.created[w.token] = append(w.run.created[w.token], out.SSHKey.ID)
		w.run.mu.Unlock()
	}
	return expect(status, data, 201, 409)
}

func (w *worker) deleteKey() (int, error) {
	id, ok := w.someKey()
	if !ok {
		return 0, nil
	}
	status, data, err := w.do("DELETE", fmt.Sprintf("/v1/ssh_keys/%d", id), nil)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 204, 404)
}

func (w *worker) updateKey() (int, error) {
	id, ok := w.someKey()
	if !ok {
		return 0, nil
	}
	body := map[string]any{"labels": map[string]string{"team": []string{"a", "b"}[w.rnd.IntN(2)]}}
	if w.rnd.IntN(2) == 0 {
		body = map[string]any{"name": fmt.Sprintf("key-%d", w.rnd.IntN(30))}
	}
	status, data, err := w.do("PUT", fmt.Sprintf("/v1/ssh_keys/%d", id), body)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 200, 404, 409)
}

func (w *worker) getKey() (int, error) {
	id, ok := w.someKey()
	if !ok {
		return 0, nil
	}
	status, data, err := w.do("GET", fmt.Sprintf("/v1/ssh_keys/%d", id), nil)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 200, 404)
}

func (w *worker) listKeys() (int, error) {
	raw := selectors[w.rnd.IntN(len(selectors))]
	q := url.Values{"label_selector": {raw}, "per_page": {"50"}, "sort": {"name:desc"}}
	status, data, err := w.do("GET", "/v1/ssh_keys?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	if status != 200 {
		return expect(status, data)
	}
	var out struct {
		SSHKeys []store.SSHKey `json:"ssh_keys"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	sel, err := store.ParseSelector(raw)
	if err != nil {
		return status, err
	}
	names := map[string]bool{}
	for _, k := range out.SSHKeys {
		if !sel.Matches(k.Labels) {
			return status, fmt.Errorf("selector %q listed %v", raw, k.Labels)
		}
		if names[k.Name] {
			return status, fmt.Errorf("name %q listed twice", k.Name)
		}
		names[k.Name] = true
		w.run.mu.Lock()
		owner, known := w.run.owner[fmt.Sprintf("ssh_key#%d", k.ID)]
		w.run.mu.Unlock()
		if known && owner != w.token {
			return status, fmt.Errorf("project %s sees ssh key %d of %s", w.token, k.ID, owner)
		}
	}
	return status, nil
}

func (w *worker) seedAction() (int, error) {
	var res []store.ActionResource
	if id, ok := w.someKey(); ok {
		res = append(res, store.ActionResource{ID: id, Type: "ssh_key"})
	}
	a := w.run.srv.ProjectOf(w.token).StartAction("stress_action", res...)
	if err := w.run.claim("action", a.ID, w.token); err != nil {
		return 0, err
	}
	w.run.mu.Lock()
	w.run.actions[w.token] = append(w.run.actions[w.token], a.ID)
	w.run.mu.Unlock()
	return 201, nil
}

func (w *worker) someActions(n int) []int64 {
	w.run.mu.Lock()
	defer w.run.mu.Unlock()
	all := w.run.actions[w.token]
	var out []int64
	for i := 0; i < n && len(all) > 0; i++ {
		out = append(out, all[w.rnd.IntN(len(all))])
	}
	return out
}

func (w *worker) getActions() (int, error) {
	ids := w.someActions(3)
	if len(ids) == 0 {
		return 0, nil
	}
	q := url.Values{}
	for _, id := range ids {
		q.Add("id", fmt.Sprint(id))
	}
	status, data, err := w.do("GET", "/v1/actions?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	if status != 200 {
		return expect(status, data)
	}
	var out struct {
		Actions []store.Action `json:"actions"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	for _, a := range out.Actions {
		if !slices.Contains(ids, a.ID) {
			return status, fmt.Errorf("asked for %v, got action %d", ids, a.ID)
		}
		if a.Status == store.ActionStatusRunning && a.Finished != nil || a.Status != store.ActionStatusRunning && a.Finished == nil {
			return status, fmt.Errorf("action %d: status %s with finished %v", a.ID, a.Status, a.Finished)
		}
	}
	return status, nil
}

func (w *worker) completeAction() (int, error) {
	ids := w.someActions(1)
	if len(ids) == 0 {
		return 0, nil
	}
	body := map[string]any{"status": "success"}
	if w.rnd.IntN(3) == 0 {
		body = map[string]any{"status": "error", "error": map[string]any{"code": "stress", "message": "failed on purpose"}}
	}
	status, data, err := w.do("POST", fmt.Sprintf("/_fake/actions/%d/complete", ids[0]), body)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 200, 409)
}

func (w *worker) advanceClock() (int, error) {
	status, data, err := w.do("POST", "/_fake/clock", map[string]any{"advance": "1s"})
	if err != nil {
		return 0, err
	}
	return expect(status, data, 200)
}

func stressKeys(t *testing.T, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		pub, _, err := ed25519.GenerateKey(nil)
		require.NoError(t, err)
		k, err := ssh.NewPublicKey(pub)
		require.NoError(t, err)
		keys[i] = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	}
	return keys
}

func TestStress(t *testing.T) {
	if testing.Short() {
		t.Skip("16 × 1,000 operations")
	}
	srv := testkit.New(t, testkit.WithActionDuration(3*time.Second))
	run := &stressRun{
		t: t, srv: srv, keys: stressKeys(t, 60),
		client:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: stressWorkers}},
		owner:   map[string]string{},
		created: map[string][]int64{}, actions: map[string][]int64{}, answers: map[string]int{},
	}
	ops := stressOps()
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	var wg sync.WaitGroup
	errs := make(chan error, stressWorkers)
	start := time.Now()
	for g := 0; g < stressWorkers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{run: run, token: fmt.Sprintf("stress-%d", g%stressProjects), rnd: rand.New(rand.NewPCG(uint64(g), 42))}
			for i := 0; i < stressOpsEach; i++ {
				pick := w.rnd.IntN(total)
				var op stressOp
				for _, o := range ops {
					if pick < o.weight {
						op = o
						break
					}
					pick -= o.weight
				}
				status, err := op.run(w)
				if err != nil {
					errs <- fmt.Errorf("%s (worker %d, op %d): %w", op.name, g, i, err)
					return
				}
				run.mu.Lock()
				run.answers[fmt.Sprintf("%s %d", op.name, status)]++
				run.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n := stressWorkers * stressOpsEach
	t.Logf("stress: %d operations in %s: %.0f ops/s", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	for _, k := range sortedKeys(run.answers) {
		t.Logf("  %-36s %6d", k, run.answers[k])
	}
	assert.Greater(t, run.answers["create ssh key 409"], 0, "names and keys collided")
	assert.Greater(t, run.answers["create ssh key 201"], 0)

	// Let every action finish, then check the invariants.
	srv.AdvanceClock(time.Hour)
	snap := srv.Snapshot()
	violations := testkit.Invariants{ActionsFinished: true}.Check(snap)
	for _, v := range violations {
		t.Error(v)
	}
	resources := 0
	for _, p := range snap.Projects {
		resources += len(p.SSHKeys) + len(p.Actions)
	}
	t.Logf("stress: invariants hold over %d projects, %d resources, %d ids handed out", len(snap.Projects), resources, len(run.owner))

	// The snapshot survives a JSON round trip into a fresh store (what --state-file does).
	data, err := json.Marshal(snap)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var back store.Snapshot
	require.NoError(t, dec.Decode(&back))
	fresh := store.New(catalog.Default())
	require.NoError(t, fresh.Restore(back))
	again := fresh.Snapshot()
	again.Taken = snap.Taken
	data2, err := json.Marshal(again)
	require.NoError(t, err)
	assert.JSONEq(t, string(data), string(data2), "restored state equals the original")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
