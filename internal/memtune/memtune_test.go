package memtune

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestBoundSetsAndRestoresTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		user  int64 // the limit before Bound, as GOMEMLIMIT would set it
		lower bool  // whether Bound should lower it
	}{
		{"no limit set", math.MaxInt64, true},
		{"a lower limit the user set", 1 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(tc.user))
			restore := Bound()
			during := debug.SetMemoryLimit(-1)
			restore()
			after := debug.SetMemoryLimit(-1)
			if tc.lower && (during >= tc.user || during < Headroom) {
				t.Errorf("limit during Bound: got %d, want at least %d and below %d", during, Headroom, tc.user)
			}
			if !tc.lower && during != tc.user {
				t.Errorf("limit during Bound: got %d, want the user's %d", during, tc.user)
			}
			if after != tc.user {
				t.Errorf("limit after restore: got %d, want %d", after, tc.user)
			}
		})
	}
}
