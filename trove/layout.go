package trove

import "fmt"

// DefaultBucket returns the bucket used when an operation names none, or
// "" when the store has no default bucket. A saved layout needs it.
func (s *Store) DefaultBucket() string { return s.defaultBucket }

// SetBackendDSN records the DSN the mounted backend name was opened from,
// which Backends then reports. Open and AddBackend are given a driver, not
// a DSN, and so record only "scheme://"; a caller that opened the driver
// from a DSN (a config file, say) sets the full one here so that the
// layout can be written back and loaded again.
func (s *Store) SetBackendDSN(name, dsn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.live("set dsn", "", "")
	if err != nil {
		return err
	}
	if _, ok := cfg.drivers[name]; !ok {
		return fmt.Errorf("set dsn of %q: %w", name, ErrUnknownBackend)
	}
	next := cfg.clone()
	next.dsns[name] = dsn
	s.publish(next)
	return nil
}
