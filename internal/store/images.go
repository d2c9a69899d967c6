package store

import (
	"math"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// userImage is a project's snapshot or backup. It encodes exactly as the Image it wraps.
type userImage struct {
	Image
}

func (i userImage) entityID() int64 { return i.ID }

func (i userImage) clone() userImage {
	i.Labels = copyLabels(i.Labels)
	if i.ImageSize != nil {
		v := *i.ImageSize
		i.ImageSize = &v
	}
	if i.CreatedFrom != nil {
		v := *i.CreatedFrom
		i.CreatedFrom = &v
	}
	if i.BoundTo != nil {
		v := *i.BoundTo
		i.BoundTo = &v
	}
	if i.OSVersion != nil {
		v := *i.OSVersion
		i.OSVersion = &v
	}
	return i
}

func imageRef(id int64) ActionResource { return ActionResource{ID: id, Type: "image"} }

// newImage stores a snapshot or backup of the server, creating until create_image finishes.
func (p *Project) newImage(s Server, typ string, description *string, labels map[string]string) Image {
	img := Image{
		ID:           p.store.nextID("image"),
		Type:         typ,
		Status:       catalog.ImageStatusCreating,
		DiskSize:     float64(s.PrimaryDiskSize),
		Created:      catalog.FormatTime(p.now()),
		CreatedFrom:  &catalog.ImageCreatedFrom{ID: s.ID, Name: s.Name},
		OSFlavor:     "unknown",
		Architecture: s.ServerType.Architecture,
		Labels:       copyLabels(labels),
	}
	if description != nil {
		img.Description = *description
	}
	if s.Image != nil {
		img.OSFlavor = s.Image.OSFlavor
		if s.Image.OSVersion != nil {
			v := *s.Image.OSVersion
			img.OSVersion = &v
		}
	}
	if typ == catalog.ImageTypeBackup {
		id := s.ID
		img.BoundTo = &id
	}
	ui := userImage{img}
	p.ownImages.put(ui)
	return ui.clone().Image
}

// imageCreated makes an image available once create_image has finished.
func (p *Project) imageCreated(id int64) {
	ui, ok := p.ownImages.get(id)
	if !ok {
		return
	}
	ui.Status = catalog.ImageStatusAvailable
	size := math.Round(ui.DiskSize*0.05*100) / 100 // a plausible compressed size in GB
	ui.ImageSize = &size
	p.ownImages.put(ui)
}

// deleteBackups deletes the backup images bound to a server.
func (p *Project) deleteBackups(serverID int64) {
	for _, ui := range p.ownImages.values() {
		if ui.Type == catalog.ImageTypeBackup && ui.BoundTo != nil && *ui.BoundTo == serverID {
			p.ownImages.remove(ui.ID)
		}
	}
}

// ownImage returns a project image for a change; catalog images cannot be changed.
func (p *Project) ownImage(id int64) (userImage, error) {
	if ui, ok := p.ownImages.get(id); ok {
		return ui, nil
	}
	for _, img := range p.store.catalog.Images {
		if img.ID == id {
			return userImage{}, Errorf(CodeUnsupportedError, "only images of type snapshot and backup can be changed")
		}
	}
	return userImage{}, NotFound("image")
}

// UpdateImage is the body of PUT /images/{id}; nil fields stay as they are.
type UpdateImage struct {
	Description *string            `json:"description"`
	Type        *string            `json:"type"`
	Labels      *map[string]string `json:"labels"`
}

// UpdateImage changes the description or labels of a snapshot or backup, or turns a backup
// into a snapshot (which unbinds it from its server).
func (p *Project) UpdateImage(id int64, req UpdateImage) (Image, error) {
	if req.Type != nil && *req.Type != catalog.ImageTypeSnapshot {
		return Image{}, InvalidField("type", "Not a valid choice.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return Image{}, err
		}
	}
	defer p.lock()()
	ui, err := p.ownImage(id)
	if err != nil {
		return Image{}, err
	}
	if req.Description != nil {
		ui.Description = *req.Description
	}
	if req.Type != nil {
		ui.Type, ui.BoundTo = catalog.ImageTypeSnapshot, nil
	}
	if req.Labels != nil {
		ui.Labels = copyLabels(*req.Labels)
	}
	p.ownImages.put(ui)
	return ui.clone().Image, nil
}

// DeleteImage deletes a snapshot or backup unless it is protected or still being created.
func (p *Project) DeleteImage(id int64) error {
	defer p.lock()()
	ui, err := p.ownImage(id)
	if err != nil {
		return err
	}
	if ui.Protection.Delete {
		return Errorf(CodeProtected, "%s deletion is protected", ui.Type)
	}
	if p.lockedBy("image", id) {
		return Locked("image")
	}
	p.ownImages.remove(id)
	return nil
}

// ChangeImageProtection is the body of change_protection for images.
type ChangeImageProtection struct {
	Delete *bool `json:"delete"`
}

// ChangeImageProtection sets delete protection of a snapshot or backup.
func (p *Project) ChangeImageProtection(id int64, req ChangeImageProtection) (Action, error) {
	defer p.lock()()
	ui, err := p.ownImage(id)
	if err != nil {
		return Action{}, err
	}
	if req.Delete != nil {
		ui.Protection.Delete = *req.Delete
	}
	p.ownImages.put(ui)
	return p.finishedAction("change_protection", imageRef(id)), nil
}
