package trove

import (
	"context"
	"fmt"
)

// BackendUsage is what one backend holds.
type BackendUsage struct {
	Name    string `json:"name"`
	DSN     string `json:"dsn"`
	Buckets int    `json:"buckets"`
	Objects int    `json:"objects"`
	Bytes   int64  `json:"bytes"`
}

// Usage counts the buckets, objects and bytes on every backend, the default
// first. It walks every listing, so it costs time in proportion to the
// number of objects; it is meant for people, not hot paths.
func (s *Store) Usage(ctx context.Context) ([]BackendUsage, error) {
	cfg, err := s.live("usage", "", "")
	if err != nil {
		return nil, err
	}
	out := make([]BackendUsage, 0, len(cfg.order))
	for _, name := range cfg.order {
		drv := cfg.drivers[name]
		u := BackendUsage{Name: name, DSN: cfg.dsns[name]}
		buckets, err := drv.ListBuckets(ctx)
		if err != nil {
			return nil, fmt.Errorf("usage of backend %q: %w", name, err)
		}
		u.Buckets = len(buckets)
		for _, b := range buckets {
			err := walk(ctx, drv, b.Name, func(o *ObjectInfo) bool {
				u.Objects++
				u.Bytes += o.Size
				return true
			})
			if err != nil {
				return nil, fmt.Errorf("usage of backend %q: %w", name, err)
			}
		}
		out = append(out, u)
	}
	return out, nil
}
