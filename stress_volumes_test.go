package fakehetzner_test

import (
	"encoding/json"
	"fmt"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// createVolume creates a volume with a colliding name and resizes or deletes it at random; a
// taken name deletes the volume holding it. The invariants then check volume ids, names and
// references.
func (w *worker) createVolume() (int, error) {
	name := fmt.Sprintf("vol-%d", w.rnd.IntN(20))
	body := map[string]any{"name": name, "size": 10 + w.rnd.IntN(10), "location": "fsn1"}
	status, data, err := w.do("POST", "/v1/volumes", body)
	if err != nil {
		return 0, err
	}
	if status == 409 {
		return w.deleteVolumeNamed(name)
	}
	if status != 201 {
		return expect(status, data)
	}
	var out struct {
		Volume store.Volume `json:"volume"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	if err := w.run.claim("volume", out.Volume.ID, w.token); err != nil {
		return status, err
	}
	path := fmt.Sprintf("/v1/volumes/%d", out.Volume.ID)
	if w.rnd.IntN(2) == 0 {
		// 423 while create_volume runs (with an action duration), 201 once it is done.
		status, data, err = w.do("POST", path+"/actions/resize", map[string]any{"size": 50})
		if err != nil {
			return 0, err
		}
		return expect(status, data, 201, 423)
	}
	status, data, err = w.do("DELETE", path, nil)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 204, 423)
}

// deleteVolumeNamed deletes the project's volume of that name, if another worker has not.
func (w *worker) deleteVolumeNamed(name string) (int, error) {
	status, data, err := w.do("GET", "/v1/volumes?name="+name, nil)
	if err != nil {
		return 0, err
	}
	if status != 200 {
		return expect(status, data)
	}
	var out struct {
		Volumes []store.Volume `json:"volumes"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return status, err
	}
	if len(out.Volumes) != 1 {
		return status, nil
	}
	status, data, err = w.do("DELETE", fmt.Sprintf("/v1/volumes/%d", out.Volumes[0].ID), nil)
	if err != nil {
		return 0, err
	}
	return expect(status, data, 204, 404, 423)
}
